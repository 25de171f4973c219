// Listeners with their SYN queue and accept queue gauges (used/limit, drops, cookies), live.
import React from 'react';
import { Box, Text } from 'ink';
import { COLUMN_GAP, layoutColumns, type ViewContext } from '../../../core/api/views/columns.ts';
import { bar, fit } from '../../../core/api/views/format.ts';
import type { Gauge, ListenerView } from '../../../core/api/views/gauges.ts';
import { t, type Lang } from '../../../core/api/views/i18n.ts';
import { LISTENER_COLUMNS } from '../../../core/api/views/listeners.ts';
import type { Controller } from '../controller.ts';
import { roleProps, Title } from './style.tsx';

/** A scenario hint on a listener: which of its parts (a field), and whether the user jumped to it. */
type ListenerHint = { field?: string; jump: boolean } | undefined;

function QueueLine({ g, width, lang, extra, hinted }: { g: Gauge; width: number; lang: Lang; extra: string; hinted: boolean }): React.ReactElement {
  const labelW = 13;
  const textW = Math.max(g.text.length, 9);
  // The same bar length on every line, so the two queues compare at a glance.
  const barW = Math.max(4, Math.min(24, width - 2 - labelW - 1 - 9 - 26));
  return (
    <Text wrap="truncate">
      {hinted ? <Text color="yellow" bold>» </Text> : '  '}<Text {...(hinted ? { color: 'yellow', bold: true } : {})}>{fit(t(lang, g.label), labelW)}</Text><Text {...roleProps(g.role)}>{bar(g.ratio, barW)}</Text> {fit(g.text, textW)}<Text dimColor>{extra}</Text>
    </Text>
  );
}

/** Three lines per listener: where, and its two queues. */
function ListenerBlock({ l, width, lang, selected, hint }: { l: ListenerView; width: number; lang: Lang; selected: boolean; hint: ListenerHint }): React.ReactElement {
  const state = l.paused ? t(lang, 'listeners.paused') : t(lang, 'listeners.accepting');
  const field = hint?.field;
  const onSyn = hint !== undefined && (field === 'synQueue' || field === 'halfOpen' || field === 'cookies' || field === 'drops');
  const onAccept = hint !== undefined && (field === 'acceptQueue' || field === 'drops');
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" inverse={selected}>
        <Text color="blue">L</Text>{hint === undefined ? ' ' : <Text color="yellow" bold>»</Text>}<Text bold>{l.endpoint}</Text> {l.responder} <Text color={l.paused ? 'yellow' : undefined}>{state}</Text>
        <Text dimColor> backlog {l.backlog}</Text>
      </Text>
      <QueueLine g={l.syn} width={width} lang={lang} hinted={onSyn} extra={` ${t(lang, 'gauge.drops')} ${l.synDrops}  cookies ${l.cookiesText}`} />
      <QueueLine g={l.accept} width={width} lang={lang} hinted={onAccept} extra={` ${t(lang, 'gauge.drops')} ${l.acceptDrops}`} />
    </Box>
  );
}

/** The compact panel beside the connections (wide terminals). */
export function ListenersPanel({ controller, width, height }: { controller: Controller; width: number; height: number }): React.ReactElement {
  const { lang } = controller.state;
  const ls = controller.listeners();
  const marks = controller.hintMarks().listeners;
  const fits = Math.max(0, Math.floor((height - 1) / 3));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.listeners')} width={width} right={String(ls.length)} />
      {ls.length === 0 ? <Text dimColor wrap="truncate">{t(lang, 'listeners.empty')}</Text> : null}
      {ls.slice(0, fits).map((l) => <ListenerBlock key={l.id} l={l} width={width} lang={lang} selected={false} hint={marks.get(l.id)} />)}
      {ls.length > fits && fits > 0 ? <Text dimColor>… +{ls.length - fits}</Text> : null}
    </Box>
  );
}

/** The Listeners view: a table, then the selected listener's queues and half-open requests. */
export function ListenersView({ controller, width, height }: { controller: Controller; width: number; height: number }): React.ReactElement {
  const { lang } = controller.state;
  const ls = controller.listeners();
  const marks = controller.hintMarks().listeners;
  const tableH = Math.max(3, Math.min(ls.length + 2, Math.floor(height / 2)));
  controller.pageSize.listeners = tableH - 2;
  const win = controller.window('listeners', ls.length, tableH - 2);
  const cols = layoutColumns(LISTENER_COLUMNS, width - 2, lang);
  const ctx: ViewContext = { lang, now: 0, snapshotAt: 0 };
  const sel = ls[win.cursor];
  const halfOpenH = Math.max(0, height - tableH - 4);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.listeners')} width={width} right={String(ls.length)} />
      <Text bold wrap="truncate">{'  '}{cols.map((c) => fit(c.column.header[lang], c.width, c.column.align)).join(' '.repeat(COLUMN_GAP))}</Text>
      {ls.length === 0 ? <Text dimColor>  {t(lang, 'listeners.empty')}</Text> : null}
      {ls.slice(win.start, win.end).map((l, i) => (
        <Text key={l.id} wrap="truncate" inverse={win.start + i === win.cursor}>
          <Text color="blue">L</Text>{marks.has(l.id) ? <Text color="yellow" bold>»</Text> : ' '}
          {cols.map((c, j) => (
            <Text key={c.column.id} {...roleProps(c.column.role?.(l) ?? null)}>
              {fit(c.column.format(l, ctx), c.width, c.column.align)}{j < cols.length - 1 ? ' ' : ''}
            </Text>
          ))}
        </Text>
      ))}
      {sel === undefined ? null : (
        <Box flexDirection="column" width={width} marginTop={1}>
          <ListenerBlock l={sel} width={width} lang={lang} selected={false} hint={marks.get(sel.id)} />
          <Title text={t(lang, 'gauge.halfOpen')} width={width} right={String(sel.halfOpen.length)} />
          {sel.halfOpen.slice(0, halfOpenH).map((h) => (
            <Text key={h.peer} wrap="truncate">  {fit(h.peer, 22)} age {fit(h.age, 7)} SYN-ACK ×{h.synAckRetries}{h.nextRetry ? `  next ${h.nextRetry}` : ''}</Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
