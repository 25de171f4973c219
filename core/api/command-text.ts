// Plain-text output of the command language (the `tcplab` subcommands; a console may use it
// too): tables and lists built from the shared view models in core/api/views, so the command
// line shows the same columns, names and texts as the TUI and the GUI. Pure: strings out.
import type { CallLine } from './command-specs.ts';
import type { KnobInfo, ResultOf, ScenarioInfo } from './contract.ts';
import type { FaultStatus } from './fault-schemas.ts';
import type { LabEvent } from './events.ts';
import type { Snapshot, TimeStatus } from './snapshot.ts';
import type { ColumnDef, ViewContext } from './views/columns.ts';
import { pickColumns } from './views/columns.ts';
import { counterGroups, type CounterGroupOptions } from './views/counters.ts';
import { filterConnections, parseFilter } from './views/filter.ts';
import { fit, formatCount, formatDelta, textWidth } from './views/format.ts';
import { listenerViews, type ListenerView } from './views/gauges.ts';
import { t, local, type Lang } from './views/i18n.ts';
import { knobRows } from './views/knobs.ts';
import { LISTENER_COLUMNS } from './views/listeners.ts';
import { CONNECTION_COLUMNS, DEFAULT_CONNECTION_COLUMN_IDS } from './views/netstat.ts';
import { traceLine, traceText } from './views/trace.ts';

const GAP = '  ';

/** Rows under a header, every column as wide as its widest cell (nothing cut: a pipe has no width). */
export function textTable<R>(columns: readonly ColumnDef<R>[], rows: readonly R[], ctx: ViewContext): string[] {
  const header = columns.map((c) => local(ctx.lang, c.header));
  const cells = rows.map((r) => columns.map((c) => c.format(r, ctx)));
  const widths = columns.map((_, i) => Math.max(textWidth(header[i]), ...cells.map((row) => textWidth(row[i]))));
  const line = (row: string[]): string => row.map((cell, i) => fit(cell, widths[i], i === row.length - 1 ? 'left' : columns[i].align)).join(GAP).trimEnd();
  return [line(header), ...cells.map(line)];
}

/** The connection columns `ss` shows: the id first (commands take it), then the UIs' netstat set. */
export const SS_COLUMN_IDS = ['id', ...DEFAULT_CONNECTION_COLUMN_IDS] as const;
/** `ss -i` adds the tcp_info-like columns. */
export const SS_INFO_COLUMN_IDS = [...SS_COLUMN_IDS, 'rto', 'retrans', 'mss', 'ssthresh', 'wscale', 'sndWnd', 'rcvWnd', 'sndUna', 'sndNxt', 'rcvNxt', 'iss', 'irs', 'responder'] as const;

const LISTENER_ID_COLUMN: ColumnDef<ListenerView> = {
  id: 'id', header: { en: '#', zh: '#' }, doc: { en: 'Listener id in the lab', zh: '实验中的监听编号' },
  width: 3, minWidth: 2, align: 'right', priority: 0, format: (l) => String(l.id), sortValue: (l) => l.id,
};

export interface SsOptions {
  info: boolean;
  listening: boolean;
  all: boolean;
  filter: string;
}

export type TextResult = { ok: true; lines: string[] } | { ok: false; error: string };

/** `ss`: connections (filtered), listeners with -l, both with -a. */
export function ssText(s: Snapshot, opts: SsOptions, ctx: ViewContext): TextResult {
  const parsed = parseFilter(opts.filter);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const lines: string[] = [];
  if (opts.listening || opts.all) {
    lines.push(...textTable([LISTENER_ID_COLUMN, ...LISTENER_COLUMNS], listenerViews(s.listeners), ctx));
    if (s.listeners.length === 0) lines.push(t(ctx.lang, 'listeners.empty').replace(/ \(.*\)$/, ''));
  }
  if (!opts.listening) {
    if (lines.length > 0) lines.push('');
    const rows = filterConnections([...s.connections].sort((a, b) => a.id - b.id), parsed.filter);
    const columns = pickColumns(CONNECTION_COLUMNS, opts.info ? SS_INFO_COLUMN_IDS : SS_COLUMN_IDS);
    lines.push(...textTable(columns, rows, ctx));
  }
  return { ok: true, lines };
}

/** `knobs`: name, value, default, range, Linux name and meaning; `*` marks a changed knob. */
export function knobsText(knobs: readonly KnobInfo[], current: Record<string, number | string>, match: string | null): string[] {
  const rows = knobRows(knobs, current).filter((k) => match === null || k.name.includes(match) || k.linuxName.includes(match));
  if (rows.length === 0) return [match === null ? 'no knobs' : `no knob matches '${match}'`];
  const table = [['Knob', 'Value', 'Default', 'Range', 'Linux', 'Meaning'], ...rows.map((k) => [
    `${k.changed ? '*' : ' '}${k.name}`, k.valueText, k.defaultText, k.range, k.linuxName, k.doc,
  ])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => textWidth(r[i]))));
  return table.map((r) => r.map((c, i) => fit(c, widths[i])).join(GAP).trimEnd());
}

/** `counters`: netstat -s style groups; with deltas, a +N column; names are Linux's. */
export function countersText(counters: Record<string, number>, deltas: Record<string, number> | null, opts: CounterGroupOptions, lang: Lang): string[] {
  const groups = counterGroups(counters, deltas ?? {}, opts);
  if (groups.length === 0) return ['no counters'];
  const rows = groups.flatMap((g) => g.rows);
  const nameW = Math.max(...rows.map((r) => r.name.length));
  const valueW = Math.max(...rows.map((r) => formatCount(r.value).length));
  const deltaW = deltas === null ? 0 : Math.max(1, ...rows.map((r) => formatDelta(r.delta).length));
  const out: string[] = [];
  for (const g of groups) {
    out.push(`${g.id}:`);
    for (const r of g.rows) {
      const delta = deltas === null ? '' : `${GAP}${formatDelta(r.delta).padStart(deltaW)}`;
      const doc = r.doc === null ? '' : `${GAP}${local(lang, r.doc)}`;
      out.push(`    ${r.name.padEnd(nameW)}${GAP}${formatCount(r.value).padStart(valueW)}${delta}${doc}`.trimEnd());
    }
  }
  return out;
}

/** `counters --deltas`: only what moved, one line each, under the lab time. */
export function deltaLines(at: number, deltas: Record<string, number>): string[] {
  const names = Object.keys(deltas).sort();
  const head = `-- ${(at / 1000).toFixed(3)} s`;
  if (names.length === 0) return [`${head}: nothing moved`];
  const w = Math.max(...names.map((n) => n.length));
  return [head, ...names.map((n) => `    ${n.padEnd(w)}${GAP}${formatDelta(deltas[n])}`)];
}

function actionText(a: unknown): string {
  if (typeof a === 'string') return a;
  const o = a as Record<string, unknown>;
  return Object.entries(o).filter(([k]) => k !== 'type').reduce((s, [k, v]) => `${s} ${k}=${String(v)}`, String(o.type));
}

/** `fault ls`: each rule in the command line's own syntax, with how often it matched and fired. */
export function faultsText(f: FaultStatus, lang: Lang): string[] {
  const out: string[] = [];
  if (f.rules.length === 0) out.push(t(lang, 'faults.none'));
  for (const r of f.rules) {
    const { id, action, ...match } = r.rule;
    const words = Object.entries(match).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
    out.push(`${id ?? '-'}  ${[...words, actionText(action)].join(' ')}  (matched ${r.matched}, fired ${r.fired})`);
  }
  if (f.random !== null) {
    const { delay, ...rest } = f.random;
    const words = Object.entries(rest).map(([k, v]) => `${k}=${String(v)}`);
    if (delay !== undefined) words.push(`delay=${delay.probability}`, `delay-ms=${delay.ms}`, ...(delay.jitterMs !== undefined ? [`jitter-ms=${delay.jitterMs}`] : []));
    out.push(t(lang, 'faults.random', { spec: words.join(' ') }));
  }
  const c = f.counts;
  out.push(`held ${f.held}; dropped ${c.dropped}, delayed ${c.delayed}, duplicated ${c.duplicated}, corrupted ${c.corrupted}, reordered ${c.reordered}`);
  return out;
}

/** `scenario ls`: name and title; the running one marked. */
export function scenariosText(list: readonly ScenarioInfo[], status: Snapshot['scenario']): string[] {
  if (list.length === 0) return ['no scenarios are installed'];
  const w = Math.max(...list.map((s) => s.name.length));
  const out = list.map((s) => `${status?.running && status.name === s.name ? '*' : ' '} ${s.name.padEnd(w)}  ${s.title}`);
  if (status !== null) out.push('', `${status.name}: ${status.running ? 'running' : 'finished'}, ${status.step}`);
  return out;
}

/** `time`: what is in force for the lab side's clock, said plainly, and the packets held. */
export function timeText(s: TimeStatus): string[] {
  const out: string[] = [];
  if (s.paused) {
    out.push(`lab time: PAUSED${s.slowMotionMs !== null ? `, slow motion (one step every ${s.slowMotionMs} ms)` : ''}; ${s.held} packet${s.held === 1 ? '' : 's'} from the wire held` +
      `${s.droppedAtGate ? ` (${s.droppedAtGate} dropped: the gate was full)` : ''}; the kernel runs on in real time`);
    for (const p of s.next) out.push(`  held: ${p.text}`);
    if (s.held > s.next.length) out.push(`  ... ${s.held - s.next.length} more`);
  } else if (s.scale !== 1) {
    out.push(`lab time: x${s.scale} (the lab's timers only; the kernel runs in real time)`);
  } else {
    out.push('lab time: real time');
  }
  if (s.nextTimerIn !== null) out.push(`next lab timer in ${s.nextTimerIn.toFixed(s.nextTimerIn < 10 ? 1 : 0)} ms (lab time)`);
  return out;
}

/** Events as trace lines (`trace`, `history`). */
export function eventLines(events: readonly LabEvent[]): string[] {
  return events.map((e) => traceText(traceLine(e)));
}

/** What a command's call answered, in one line or a few (the tables above for list-like ones). */
export function resultText(line: CallLine, value: unknown, lang: Lang): string[] {
  const a = line.args;
  switch (line.method) {
    case 'listen': {
      const v = value as ResultOf<'listen'>;
      return [t(lang, 'result.listening', { port: v.port, responder: String(a.responder ?? 'echo'), listener: v.listener })];
    }
    case 'unlisten': return [t(lang, 'result.unlistened', { listener: Number(a.listener) })];
    case 'connect': {
      const v = value as ResultOf<'connect'>;
      return [t(lang, 'result.connecting', { addr: String(a.addr), port: Number(a.port), conn: v.conn })];
    }
    case 'send': return [t(lang, 'result.sent', { n: (value as ResultOf<'send'>).written, conn: Number(a.conn) })];
    case 'shutdown': return [t(lang, 'result.shutdown', { conn: Number(a.conn) })];
    case 'close': return [t(lang, 'result.closed', { conn: Number(a.conn) })];
    case 'reset': return [t(lang, 'result.reset', { conn: Number(a.conn) })];
    case 'accept': {
      const v = value as ResultOf<'accept'>;
      return [v.conn === null ? `listener ${String(a.listener)}: the accept queue is empty` : `accepted connection ${v.conn} from listener ${String(a.listener)}`];
    }
    case 'pauseAccept': return [t(lang, 'result.paused', { listener: Number(a.listener) })];
    case 'resumeAccept': return [t(lang, 'result.resumed', { listener: Number(a.listener) })];
    case 'setKnob': {
      const v = value as ResultOf<'setKnob'>;
      return [t(lang, 'result.knob', { name: v.name, value: v.value })];
    }
    case 'faultAdd': return [t(lang, 'result.faultAdded', { id: (value as ResultOf<'faultAdd'>).id })];
    case 'faultRemove': return [t(lang, 'result.faultRemoved', { id: String(a.id) })];
    case 'faultRandom': return [a.random === null ? 'random faults off' : 'random faults on'];
    case 'faultList': return faultsText(value as FaultStatus, lang);
    case 'pcapStart': return [t(lang, 'result.pcapStarted')];
    case 'pcapStop': {
      const v = value as ResultOf<'pcapStop'>;
      return [t(lang, 'result.pcapStopped', { packets: v.packets, bytes: v.bytes })];
    }
    case 'pcapExport': {
      const v = value as ResultOf<'pcapExport'>;
      return [`${v.packets} packets, ${formatCount(v.bytes)} bytes${line.save ? ` saved to ${line.save}` : ''}`];
    }
    case 'scenarioList': return scenariosText((value as ResultOf<'scenarioList'>).scenarios, null);
    case 'scenarioRun': return [`scenario ${String(a.name)} started`];
    case 'scenarioStop': return ['scenario stopped'];
    case 'clearHistory': return [t(lang, 'result.historyCleared')];
    case 'timeControl': return timeText(value as ResultOf<'timeControl'>);
    case 'timeStep': {
      const v = value as ResultOf<'timeStep'>;
      return [`${v.stepped} step${v.stepped === 1 ? '' : 's'}`, ...timeText(v)];
    }
    case 'connectionHistory': {
      const v = value as ResultOf<'connectionHistory'>;
      return v.events.length === 0 ? [`no events kept for connection ${v.conn}`] : eventLines(v.events);
    }
    case 'getKnobs': return knobsText((value as ResultOf<'getKnobs'>).knobs, {}, null);
    case 'snapshot':
    case 'segmentLog':
    case 'counterDeltas':
      return [JSON.stringify(value)];
    default: {
      const never: never = line.method;
      return [String(never)];
    }
  }
}
