// A connection's state timeline from its state events: each state with its entry time, how long
// it lasted (or has lasted, for the current one), and what caused the transition into it
// (a segment, a timer, a user call, or the lab).
import type { LabEvent, SegmentSummary, StateEvent } from '../events.ts';
import { TCP_STATES, type TcpState } from '../names.ts';
import { stateRole, type StateRole } from './state-roles.ts';

export type CauseKind = 'segment' | 'timer' | 'user' | 'other';

export interface TimelineEntry {
  state: TcpState;
  role: StateRole;
  from: TcpState;
  /** Lab time of the transition into `state`, ms. */
  enteredAt: number;
  /** Lab time it left `state`; null while it is the current state. */
  leftAt: number | null;
  /** (leftAt ?? now) - enteredAt. */
  durationMs: number;
  current: boolean;
  cause: string;               // as the lab says it: 'rcv SYN-ACK', 'user close', 'timer TIME-WAIT'
  causeKind: CauseKind;
  /** The segment that caused it, when one did: flags and its tcpdump line. */
  segment: SegmentSummary | null;
  /** The event's seq (to link to the ladder and the trace). */
  eventSeq: number;
}

export interface TimelineSpan {
  from: number;
  to: number;                  // `now` for the current state
  entry: number;               // index into entries
}

/** One lane per state that occurred, in RFC order: a Gantt chart. */
export interface TimelineLane {
  state: TcpState;
  role: StateRole;
  spans: TimelineSpan[];
  totalMs: number;
}

export interface Timeline {
  entries: TimelineEntry[];    // chronological
  lanes: TimelineLane[];
  start: number;               // first entry time (or now when there is none)
  end: number;                 // now
}

export function causeKind(e: StateEvent): CauseKind {
  if (e.segment !== undefined) return 'segment';
  const c = e.cause.toLowerCase();
  if (c.startsWith('timer') || c.includes('timeout') || c.includes('expired')) return 'timer';
  if (c.startsWith('user') || c.startsWith('app')) return 'user';
  if (c.startsWith('rcv') || c.startsWith('recv') || c.startsWith('snd') || c.startsWith('send')) return 'segment';
  return 'other';
}

/**
 * The timeline of one connection. `events` may hold any events (others are ignored) in any
 * order; `now` is the lab time the current state's duration runs to.
 */
export function buildTimeline(events: readonly LabEvent[], now: number): Timeline {
  const states = events.filter((e): e is StateEvent => e.kind === 'state').sort((a, b) => a.seq - b.seq);
  const entries: TimelineEntry[] = states.map((e, i) => {
    const next = states[i + 1];
    const leftAt = next === undefined ? null : next.at;
    return {
      state: e.to,
      role: stateRole(e.to),
      from: e.from,
      enteredAt: e.at,
      leftAt,
      durationMs: Math.max(0, (leftAt ?? now) - e.at),
      current: next === undefined,
      cause: e.cause,
      causeKind: causeKind(e),
      segment: e.segment ?? null,
      eventSeq: e.seq,
    };
  });
  const lanes: TimelineLane[] = [];
  for (const state of TCP_STATES) {
    const spans: TimelineSpan[] = [];
    entries.forEach((en, i) => {
      if (en.state === state) spans.push({ from: en.enteredAt, to: en.leftAt ?? now, entry: i });
    });
    if (spans.length > 0) {
      lanes.push({ state, role: stateRole(state), spans, totalMs: spans.reduce((s, x) => s + (x.to - x.from), 0) });
    }
  }
  return { entries, lanes, start: entries[0]?.enteredAt ?? now, end: now };
}

/**
 * The time a connection's times are counted from: its first event (the timeline and the
 * ladder both show `+seconds` from here, so their times can be compared line by line).
 */
export function timeBase(events: readonly LabEvent[]): number | null {
  let base: number | null = null;
  for (const e of events) if (base === null || e.at < base) base = e.at;
  return base;
}

/** '+1.234' seconds after `base`. */
export function formatSince(at: number, base: number): string {
  return `+${((at - base) / 1000).toFixed(3)}`;
}
