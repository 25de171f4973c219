// State colour roles: every TCP state belongs to one role, and each UI maps roles to its own
// colours. Roles are chosen so that a colour-blind user can still tell them apart: each role
// has a marker glyph and a text emphasis besides its suggested colour, and the suggested
// colours are the Okabe-Ito palette (distinguishable with protanopia, deuteranopia, tritanopia).
import type { TcpState } from '../names.ts';

export const STATE_ROLES = [
  'closed',       // CLOSED: gone or never opened
  'listen',       // LISTEN
  'opening',      // SYN-SENT, SYN-RECEIVED: handshake in progress
  'established',  // ESTABLISHED: data can flow both ways
  'closing',      // FIN-WAIT-1, FIN-WAIT-2, CLOSING: we closed first, waiting for the peer
  'peer-closed',  // CLOSE-WAIT, LAST-ACK: the peer closed first; the application must close
  'time-wait',    // TIME-WAIT: waiting 2*MSL
] as const;
export type StateRole = (typeof STATE_ROLES)[number];

/** Roles for things that are not states (segments, events, gauges). */
export const EXTRA_ROLES = ['reset', 'error', 'warn', 'ok', 'muted', 'accent'] as const;
export type ExtraRole = (typeof EXTRA_ROLES)[number];
export type Role = StateRole | ExtraRole;

export function stateRole(state: TcpState): StateRole {
  switch (state) {
    case 'CLOSED': return 'closed';
    case 'LISTEN': return 'listen';
    case 'SYN-SENT':
    case 'SYN-RECEIVED': return 'opening';
    case 'ESTABLISHED': return 'established';
    case 'FIN-WAIT-1':
    case 'FIN-WAIT-2':
    case 'CLOSING': return 'closing';
    case 'CLOSE-WAIT':
    case 'LAST-ACK': return 'peer-closed';
    case 'TIME-WAIT': return 'time-wait';
    default: {
      const never: never = state;
      throw new Error(`unknown state ${String(never)}`);
    }
  }
}

export interface RoleStyle {
  /** Suggested colour (Okabe-Ito), '#rrggbb'. */
  color: string;
  /** The nearest of the 8 basic terminal colours, for terminals without true colour. */
  ansi: 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';
  /** A one-cell glyph that tells the role without colour. */
  marker: string;
  bold: boolean;
  dim: boolean;
}

export const ROLE_STYLES: Record<Role, RoleStyle> = {
  closed: { color: '#999999', ansi: 'gray', marker: '·', bold: false, dim: true },
  listen: { color: '#0072B2', ansi: 'blue', marker: 'L', bold: false, dim: false },
  opening: { color: '#E69F00', ansi: 'yellow', marker: '>', bold: false, dim: false },
  established: { color: '#009E73', ansi: 'green', marker: '=', bold: true, dim: false },
  closing: { color: '#56B4E9', ansi: 'cyan', marker: '<', bold: false, dim: false },
  'peer-closed': { color: '#CC79A7', ansi: 'magenta', marker: '!', bold: true, dim: false },
  'time-wait': { color: '#999999', ansi: 'gray', marker: '~', bold: false, dim: false },
  reset: { color: '#D55E00', ansi: 'red', marker: 'R', bold: true, dim: false },
  error: { color: '#D55E00', ansi: 'red', marker: '✗', bold: true, dim: false },
  warn: { color: '#E69F00', ansi: 'yellow', marker: '▲', bold: false, dim: false },
  ok: { color: '#009E73', ansi: 'green', marker: '✓', bold: false, dim: false },
  muted: { color: '#999999', ansi: 'gray', marker: ' ', bold: false, dim: true },
  accent: { color: '#0072B2', ansi: 'blue', marker: '*', bold: true, dim: false },
};

/** The role of a segment by its tcpdump flags: RST red, SYN opening, FIN closing, else none. */
export function segmentRole(flags: string): Role | null {
  if (flags.includes('R')) return 'reset';
  if (flags.includes('S')) return 'opening';
  if (flags.includes('F')) return 'closing';
  return null;
}
