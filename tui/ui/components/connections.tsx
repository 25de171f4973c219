// The connections table: ss columns that fit the width, one line per connection, only the
// visible window rendered (10,000 rows scroll without building 10,000 lines).
import React from 'react';
import { Box, Text } from 'ink';
import { COLUMN_GAP, layoutColumns, type LaidOutColumn, type ViewContext } from '../../../core/api/views/columns.ts';
import { fit, wrapText } from '../../../core/api/views/format.ts';
import { t, type Lang } from '../../../core/api/views/i18n.ts';
import { CONNECTION_COLUMNS } from '../../../core/api/views/netstat.ts';
import { ROLE_STYLES, stateRole, type Role } from '../../../core/api/views/state-roles.ts';
import { fieldColumn } from '../../../core/api/views/scenario.ts';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';
import type { Controller } from '../controller.ts';
import { roleProps, Title } from './style.tsx';

type Cols = LaidOutColumn<ConnectionRow>[];

const layoutCache = new Map<string, Cols>();

/** Columns for a width (cached: the layout only depends on width and language). */
export function tableColumns(width: number, lang: Lang): Cols {
  const key = `${width}/${lang}`;
  let cols = layoutCache.get(key);
  if (cols === undefined) {
    cols = layoutColumns(CONNECTION_COLUMNS, width - 2, lang);
    layoutCache.set(key, cols);
  }
  return cols;
}

function headerLine(cols: Cols, lang: Lang): string {
  return '  ' + cols.map((c) => fit(c.column.header[lang], c.width, c.column.align)).join(' '.repeat(COLUMN_GAP));
}

interface Span {
  text: string;
  role: Role | null;
  /** The cell a scenario hint points at. */
  hinted: boolean;
}

/** A row as text spans: plain text runs merged, only coloured cells kept apart. */
function rowSpans(row: ConnectionRow, cols: Cols, ctx: ViewContext, hintCol: string | null): Span[] {
  const spans: Span[] = [];
  let plain = '';
  cols.forEach((c, i) => {
    const text = fit(c.column.format(row, ctx), c.width, c.column.align);
    const gap = i < cols.length - 1 ? ' '.repeat(COLUMN_GAP) : '';
    const cellRole = c.column.role?.(row) ?? null;
    const hinted = c.column.id === hintCol;
    if (cellRole === null && !hinted) {
      plain += text + gap;
      return;
    }
    if (plain !== '') spans.push({ text: plain, role: null, hinted: false });
    spans.push({ text, role: cellRole, hinted });
    plain = gap;
  });
  if (plain !== '') spans.push({ text: plain, role: null, hinted: false });
  return spans;
}

export type HintMark = 'hint' | 'jump' | null;

/**
 * One line of the table. Memoised by what it shows (the spans' texts), not by the row object:
 * a row whose text did not change is not rendered again, whatever else moved.
 */
const Row = React.memo(function Row({ spans, role, selected, hint }: { spans: Span[]; sig: string; role: Role; selected: boolean; hint: HintMark }): React.ReactElement {
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text {...roleProps(role)}>{ROLE_STYLES[role].marker}</Text>{hint === null ? ' ' : <Text color="yellow" bold>»</Text>}
      {spans.map((s, i) => (s.role === null && !s.hinted ? s.text : (
        <Text key={i} {...roleProps(s.role)} {...(s.hinted ? { color: 'yellow', inverse: !selected, bold: true } : {})}>{s.text}</Text>
      )))}
    </Text>
  );
}, (a, b) => a.sig === b.sig && a.selected === b.selected && a.hint === b.hint && a.role === b.role);

export interface TableProps {
  controller: Controller;
  width: number;
  height: number;
  now: number;
}

export function ConnectionsTable({ controller, width, height, now }: TableProps): React.ReactElement {
  const { lang, filter, sort } = controller.state;
  const rows = controller.rows();
  const total = controller.store.snapshot?.connections.length ?? 0;
  const cols = tableColumns(width, lang);
  const bodyHeight = Math.max(1, height - 2);
  controller.pageSize.connections = bodyHeight;
  const win = controller.window('connections', rows.length, bodyHeight);
  const ctx: ViewContext = { lang, now, snapshotAt: controller.store.snapshot?.at ?? 0 };
  const sortCol = sort === null ? null : CONNECTION_COLUMNS.find((c) => c.id === sort.column);
  const info = [
    t(lang, 'table.rows', { shown: rows.length, total }),
    sortCol ? t(lang, 'table.sortedBy', { column: sortCol.header[lang], dir: sort?.dir === 'asc' ? '↑' : '↓' }) : '',
    filter.source === '' ? '' : `${t(lang, 'table.filter')}: ${filter.source}`,
  ].filter(Boolean).join(' · ');
  const lines: React.ReactNode[] = [];
  const hinted = controller.hintedConnections();
  for (let i = win.start; i < win.end; i++) {
    const row = rows[i];
    const h = hinted.get(row.id);
    const spans = rowSpans(row, cols, ctx, h === undefined ? null : fieldColumn(h.field));
    const sig = spans.map((x) => x.text).join('\u0000') + (h === undefined ? '' : `\u0001${h.field ?? ''}`);
    lines.push(<Row key={row.id} spans={spans} sig={sig} role={stateRole(row.state)} selected={i === win.cursor} hint={h === undefined ? null : h.jump ? 'jump' : 'hint'} />);
  }
  if (rows.length === 0) {
    lines.push(<Text key="empty" dimColor>  {filter.source === '' ? t(lang, 'table.empty') : t(lang, 'table.emptyFiltered', { filter: filter.source })}</Text>);
    // The run's notice (how to reach its namespace) in full, where the user looks first.
    if (filter.source === '' && controller.notice !== null) {
      wrapText(controller.notice, width - 4).slice(0, bodyHeight - 2).forEach((l, i) => lines.push(<Text key={`notice${i}`}>  {l}</Text>));
    }
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.connections')} width={width} right={info} />
      <Text bold wrap="truncate">{headerLine(cols, lang)}</Text>
      {lines}
    </Box>
  );
}
