// A replay: a LabBackend that serves a recorded session (log.ts) without a TUN or a stack, so
// LabServer, every transport and every UI work on it unchanged. Reads come from the log alone:
// snapshots from the recorded snapshot stream, connection histories, segment logs and counter
// deltas from the recorded events, knobs, scenarios and the pcap as recorded. Commands are
// refused (a replay only shows what happened).
//
// Two ways to look at it: review (the default) shows the session as it ended, with its whole
// history; play() runs it again from the start at a chosen speed, delivering the events and
// snapshots as they happened, and can be paused and stepped event by event.
import type { LabBackend, LabHandlers } from '../api/backend.ts';
import { ApiFailure, noSuchConnection } from '../api/errors.ts';
import { eventConn, type LabEvent, type SegmentEvent } from '../api/events.ts';
import { applySnapshotMessage } from '../api/snapshot-diff.ts';
import type { LabInfo, ReplayInfo as ApiReplayInfo, Snapshot, TimeStatus } from '../api/snapshot.ts';
import type { SessionLog } from './log.ts';

/** What a UI should say about a replay (snapshot info.replay; every field set here). */
export type ReplayInfo = Required<ApiReplayInfo>;

export interface ReplayOptions {
  /** Shown in texts and info.replay (default 'session'). */
  file?: string;
  pcap?: Uint8Array | null;
  /** Real clock for playback (tests pass their own). */
  now?: () => number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (h: unknown) => void;
}

const TICK_MS = 50;

function emptyPcap(): Uint8Array {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(262144, 16);
  b.writeUInt32LE(101, 20);
  return b;
}

export class ReplayLab implements LabBackend {
  readonly log: SessionLog;
  private readonly frames: Snapshot[] = [];
  private readonly file: string;
  private readonly pcap: Uint8Array;
  private readonly subscribers = new Set<(e: LabEvent) => void>();
  /** Events up to this index (exclusive) have happened. */
  private cursor: number;
  /** Lab time the replay stands at. */
  private at: number;
  private speed = 1;
  private timer: unknown = null;
  private lastReal = 0;
  private readonly now: () => number;
  private readonly setIntervalFn: (fn: () => void, ms: number) => unknown;
  private readonly clearIntervalFn: (h: unknown) => void;

  constructor(log: SessionLog, opts: ReplayOptions = {}) {
    this.log = log;
    this.file = opts.file ?? 'session';
    this.pcap = opts.pcap ?? emptyPcap();
    this.now = opts.now ?? (() => performance.now());
    this.setIntervalFn = opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
    this.clearIntervalFn = opts.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>));
    let current: Snapshot | null = null;
    for (const f of log.frames) {
      try {
        current = applySnapshotMessage(current, f);
      } catch {
        continue; // a diff whose base was lost: skip to the next full snapshot
      }
      this.frames.push(current);
    }
    if (this.frames.length === 0) throw new Error('the session has no snapshot');
    this.cursor = log.events.length;
    this.at = log.end;
  }

  // ---- playback -------------------------------------------------------------------------

  get info(): ReplayInfo {
    return { file: this.file, recordedAt: this.log.recordedAt, start: this.log.start, end: this.log.end, at: this.at, playing: this.timer !== null, speed: this.speed };
  }

  /** Run the session again from its start (or from where it stands), `speed` times real time. */
  play(speed = 1, fromStart = true): void {
    if (!(speed > 0 && speed <= 1000)) throw new ApiFailure('EINVAL', 'speed: must be above 0 and at most 1000', 'speed');
    this.stop();
    this.speed = speed;
    if (fromStart) {
      this.at = this.log.start;
      this.cursor = 0;
    }
    this.lastReal = this.now();
    this.timer = this.setIntervalFn(() => this.tick(), TICK_MS);
  }

  /** Stop playing; the replay stays where it is. */
  stop(): void {
    if (this.timer !== null) this.clearIntervalFn(this.timer);
    this.timer = null;
  }

  /** Jump to lab time `t` (events after it have not happened yet; no events are delivered). */
  seek(t: number): void {
    this.at = Math.min(Math.max(t, this.log.start), this.log.end);
    this.cursor = this.indexAfter(this.at);
  }

  /** While stopped: let the next `n` events happen. */
  step(n = 1): number {
    const events = this.log.events;
    let done = 0;
    while (done < n && this.cursor < events.length) {
      const e = events[this.cursor++];
      this.at = Math.max(this.at, e.at);
      this.emit(e);
      done++;
    }
    return done;
  }

  private tick(): void {
    const real = this.now();
    const target = Math.min(this.log.end, this.at + (real - this.lastReal) * this.speed);
    this.lastReal = real;
    this.advanceTo(target);
    if (this.at >= this.log.end) this.stop();
  }

  /** Deliver every event up to lab time t, then stand at t. */
  advanceTo(t: number): void {
    const events = this.log.events;
    while (this.cursor < events.length && events[this.cursor].at <= t) this.emit(events[this.cursor++]);
    this.at = Math.max(this.at, t);
  }

  private emit(e: LabEvent): void {
    for (const cb of [...this.subscribers]) cb(e);
  }

  private indexAfter(t: number): number {
    const ev = this.log.events;
    let lo = 0;
    let hi = ev.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ev[mid].at <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private frameAt(t: number): Snapshot {
    let lo = 0;
    let hi = this.frames.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.frames[mid].at <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.frames[lo];
  }

  /** The events that have happened (up to the cursor). */
  private happened(): LabEvent[] {
    return this.cursor === this.log.events.length ? this.log.events : this.log.events.slice(0, this.cursor);
  }

  // ---- LabBackend -----------------------------------------------------------------------

  readonly events = {
    subscribe: (cb: (e: LabEvent) => void): (() => void) => {
      this.subscribers.add(cb);
      return () => this.subscribers.delete(cb);
    },
  };

  snapshot(): Snapshot {
    const f = this.frameAt(this.at);
    const info: LabInfo = { ...f.info, replay: this.info, time: this.timeStatus() };
    const lastSeq = this.cursor > 0 ? this.log.events[this.cursor - 1].seq : 0;
    return { ...f, version: f.version * 2 + (this.timer !== null ? 1 : 0), lastEventSeq: lastSeq, info };
  }

  /** The replay's playback as time control shows it: paused = not playing, scale = speed. */
  timeStatus(): TimeStatus {
    const next = this.log.events[this.cursor];
    return {
      paused: this.timer === null, scale: this.speed, slowMotionMs: null, held: 0, next: [],
      nextTimerIn: next === undefined ? null : Math.max(0, next.at - this.at), droppedAtGate: 0, realTime: true,
    };
  }

  private timeControl(a: { paused?: boolean; scale?: number; slowMotionMs?: number | null }): TimeStatus {
    if (a.slowMotionMs !== undefined && a.slowMotionMs !== null) {
      throw new ApiFailure('EINVAL', 'slowMotionMs: a replay has no slow motion; use scale (its speed) or step', 'slowMotionMs');
    }
    if (a.scale !== undefined && a.scale !== this.speed) {
      this.speed = a.scale;
      if (this.timer !== null) this.play(a.scale, false);
    }
    if (a.paused === true) this.stop();
    if (a.paused === false && this.timer === null) this.play(this.speed, this.at >= this.log.end);
    return this.timeStatus();
  }

  private timeStep(count: number): TimeStatus & { stepped: number } {
    if (this.timer !== null) throw new ApiFailure('EINVAL', 'the replay is playing: pause it first (time pause)');
    const stepped = this.step(count);
    return { ...this.timeStatus(), stepped };
  }

  private refuse(): never {
    throw new ApiFailure('EROFS', `this is a replay of ${this.file} (recorded ${this.log.recordedAt}): it shows what happened and cannot change anything; start a live lab (tcplab serve) for that`);
  }

  private segmentLog(a: { conn?: number; since?: number; limit: number }): SegmentEvent[] {
    const all = this.happened().filter((e): e is SegmentEvent => e.kind === 'segment' && (a.conn === undefined || e.conn === a.conn) && e.seq > (a.since ?? 0));
    return a.since !== undefined ? all.slice(0, a.limit) : all.slice(-a.limit);
  }

  readonly handlers: LabHandlers = {
    listen: () => this.refuse(),
    unlisten: () => this.refuse(),
    connect: () => this.refuse(),
    send: () => this.refuse(),
    shutdown: () => this.refuse(),
    close: () => this.refuse(),
    reset: () => this.refuse(),
    accept: () => this.refuse(),
    pauseAccept: () => this.refuse(),
    resumeAccept: () => this.refuse(),
    setKnob: () => this.refuse(),
    getKnobs: () => ({ knobs: this.log.knobs }),
    faultAdd: () => this.refuse(),
    faultRemove: () => this.refuse(),
    faultRandom: () => this.refuse(),
    faultList: () => this.frameAt(this.at).faults,
    pcapStart: () => this.refuse(),
    pcapStop: () => this.refuse(),
    pcapExport: () => ({
      pcap: Buffer.from(this.pcap).toString('base64'),
      packets: this.log.pcap?.packets ?? 0,
      bytes: this.log.pcap?.bytes ?? 0,
    }),
    scenarioList: () => ({ scenarios: this.log.scenarios }),
    scenarioRun: () => this.refuse(),
    scenarioStop: () => this.refuse(),
    clearHistory: () => this.refuse(),
    timeControl: (a) => this.timeControl(a),
    timeStep: (a) => this.timeStep(a.count),
    connectionHistory: (a) => {
      const events = this.happened().filter((e) => eventConn(e) === a.conn);
      if (events.length === 0 && !this.frameAt(this.at).connections.some((c) => c.id === a.conn)) throw noSuchConnection(a.conn);
      return { conn: a.conn, events: events.slice(-a.limit) };
    },
    segmentLog: (a) => ({ segments: this.segmentLog(a), lastSeq: this.cursor > 0 ? this.log.events[this.cursor - 1].seq : 0 }),
    counterDeltas: (a) => {
      const now = this.frameAt(this.at);
      const then = this.frameAt(a.since ?? this.log.start);
      const deltas: Record<string, number> = {};
      for (const [k, v] of Object.entries(now.counters)) {
        const d = v - (then.counters[k] ?? 0);
        if (d !== 0) deltas[k] = d;
      }
      return { since: then.at, at: this.at, deltas };
    },
  };

  close(): void {
    this.stop();
    this.subscribers.clear();
  }
}
