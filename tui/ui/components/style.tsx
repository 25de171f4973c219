// Roles to terminal colours: the basic ANSI colour of each role (so 16-colour terminals and
// colour-blind users both get distinguishable states: every role also has a marker glyph).
import React from 'react';
import { Text } from 'ink';
import { ROLE_STYLES, type Role } from '../../../core/api/views/state-roles.ts';
import { textWidth } from '../../../core/api/views/format.ts';

export function roleProps(role: Role | null | undefined): { color?: string; bold?: boolean; dimColor?: boolean } {
  if (role === null || role === undefined) return {};
  const s = ROLE_STYLES[role];
  return { color: s.ansi, ...(s.bold ? { bold: true } : {}), ...(s.dim ? { dimColor: true } : {}) };
}

export function RoleText({ role, children }: { role: Role | null | undefined; children: React.ReactNode }): React.ReactElement {
  return <Text {...roleProps(role)}>{children}</Text>;
}

/** A pane title: ' Connections ─────────' across `width`. */
export function Title({ text, width, right = '' }: { text: string; width: number; right?: string }): React.ReactElement {
  const r = right === '' ? '' : ` ${right} ─`;
  const fill = Math.max(0, width - textWidth(`─ ${text} `) - textWidth(r));
  return (
    <Text wrap="truncate">
      <Text dimColor>─ </Text><Text bold>{text}</Text><Text dimColor> {'─'.repeat(fill)}</Text>{r === '' ? null : <Text dimColor>{r}</Text>}
    </Text>
  );
}
