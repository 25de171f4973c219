// A guided scenario's hints in the page: what each points at (so the views can mark those rows,
// gauges, counters, knobs, ladder rows and fault rules with the hint's key), and the jump: show
// the view that holds the target, select it and highlight it until another hint is chosen.
import { eventConn } from '../../../core/api/events.ts';
import type { ScenarioHintTarget } from '../../../core/api/snapshot.ts';
import type { HintView } from '../../../core/api/views/scenario.ts';
import { ghostRow } from './ghost-row.ts';
import type { LabStore } from './store.ts';

export interface Mark {
  /** The hint's key ('a' ...). */
  key: string;
  /** This is the target the user jumped to. */
  jump: boolean;
}

export interface FieldMark extends Mark {
  field?: string;
}

export interface HintMarks {
  conns: Map<number, FieldMark>;
  listeners: Map<number, FieldMark>;
  counters: Map<string, Mark>;
  knobs: Map<string, Mark>;
  segments: Map<number, Mark>;
  faults: Map<string, Mark>;
  time: Mark | null;
}

export const NO_MARKS: HintMarks = {
  conns: new Map(), listeners: new Map(), counters: new Map(), knobs: new Map(), segments: new Map(), faults: new Map(), time: null,
};

export function sameTarget(a: ScenarioHintTarget | null, b: ScenarioHintTarget | null): boolean {
  if (a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function hintMarks(hints: readonly HintView[], highlight: ScenarioHintTarget | null): HintMarks {
  const marks: HintMarks = { conns: new Map(), listeners: new Map(), counters: new Map(), knobs: new Map(), segments: new Map(), faults: new Map(), time: null };
  // The jumped-to target stays marked even after the scenario's hints moved on.
  const all = highlight !== null && !hints.some((h) => sameTarget(h.target, highlight))
    ? [...hints, { key: '›', target: highlight, where: '', text: '' }]
    : hints;
  for (const h of all) {
    const x = h.target;
    const jump = sameTarget(x, highlight);
    const m = { key: h.key, jump };
    switch (x.kind) {
      case 'connection': {
        const before = marks.conns.get(x.conn);
        // Several hints on one row: the row keeps the first key, the jump wins the field.
        if (before === undefined || jump) marks.conns.set(x.conn, { ...m, field: x.field, key: before?.key ?? h.key, jump: jump || (before?.jump ?? false) });
        break;
      }
      case 'listener': if (!marks.listeners.has(x.listener) || jump) marks.listeners.set(x.listener, { ...m, field: x.field }); break;
      case 'counter': marks.counters.set(x.name, m); break;
      case 'knob': marks.knobs.set(x.name, m); break;
      case 'segment': marks.segments.set(x.seq, m); break;
      case 'fault': marks.faults.set(x.rule, m); break;
      case 'time': marks.time = m; break;
      default: {
        const never: never = x;
        throw new Error(`unknown hint target ${JSON.stringify(never)}`);
      }
    }
  }
  return marks;
}

/** Class names for an element a hint may point at. */
export function markClass(m: Mark | undefined | null): string {
  if (m === undefined || m === null) return '';
  return m.jump ? 'hinted hint-jump' : 'hinted';
}

/** The connection a segment event belongs to: from the page's events, else from the lab's log. */
async function segmentConn(store: LabStore, seq: number): Promise<number | null> {
  const e = store.findEvent(seq);
  if (e !== null) return eventConn(e);
  const r = await store.call('segmentLog', { since: seq - 1, limit: 1 }, { quiet: true });
  if (!r.ok) return null;
  const s = r.value.segments.find((x) => x.seq === seq);
  return s === undefined ? null : s.conn;
}

/** A connection that came and went between two snapshots: its row rebuilt from its history. */
async function rebuildRow(store: LabStore, conn: number): Promise<boolean> {
  const r = await store.call('connectionHistory', { conn, limit: 200 }, { quiet: true });
  if (!r.ok) return false;
  const row = ghostRow(conn, r.value.events, store.snapshot?.info.labAddr ?? '');
  if (row === null) return false;
  store.goneRows.set(conn, row);
  store.ghosts.add(conn);
  return true;
}

/**
 * Shows what a hint points at: its view, the connection's detail for rows and ladder rows, the
 * element highlighted (and scrolled into view by the app). Says so when the target has gone.
 */
export async function jumpToHint(store: LabStore, h: HintView, say: (text: string) => void): Promise<void> {
  const x = h.target;
  const snap = store.snapshot;
  const go = (patch: Partial<LabStore['ui']>): void => store.setUi({ highlight: x, jumpSeq: store.ui.jumpSeq + 1, ...patch });
  switch (x.kind) {
    case 'connection':
    case 'segment': {
      const conn = x.kind === 'connection' ? x.conn : await segmentConn(store, x.seq);
      if (conn === null || (store.rowOf(conn) === null && !(await rebuildRow(store, conn)))) {
        say(h.where);
        return;
      }
      go({ view: 'connections', selected: conn });
      return;
    }
    case 'listener':
      if (!(snap?.listeners.some((l) => l.id === x.listener) ?? false)) return say(h.where);
      go({ view: 'listeners' });
      return;
    case 'counter':
      go({ view: 'counters' });
      return;
    case 'knob':
      go({ view: 'knobs' });
      return;
    case 'fault':
      if (!(snap?.faults.rules.some((r) => r.rule.id === x.rule) ?? false)) return say(h.where);
      go({ view: 'faults' });
      return;
    case 'time':
      go({});
      return;
    default: {
      const never: never = x;
      throw new Error(`unknown hint target ${JSON.stringify(never)}`);
    }
  }
}
