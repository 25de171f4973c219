// The selected connection: its state timeline, timers with time left, buffer gauges, and a
// text ladder diagram of its latest segments (the lab on the left, the kernel on the right).
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import type { SegmentEvent } from '../../../core/api/events.ts';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';
import { bar, fit, formatMs, textWidth, truncate } from '../../../core/api/views/format.ts';
import { bufferGauges, type Gauge } from '../../../core/api/views/gauges.ts';
import { t, type Lang } from '../../../core/api/views/i18n.ts';
import { ladderRows, type LadderRow } from '../../../core/api/views/ladder.ts';
import { stateRole, ROLE_STYLES } from '../../../core/api/views/state-roles.ts';
import { buildTimeline, formatSince, timeBase, type TimelineEntry } from '../../../core/api/views/timeline.ts';
import { timeInStateMs } from '../../../core/api/views/netstat.ts';
import { timerCountdowns, type TimerCountdown } from '../../../core/api/views/timers.ts';
import type { Controller } from '../controller.ts';
import { roleProps, Title } from './style.tsx';

const CAUSE_MARK = { segment: '⇄', timer: '⏱', user: '☞', other: '·' } as const;

function TimelineView({ entries, base, width, height, lang }: { entries: TimelineEntry[]; base: number | null; width: number; height: number; lang: Lang }): React.ReactElement {
  const shown = entries.slice(Math.max(0, entries.length - (height - 1)));
  const start = base ?? entries[0]?.enteredAt ?? 0;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.timeline')} width={width} />
      {entries.length === 0 ? <Text dimColor>{t(lang, 'timeline.empty')}</Text> : null}
      {shown.map((e) => {
        const when = formatSince(e.enteredAt, start).padStart(8);
        const dur = (e.current ? formatMs(e.durationMs) + '…' : formatMs(e.durationMs)).padStart(7);
        const cause = `${CAUSE_MARK[e.causeKind]} ${e.cause}${e.segment ? ` [${e.segment.flags}]` : ''}`;
        const rest = Math.max(0, width - 8 - 1 - 13 - 7 - 1);
        return (
          <Text key={e.eventSeq} wrap="truncate">
            <Text dimColor>{when}</Text> <Text {...roleProps(e.role)} inverse={e.current}>{fit(e.state, 12)}</Text> {dur} <Text dimColor>{truncate(cause, rest)}</Text>
          </Text>
        );
      })}
    </Box>
  );
}

function TimersView({ timers, width, lang }: { timers: TimerCountdown[]; width: number; lang: Lang }): React.ReactElement {
  const labelW = Math.max(...timers.map((x) => textWidth(t(lang, x.label)))) + 1;
  return (
    <Box flexDirection="column" width={width}>
      <Title text={t(lang, 'pane.timers')} width={width} />
      {timers.map((x) => {
        const value = !x.running ? t(lang, 'timer.off') : x.overdue ? t(lang, 'timer.expired') : x.text;
        const retries = x.retries > 0 ? ` ${t(lang, 'timer.retries', { n: x.retries })}` : '';
        return (
          <Text key={x.name} wrap="truncate" dimColor={!x.running}>
            {fit(t(lang, x.label), labelW)}<Text bold={x.running} color={x.running ? (x.overdue ? 'red' : 'yellow') : undefined}>{value}</Text>{retries}
          </Text>
        );
      })}
    </Box>
  );
}

const GAUGE_SHORT: Record<string, { en: string; zh: string }> = {
  send: { en: 'snd buf', zh: '发送缓冲' },
  recv: { en: 'rcv buf', zh: '接收缓冲' },
  inflight: { en: 'flight', zh: '在途' },
  cwnd: { en: 'cwnd', zh: 'cwnd' },
};

function GaugeText({ g, width, lang, short }: { g: Gauge; width: number; lang: Lang; short: boolean }): React.ReactElement {
  const label = short ? GAUGE_SHORT[g.id]?.[lang] ?? g.id : t(lang, g.label);
  const labelW = short ? 9 : Math.max(...['gauge.sendBuffer', 'gauge.recvBuffer', 'gauge.inFlight', 'gauge.cwnd'].map((k) => textWidth(t(lang, k as 'gauge.cwnd')))) + 1;
  const barW = Math.max(4, width - labelW - g.text.length - 2);
  return (
    <Text wrap="truncate">
      {fit(label, labelW)}<Text {...roleProps(g.role)}>{bar(g.ratio, barW)}</Text> {g.text}
    </Text>
  );
}

function BuffersView({ gauges, width, lang, rows }: { gauges: Gauge[]; width: number; lang: Lang; rows: number }): React.ReactElement {
  // The send and receive buffers first; the windows when there is room.
  const short = width < 40;
  const lines = gauges.slice(0, Math.max(0, rows)).map((g) => <GaugeText key={g.id} g={g} width={width} lang={lang} short={short} />);
  return (
    <Box flexDirection="column" width={width}>
      <Title text={t(lang, 'pane.buffers')} width={width} />
      {lines}
    </Box>
  );
}

/** One ladder line: time, our state, and the arrow between the lab (left) and the kernel (right). */
function ladderLine(r: LadderRow, area: number): string {
  const label = ` ${r.label}${r.rejected ? ` ✗ ${r.verdict}` : ''} `;
  const inner = Math.max(4, area - 2);
  const text = truncate(label, inner - 3);
  const dashes = Math.max(0, inner - textWidth(text) - 1);
  const left = Math.floor(dashes / 2);
  const right = dashes - left;
  return r.dir === 'out'
    ? `├${'─'.repeat(left)}${text}${'─'.repeat(right)}▶┤`
    : `├◀${'─'.repeat(left)}${text}${'─'.repeat(right)}┤`;
}

/** The ladder rows that fit in `n` lines: the newest, or around the segment a hint points at. */
function ladderWindow(rows: LadderRow[], n: number, focus: number | null): LadderRow[] {
  const at = focus === null ? -1 : rows.findIndex((r) => r.eventSeq === focus);
  if (at < 0 || rows.length <= n) return rows.slice(Math.max(0, rows.length - n));
  const start = Math.max(0, Math.min(rows.length - n, at - Math.floor(n / 2)));
  return rows.slice(start, start + n);
}

function LadderView({ rows, row, base, marks, width, height, lang, relative }: {
  rows: LadderRow[]; row: ConnectionRow; base: number | null; marks: Map<number, boolean>; width: number; height: number; lang: Lang; relative: boolean;
}): React.ReactElement {
  const area = Math.max(10, width - 9 - 13);
  const focus = [...marks].find(([, jump]) => jump)?.[0] ?? null;
  const shown = ladderWindow(rows, Math.max(0, height - 2), focus);
  const start = base ?? rows[0]?.at ?? 0;
  const ends = `${fit(`${t(lang, 'ladder.lab')} ${row.local}`, Math.floor(area / 2), 'left')}${fit(`${t(lang, 'ladder.kernel')} ${row.remote}`, area - Math.floor(area / 2), 'right')}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.ladder')} width={width} right={t(lang, relative ? 'ladder.relative' : 'ladder.absolute')} />
      <Text dimColor wrap="truncate">{' '.repeat(9 + 13)}{ends}</Text>
      {rows.length === 0 ? <Text dimColor>{t(lang, 'ladder.empty')}</Text> : null}
      {shown.map((r) => {
        const hinted = marks.has(r.eventSeq);
        return (
          <Text key={r.eventSeq} wrap="truncate">
            {hinted ? <Text color="yellow" bold inverse={marks.get(r.eventSeq)}>{formatSince(r.at, start).padStart(8)}</Text> : <Text dimColor>{formatSince(r.at, start).padStart(8)}</Text>}
            {hinted ? <Text color="yellow" bold>»</Text> : ' '}<Text {...roleProps(r.state ? stateRole(r.state) : null)}>{fit(r.state ?? '', 12)}</Text> <Text {...roleProps(r.role)}>{ladderLine(r, area)}</Text>
          </Text>
        );
      })}
    </Box>
  );
}

export interface DetailProps {
  controller: Controller;
  width: number;
  height: number;
  now: number;
}

export function DetailPane({ controller, width, height, now }: DetailProps): React.ReactElement {
  const { lang, relative } = controller.state;
  const shown = controller.detailRow();
  const row = shown?.row ?? null;
  const history = controller.store.history;
  const events = history !== null && row !== null && history.conn === row.id ? history.events : null;
  const n = events?.length ?? 0;
  const timeline = useMemo(() => buildTimeline(events ?? [], now), [events, n, now]);
  // The timeline and the ladder count from the same moment: the connection's first event.
  const base = useMemo(() => timeBase(events ?? []), [events, n]);
  const ladder = useMemo(() => ladderRows((events ?? []).filter((e): e is SegmentEvent => e.kind === 'segment'), { relative, conn: row }), [events, n, relative, row?.iss, row?.irs]);
  if (row === null) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Title text={t(lang, 'pane.detail')} width={width} />
        <Text dimColor wrap="wrap">{t(lang, 'detail.none')}</Text>
      </Box>
    );
  }
  const timers = timerCountdowns({ row, events: events ?? [], now, snapshotAt: controller.store.snapshot?.at ?? 0, knobs: controller.store.snapshot?.knobs });
  const gauges = bufferGauges(row, controller.store.snapshot?.knobs ?? {});
  const role = stateRole(row.state);
  const sideW = Math.min(44, Math.max(30, Math.floor(width * 0.42)));
  const topH = Math.min(Math.max(timers.length + 4, 9), Math.max(6, Math.floor((height - 1) * 0.5)));
  const buffersRows = topH - timers.length - 2;
  const loading = history?.loading ? ' …' : '';
  const gone = shown?.gone ? ` (${t(lang, 'detail.gone', { id: row.id })})` : '';
  const inState = timeInStateMs(row, { lang, now, snapshotAt: controller.store.snapshot?.at ?? 0 });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text {...roleProps(role)}>{ROLE_STYLES[role].marker} </Text>
        <Text bold>#{row.id} {row.local} ⇄ {row.remote} </Text>
        <Text {...roleProps(role)}>{row.state}</Text>
        {shown?.gone ? null : <Text {...roleProps(role)}> {formatMs(inState)}</Text>}
        {gone === '' ? null : <Text color="red">{gone}</Text>}
        <Text dimColor> {row.responder ?? ''} rto {formatMs(row.rto)} mss {row.mss} cwnd {row.cwnd} wnd {row.sndWnd}/{row.rcvWnd}{loading}</Text>
      </Text>
      <Box width={width} height={topH}>
        <TimelineView entries={timeline.entries} base={base} width={width - sideW - 1} height={topH} lang={lang} />
        <Text> </Text>
        <Box flexDirection="column" width={sideW}>
          <TimersView timers={timers} width={sideW} lang={lang} />
          <BuffersView gauges={gauges} width={sideW} lang={lang} rows={buffersRows} />
        </Box>
      </Box>
      <LadderView rows={ladder} row={row} base={base} marks={controller.hintMarks().segments} width={width} height={Math.max(3, height - topH - 1)} lang={lang} relative={relative} />
    </Box>
  );
}
