// Scenario hints in the TUI: what each view marks (the targets of the current hints, and the one
// the user jumped to), and where a hint's key takes the user. Pure functions over the lab's data;
// the controller applies the result.
import { eventConn, type LabEvent } from '../../core/api/events.ts';
import type { ConnectionRow, ScenarioHint, ScenarioHintTarget } from '../../core/api/snapshot.ts';
import type { CounterGroupView } from '../../core/api/views/counters.ts';
import type { ListenerView } from '../../core/api/views/gauges.ts';
import type { KnobRowView } from '../../core/api/views/knobs.ts';

/** Scenario hint targets by kind: the value says whether it is the one the user jumped to. */
export interface HintMarks {
  conns: Map<number, { field?: string; jump: boolean }>;
  listeners: Map<number, { field?: string; jump: boolean }>;
  counters: Map<string, boolean>;
  knobs: Map<string, boolean>;
  segments: Map<number, boolean>;
  faults: Map<string, boolean>;
}

export function sameTarget(a: ScenarioHintTarget | null, b: ScenarioHintTarget | null): boolean {
  return a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}

export function hintMarks(hints: readonly ScenarioHint[], highlight: ScenarioHintTarget | null): HintMarks {
  const marks: HintMarks = { conns: new Map(), listeners: new Map(), counters: new Map(), knobs: new Map(), segments: new Map(), faults: new Map() };
  for (const h of hints) {
    const x = h.target;
    const jump = sameTarget(x, highlight);
    switch (x.kind) {
      case 'connection': marks.conns.set(x.conn, { field: x.field, jump: jump || (marks.conns.get(x.conn)?.jump ?? false) }); break;
      case 'listener': marks.listeners.set(x.listener, { field: x.field, jump }); break;
      case 'counter': marks.counters.set(x.name, jump); break;
      case 'knob': marks.knobs.set(x.name, jump); break;
      case 'segment': marks.segments.set(x.seq, jump); break;
      case 'fault': marks.faults.set(x.rule, jump); break;
      case 'time': break;
      default: {
        const never: never = x;
        throw new Error(`unknown hint target ${JSON.stringify(never)}`);
      }
    }
  }
  return marks;
}

/** Where a hint takes the user. */
export type HintJump =
  | { kind: 'list'; view: 'listeners' | 'counters' | 'knobs' | 'faults'; index: number }
  /** The connection's row (`detail`: its detail, for a segment); `clearFilter` when the filter hides it. */
  | { kind: 'connection'; conn: number; detail: boolean; clearFilter: boolean }
  /** A connection that has gone: its events in the trace. */
  | { kind: 'trace'; conn: number }
  | { kind: 'stay' }
  | { kind: 'gone' };

/** What a hint can point at, as the TUI has it. */
export interface HintWorld {
  connections: readonly ConnectionRow[];
  /** The table's rows (filtered). */
  shown: readonly ConnectionRow[];
  listeners: readonly ListenerView[];
  counterGroups: readonly CounterGroupView[];
  knobs: readonly KnobRowView[];
  faultIds: readonly (string | undefined)[];
  findEvent(seq: number): LabEvent | null;
}

/** The line of a counter in the counters view (a group title, then its rows), or -1. */
export function counterLine(groups: readonly CounterGroupView[], name: string): number {
  let index = 0;
  for (const g of groups) {
    index++;
    const j = g.rows.findIndex((r) => r.name === name);
    if (j >= 0) return index + j;
    index += g.rows.length;
  }
  return -1;
}

export function resolveHint(target: ScenarioHintTarget, w: HintWorld): HintJump {
  const list = (view: 'listeners' | 'counters' | 'knobs' | 'faults', index: number): HintJump =>
    (index < 0 ? { kind: 'gone' } : { kind: 'list', view, index });
  switch (target.kind) {
    case 'connection':
    case 'segment': {
      let conn: number | null = target.kind === 'connection' ? target.conn : null;
      if (target.kind === 'segment') {
        const e = w.findEvent(target.seq);
        conn = e === null ? null : eventConn(e);
      }
      if (conn === null) return { kind: 'gone' };
      if (!w.connections.some((r) => r.id === conn)) return { kind: 'trace', conn };
      return { kind: 'connection', conn, detail: target.kind === 'segment', clearFilter: !w.shown.some((r) => r.id === conn) };
    }
    case 'listener': return list('listeners', w.listeners.findIndex((l) => l.id === target.listener));
    case 'counter': return list('counters', counterLine(w.counterGroups, target.name));
    case 'knob': return list('knobs', w.knobs.findIndex((k) => k.name === target.name));
    case 'fault': return list('faults', w.faultIds.indexOf(target.rule));
    case 'time': return { kind: 'stay' };
    default: {
      const never: never = target;
      throw new Error(`unknown hint target ${JSON.stringify(never)}`);
    }
  }
}
