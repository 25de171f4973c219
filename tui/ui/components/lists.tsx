// The list views: counters (netstat -s groups with deltas), knobs, trace, faults and pcap.
import React from 'react';
import { Box, Text } from 'ink';
import { fit, formatBytes, formatCount, formatDelta, textWidth, truncate } from '../../../core/api/views/format.ts';
import { t, type Lang } from '../../../core/api/views/i18n.ts';
import { traceLine } from '../../../core/api/views/trace.ts';
import type { Controller } from '../controller.ts';
import { describeRule } from '../fault-input.ts';
import { roleProps, Title } from './style.tsx';

interface ViewProps {
  controller: Controller;
  width: number;
  height: number;
}

type CounterLine = { kind: 'group'; id: string } | { kind: 'row'; name: string; value: number; delta: number; doc: string };

export function CountersView({ controller, width, height }: ViewProps): React.ReactElement {
  const { lang } = controller.state;
  const lines: CounterLine[] = [];
  for (const g of controller.counterGroups()) {
    lines.push({ kind: 'group', id: g.id });
    for (const r of g.rows) lines.push({ kind: 'row', name: r.name, value: r.value, delta: r.delta, doc: r.doc?.[lang] ?? '' });
  }
  // Two columns of counters on wide terminals.
  const columns = width >= 150 ? 2 : 1;
  const colW = Math.floor((width - (columns - 1) * 2) / columns);
  const bodyH = Math.max(1, height - 1);
  controller.pageSize.counters = bodyH;
  const win = controller.window('counters', lines.length, bodyH * columns);
  const shown = lines.slice(win.start, win.end);
  const nameW = 22;
  const marks = controller.hintMarks().counters;
  const render = (l: CounterLine, i: number): React.ReactNode => l.kind === 'group'
    ? <Text key={`g${l.id}${i}`} bold inverse={win.start + i === win.cursor} wrap="truncate">{fit(t(lang, `group.${l.id}` as 'group.Tcp'), colW)}</Text>
    : (
      <Text key={l.name} wrap="truncate" inverse={win.start + i === win.cursor}>
        {marks.has(l.name) ? <Text color="yellow" bold>» {fit(l.name, nameW)}</Text> : `  ${fit(l.name, nameW)}`} {fit(formatCount(l.value), 12, 'right')} <Text color={l.delta > 0 ? 'green' : l.delta < 0 ? 'red' : undefined} bold={l.delta !== 0}>{fit(formatDelta(l.delta), 8, 'right')}</Text>
        <Text dimColor> {truncate(l.doc, Math.max(0, colW - nameW - 26))}</Text>
      </Text>
    );
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.counters')} width={width} right={t(lang, 'counters.since')} />
      {lines.length === 0 ? <Text dimColor>{t(lang, 'counters.empty')}</Text> : null}
      <Box width={width}>
        {Array.from({ length: columns }, (_, c) => (
          <Box key={c} flexDirection="column" width={colW} marginRight={c < columns - 1 ? 2 : 0}>
            {shown.slice(c * bodyH, (c + 1) * bodyH).map((l, i) => render(l, c * bodyH + i))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

export function KnobsView({ controller, width, height }: ViewProps): React.ReactElement {
  const { lang } = controller.state;
  const knobs = controller.knobs();
  const bodyH = Math.max(1, height - 4);
  controller.pageSize.knobs = bodyH;
  const win = controller.window('knobs', knobs.length, bodyH);
  const nameW = Math.min(24, Math.max(10, ...knobs.map((k) => k.name.length)));
  const valW = 14;
  const rangeW = width >= 120 ? 18 : 12;
  const docW = Math.max(0, width - nameW - valW - rangeW - 6);
  const sel = knobs[win.cursor];
  const marks = controller.hintMarks().knobs;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.knobs')} width={width} right={String(knobs.length)} />
      {knobs.length === 0 ? <Text dimColor>{t(lang, 'knobs.empty')}</Text> : null}
      {knobs.slice(win.start, win.end).map((k, i) => (
        <Text key={k.name} wrap="truncate" inverse={win.start + i === win.cursor}>
          {k.changed ? <Text color="yellow">*</Text> : ' '}{marks.has(k.name) ? <Text color="yellow" bold>»</Text> : ' '}<Text {...(marks.has(k.name) ? { color: 'yellow', bold: true } : {})}>{fit(k.name, nameW)}</Text> <Text bold={k.changed}>{fit(k.valueText, valW)}</Text> <Text dimColor>{fit(k.range, rangeW)} {truncate(k.doc, docW)}</Text>
        </Text>
      ))}
      {sel === undefined ? null : (
        <Box flexDirection="column" marginTop={1} width={width}>
          <Text wrap="truncate">
            <Text bold>{sel.name}</Text>{sel.linuxName ? <Text dimColor> ({sel.linuxName})</Text> : null} = <Text bold>{sel.valueText}</Text>
            <Text dimColor>  {t(lang, 'knob.default', { value: sel.defaultText })}{sel.range ? `  ${t(lang, 'knob.range', { range: sel.range })}` : ''}</Text>
          </Text>
          <Text wrap="truncate" dimColor>{sel.doc}</Text>
        </Box>
      )}
    </Box>
  );
}

export function TracePane({ controller, width, height, lang }: ViewProps & { lang: Lang }): React.ReactElement {
  const bodyH = Math.max(1, height - 1);
  controller.pageSize.trace = bodyH;
  const events = controller.traceEvents(bodyH);
  const marks = controller.hintMarks().segments;
  const timeW = Math.max(7, ...events.map((e) => textWidth(traceLine(e).time)));
  const { traceFrozen, traceConnOnly, selectedConn, scroll } = controller.state;
  const flags = [
    traceFrozen !== null ? t(lang, 'trace.paused') : '',
    traceConnOnly && selectedConn !== null ? `#${selectedConn}` : '',
    scroll.trace > 0 ? `↑${scroll.trace}` : '',
    controller.store.missed > 0 ? t(lang, 'app.missed', { n: controller.store.missed }) : '',
  ].filter(Boolean).join(' · ');
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.trace')} width={width} right={flags} />
      {events.length === 0 ? <Text dimColor>{t(lang, 'trace.empty')}</Text> : null}
      {events.map((e) => {
        const l = traceLine(e);
        return (
          <Text key={e.seq} wrap="truncate">
            <Text dimColor>{l.time.padStart(timeW)}</Text>{marks.has(e.seq) ? <Text color="yellow" bold>»</Text> : ' '}<Text {...roleProps(l.role)}>{fit(l.tag, 6)}</Text> {truncate(l.text, Math.max(0, width - timeW - 8))}
          </Text>
        );
      })}
    </Box>
  );
}

export function FaultsView({ controller, width, height }: ViewProps): React.ReactElement {
  const { lang } = controller.state;
  const snap = controller.store.snapshot;
  const rules = controller.faultRules();
  const bodyH = Math.max(1, height - 6);
  controller.pageSize.faults = bodyH;
  const win = controller.window('faults', rules.length, bodyH);
  const f = snap?.faults;
  const pcap = snap?.pcap;
  const marks = controller.hintMarks().faults;
  const counts = f ? Object.entries(f.counts).map(([k, v]) => `${k} ${v}`).join('  ') : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.faults')} width={width} right={String(rules.length)} />
      {rules.length === 0 ? <Text dimColor>  {t(lang, 'faults.none')}</Text> : null}
      {rules.slice(win.start, win.end).map((r, i) => (
        <Text key={r.rule.id ?? i} wrap="truncate" inverse={win.start + i === win.cursor}>
          <Text color="yellow">▲</Text>{marks.has(r.rule.id ?? '') ? <Text color="yellow" bold>»</Text> : ' '}{fit(r.rule.id ?? '', 10)} {fit(describeRule(r.rule), Math.max(10, width - 40))} <Text dimColor>matched {r.matched} fired {r.fired}</Text>
        </Text>
      ))}
      <Box flexDirection="column" marginTop={1} width={width}>
        {f?.random ? <Text wrap="truncate" color="yellow">{t(lang, 'faults.random', { spec: JSON.stringify(f.random) })}</Text> : null}
        <Text wrap="truncate" dimColor>{counts}{f && f.held > 0 ? `  held ${f.held}` : ''}</Text>
        <Text wrap="truncate" {...(pcap?.running ? { color: 'red', bold: true } : { dimColor: true })}>
          {pcap?.running ? `● ${t(lang, 'pcap.on', { packets: pcap.packets, bytes: formatBytes(pcap.bytes) })}` : `○ ${t(lang, 'pcap.off')}`}
        </Text>
      </Box>
    </Box>
  );
}
