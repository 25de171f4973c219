// How the GUI shows the shared colour roles (core/api/views/state-roles.ts): a CSS class per
// role (colours per theme in styles.css, Okabe-Ito based) and the role's marker glyph, so
// colour is never the only cue.
import type { TcpState } from '../../../core/api/names.ts';
import { ROLE_STYLES, stateRole, type Role } from '../../../core/api/views/state-roles.ts';

export function roleClass(role: Role | null): string {
  return role === null ? '' : `role-${role}`;
}

export function stateClass(s: TcpState): string {
  return roleClass(stateRole(s));
}

export function marker(role: Role): string {
  return ROLE_STYLES[role].marker;
}

/** RFC state order, for sorting lanes and the state filter. */
export const STATE_ORDER: Record<TcpState, number> = {
  CLOSED: 0, LISTEN: 1, 'SYN-SENT': 2, 'SYN-RECEIVED': 3, ESTABLISHED: 4, 'FIN-WAIT-1': 5, 'FIN-WAIT-2': 6,
  'CLOSE-WAIT': 7, CLOSING: 8, 'LAST-ACK': 9, 'TIME-WAIT': 10,
};
