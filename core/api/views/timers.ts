// A connection's timers with the time left: retransmit, delayed ACK, keepalive, persist,
// TIME-WAIT (and FIN-WAIT-2, SYN-ACK when they run). Built from the connection's timer events
// (set / fire / cancel with deadlines) and the snapshot's ss-style running timer.
import type { LabEvent, TimerEvent } from '../events.ts';
import type { TcpState, TimerName } from '../names.ts';
import type { ConnectionRow } from '../snapshot.ts';
import type { StringKey } from './i18n.ts';
import { formatMs } from './format.ts';

export interface TimerCountdown {
  name: TimerName;
  label: StringKey;
  running: boolean;
  /** Lab time it fires, ms; null when off. */
  deadline: number | null;
  /** deadline - now (negative when overdue); null when off. */
  leftMs: number | null;
  retries: number;
  /** '1.2s'; '0ms' when overdue (see `overdue`); '' when off. */
  text: string;
  /** Its deadline has passed but no fire event has come yet. */
  overdue: boolean;
  /** The last thing that happened to it: 'set', 'fire', 'cancel', or null. */
  last: TimerEvent['action'] | null;
}

/** Always listed, in this order (the five). */
export const MAIN_TIMERS: readonly TimerName[] = ['retransmit', 'delack', 'keepalive', 'persist', 'time-wait'];
/** Listed only while they run. */
export const EXTRA_TIMERS: readonly TimerName[] = ['fin-wait-2', 'syn-ack'];

interface Track {
  deadline: number | null;
  last: TimerEvent['action'] | null;
  lastAt: number;
}

function fromEvents(events: readonly LabEvent[], conn: number): Map<TimerName, Track> {
  const out = new Map<TimerName, Track>();
  const timers = events.filter((e): e is TimerEvent => e.kind === 'timer' && e.conn === conn).sort((a, b) => a.seq - b.seq);
  for (const e of timers) {
    out.set(e.timer, { deadline: e.action === 'set' ? (e.deadline ?? null) : null, last: e.action, lastAt: e.at });
  }
  return out;
}

function lastEntry(events: readonly LabEvent[], conn: number, state: TcpState): number | null {
  let at: number | null = null;
  let seq = -1;
  for (const e of events) {
    if (e.kind === 'state' && e.conn === conn && e.to === state && e.seq > seq) {
      seq = e.seq;
      at = e.at;
    }
  }
  return at;
}

export interface TimerInputs {
  row: ConnectionRow;
  /** The connection's history (any events; others are ignored). */
  events: readonly LabEvent[];
  now: number;
  snapshotAt: number;
  /** For the TIME-WAIT fallback (2 * msl seconds after entering TIME-WAIT). */
  knobs?: Record<string, number | string>;
}

export function timerCountdowns(inp: TimerInputs): TimerCountdown[] {
  const { row, now, snapshotAt } = inp;
  const tracks = fromEvents(inp.events, row.id);
  // The snapshot's running timer is authoritative as of snapshotAt, unless an event came later.
  if (row.timer !== null) {
    const t = tracks.get(row.timer.name);
    if (t === undefined || t.lastAt <= snapshotAt) {
      tracks.set(row.timer.name, { deadline: row.timer.deadline, last: t?.last ?? 'set', lastAt: snapshotAt });
    }
  }
  // Without timer events, TIME-WAIT still shows its 2*MSL countdown from the state event.
  if (row.state === 'TIME-WAIT' && tracks.get('time-wait')?.deadline == null) {
    const msl = inp.knobs?.msl;
    const entered = lastEntry(inp.events, row.id, 'TIME-WAIT');
    if (typeof msl === 'number' && entered !== null) tracks.set('time-wait', { deadline: entered + 2 * msl * 1000, last: 'set', lastAt: entered });
  }
  const names = [...MAIN_TIMERS, ...EXTRA_TIMERS.filter((n) => tracks.get(n)?.deadline != null)];
  return names.map((name) => {
    const t = tracks.get(name);
    const deadline = t?.deadline ?? null;
    const leftMs = deadline === null ? null : deadline - now;
    const retries = name === 'retransmit' && deadline !== null ? row.retransmits : 0;
    return {
      name,
      label: `timer.${name}` as StringKey,
      running: deadline !== null,
      deadline,
      leftMs,
      retries,
      text: leftMs === null ? '' : formatMs(Math.max(0, leftMs)),
      overdue: leftMs !== null && leftMs <= 0,
      last: t?.last ?? null,
    };
  });
}
