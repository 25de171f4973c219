// The connections table: ss columns that fit the width, one line per connection, only the
// visible window rendered (10,000 rows scroll without building 10,000 lines).
import React from 'react';
import { Box, Text } from 'ink';
import { COLUMN_GAP, layoutColumns, type LaidOutColumn, type ViewContext } from '../../../core/api/views/columns.ts';
import { fit } from '../../../core/api/views/format.ts';
import { t, type Lang } from '../../../core/api/views/i18n.ts';
import { CONNECTION_COLUMNS } from '../../../core/api/views/netstat.ts';
import { ROLE_STYLES, stateRole } from '../../../core/api/views/state-roles.ts';
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

const Row = React.memo(function Row({ row, cols, ctx, selected }: { row: ConnectionRow; cols: Cols; ctx: ViewContext; selected: boolean }): React.ReactElement {
  const role = stateRole(row.state);
  const parts: React.ReactNode[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain !== '') parts.push(plain);
    plain = '';
  };
  cols.forEach((c, i) => {
    const text = fit(c.column.format(row, ctx), c.width, c.column.align) + (i < cols.length - 1 ? ' '.repeat(COLUMN_GAP) : '');
    const cellRole = c.column.role?.(row) ?? null;
    if (cellRole === null) {
      plain += text;
    } else {
      flush();
      parts.push(<Text key={c.column.id} {...roleProps(cellRole)}>{text}</Text>);
    }
  });
  flush();
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text {...roleProps(role)}>{ROLE_STYLES[role].marker}</Text> {parts}
    </Text>
  );
});

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
  for (let i = win.start; i < win.end; i++) {
    lines.push(<Row key={rows[i].id} row={rows[i]} cols={cols} ctx={ctx} selected={i === win.cursor} />);
  }
  if (rows.length === 0) {
    lines.push(<Text key="empty" dimColor>  {filter.source === '' ? t(lang, 'table.empty') : t(lang, 'table.emptyFiltered', { filter: filter.source })}</Text>);
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.connections')} width={width} right={info} />
      <Text bold wrap="truncate">{headerLine(cols, lang)}</Text>
      {lines}
    </Box>
  );
}
