// The TUI's copy of the lab: the snapshot stream, a bounded ring of recent events (the trace
// pane), the selected connection's history, knob descriptions and the counter baseline. It
// talks to the lab only through a LabClient, so hosting a lab and attaching to one look the
// same. Changes are announced at most every `notifyMs` (coalesced), so a busy lab does not make
// the UI render more than ~10 times per second.
import type { LabClient } from '../../core/api/client.ts';
import type { KnobInfo, ScenarioInfo } from '../../core/api/contract.ts';
import { eventConn, type EventMessage, type LabEvent } from '../../core/api/events.ts';
import type { Subscription } from '../../core/api/lab-api.ts';
import type { Snapshot } from '../../core/api/snapshot.ts';
import { applySnapshotMessage, type SnapshotMessage } from '../../core/api/snapshot-diff.ts';
import { LabClock } from '../../core/api/views/clock.ts';

export interface StoreOptions {
  /** Local monotonic time, ms (performance.now). */
  now?: () => number;
  /** Coalescing interval of change notifications; 0 notifies at once (tests). */
  notifyMs?: number;
  /** Snapshot diffs per second asked of the lab. */
  rate?: number;
  /** Recent events kept for the trace pane. */
  traceCapacity?: number;
  /** Events kept for the selected connection. */
  historyCapacity?: number;
}

/** Events per second asked for the whole trace (it shows the newest few dozen lines). */
export const TRACE_EVENT_RATE = 500;
/** Events per second asked for the selected connection (its timeline and ladder must be whole). */
export const CONN_EVENT_RATE = 20_000;

export interface ConnHistory {
  conn: number;
  events: LabEvent[];
  loading: boolean;
  error: string | null;
}

export class LabStore {
  snapshot: Snapshot | null = null;
  knobInfo: KnobInfo[] = [];
  /** The guided scenarios the lab offers (with their texts, when the lab sends them). */
  scenarios: ScenarioInfo[] = [];
  history: ConnHistory | null = null;
  /** Counters when the deltas were last zeroed. */
  counterBase: Record<string, number> | null = null;
  /** Events the lab dropped for us because we fell behind (since start). */
  missed = 0;
  /** Why the connection to the lab ended, once it has. */
  closedReason: string | null = null;
  /** Bumped on every visible change. */
  version = 0;
  readonly clock = new LabClock();

  private readonly ring: (LabEvent | undefined)[];
  private ringNext = 0;
  private ringCount = 0;
  private traceSeq = 0;
  /** The seq of the newest event taken in. */
  private newestSeq = 0;
  private readonly listeners = new Set<() => void>();
  private readonly subs: Subscription[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastNotify = -Infinity;
  private readonly localNow: () => number;
  private readonly notifyMs: number;
  private readonly rate: number;
  private readonly historyCapacity: number;
  private stopped = false;

  constructor(readonly client: LabClient, opts: StoreOptions = {}) {
    this.localNow = opts.now ?? (() => performance.now());
    this.notifyMs = opts.notifyMs ?? 100;
    this.rate = opts.rate ?? 10;
    this.ring = new Array<LabEvent | undefined>(opts.traceCapacity ?? 1000);
    this.historyCapacity = opts.historyCapacity ?? 2000;
  }

  /** Subscribes to the lab's streams and reads the knob descriptions. Rejects with the lab's error. */
  async start(): Promise<void> {
    await this.subscribeSnapshots();
    // Gaps without a snapshot: the snapshot stream keeps ours current.
    const events = await this.client.subscribeEvents({ maxRate: TRACE_EVENT_RATE, gapSnapshot: false }, (m) => this.onEvents(m));
    if (!events.ok) throw new Error(events.error.message);
    this.subs.push(events.value);
    await this.reloadKnobs();
    await this.reloadScenarios();
    void this.client.closed.then((reason) => {
      if (this.stopped) return;
      this.closedReason = reason;
      this.changed(true);
    });
  }

  private snapshotSub: Subscription | null = null;

  private async subscribeSnapshots(): Promise<void> {
    this.snapshotSub?.close();
    this.snapshotSub = null;
    const snaps = await this.client.subscribeSnapshots({ rate: this.rate }, (m) => this.onSnapshot(m));
    if (!snaps.ok) throw new Error(snaps.error.message);
    this.snapshotSub = snaps.value;
  }

  async reloadKnobs(): Promise<void> {
    const r = await this.client.call('getKnobs');
    if (r.ok) {
      this.knobInfo = r.value.knobs;
      this.changed();
    }
  }

  async reloadScenarios(): Promise<void> {
    const r = await this.client.call('scenarioList');
    if (r.ok) {
      this.scenarios = r.value.scenarios;
      this.changed();
    }
  }

  stop(): void {
    this.stopped = true;
    this.connSub?.close();
    this.connSub = null;
    for (const s of this.subs.splice(0)) s.close();
    this.snapshotSub?.close();
    this.snapshotSub = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The lab time now, as well as the UI can tell (standing still while lab time does). */
  labNow(): number {
    return this.clock.labNow(this.localNow());
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  /** The newest `n` events (oldest first), optionally only one connection's. */
  recentEvents(n: number, conn: number | null = null): LabEvent[] {
    const out: LabEvent[] = [];
    const cap = this.ring.length;
    for (let i = 1; i <= this.ringCount && out.length < n; i++) {
      const e = this.ring[(this.ringNext - i + cap) % cap];
      if (e !== undefined && (conn === null || eventConn(e) === conn)) out.push(e);
    }
    return out.reverse();
  }

  /** The event with this seq, if the trace ring or the selected connection's history still has it. */
  findEvent(seq: number): LabEvent | null {
    const cap = this.ring.length;
    for (let i = 1; i <= this.ringCount; i++) {
      const e = this.ring[(this.ringNext - i + cap) % cap];
      if (e !== undefined && e.seq === seq) return e;
      if (e !== undefined && e.seq < seq) break;
    }
    return this.history?.events.find((e) => e.seq === seq) ?? null;
  }

  /** How many events have gone into the trace ring (a cheap "did the trace change" check). */
  get traceVersion(): number {
    return this.traceSeq;
  }

  /** Shows the selected connection's history (null: none). Loads it from the lab. */
  select(conn: number | null): void {
    if (conn === (this.history?.conn ?? null)) return;
    if (conn === null) {
      this.history = null;
      this.followConn(null);
      this.changed();
      return;
    }
    const h: ConnHistory = { conn, events: [], loading: true, error: null };
    this.history = h;
    this.followConn(conn);
    this.changed();
    void this.client.call('connectionHistory', { conn, limit: this.historyCapacity }).then((r) => {
      if (this.history !== h) return;
      if (r.ok) {
        // Events that arrived while loading are newer than the answer; keep both, once.
        const seen = new Set(r.value.events.map((e) => e.seq));
        h.events = [...r.value.events, ...h.events.filter((e) => !seen.has(e.seq))];
      } else {
        h.error = r.error.message;
      }
      h.loading = false;
      this.changed();
    });
  }

  /** The subscription to the selected connection's events (its history stays whole however busy the lab is). */
  private connSub: Subscription | null = null;
  private connSubFor: number | null = null;

  private followConn(conn: number | null): void {
    if (conn === this.connSubFor) return;
    this.connSub?.close();
    this.connSub = null;
    this.connSubFor = conn;
    if (conn === null || this.stopped) return;
    void this.client.subscribeEvents({ conns: [conn], maxRate: CONN_EVENT_RATE }, (m) => this.onConnEvents(conn, m)).then((r) => {
      if (!r.ok) return;
      if (this.connSubFor !== conn || this.stopped) r.value.close();
      else this.connSub = r.value;
    });
  }

  private onConnEvents(conn: number, msg: EventMessage): void {
    const h = this.history;
    if (h === null || h.conn !== conn) return;
    if (msg.kind === 'gap') {
      // Even one connection was too busy to follow: load its history again.
      this.reloadHistory();
      return;
    }
    for (const e of msg.events) {
      if ((h.events.at(-1)?.seq ?? 0) < e.seq) h.events.push(e);
    }
    if (h.events.length > this.historyCapacity * 1.25) h.events = trimHistory(h.events, this.historyCapacity);
    this.changed();
  }

  /** Reloads the selected connection's history (after the lab cleared it, say). */
  reloadHistory(): void {
    const conn = this.history?.conn ?? null;
    this.history = null;
    this.connSubFor = conn;   // the subscription stays
    this.select(conn);
  }

  /** Counter deltas count from now. */
  zeroCounters(): void {
    this.counterBase = { ...(this.snapshot?.counters ?? {}) };
    this.changed(true);
  }

  /** Something the UI changed on its own (status line, selection): announce at once. */
  touch(): void {
    this.changed(true);
  }

  private onSnapshot(msg: SnapshotMessage): void {
    try {
      this.snapshot = applySnapshotMessage(this.snapshot, msg);
    } catch {
      // A diff that does not apply (we lost one): start the stream again from a full snapshot.
      if (!this.stopped) void this.subscribeSnapshots().catch(() => {});
      return;
    }
    this.counterBase ??= { ...this.snapshot.counters };
    this.clock.follow(this.snapshot, this.localNow(), msg.kind === 'full' ? msg.now : undefined);
    this.changed();
  }

  private onEvents(msg: EventMessage): void {
    if (msg.kind === 'gap') {
      // The snapshot stream keeps our snapshot current; the lost events are gone from the trace
      // (the selected connection has its own subscription).
      this.missed += msg.missed;
      this.changed();
      return;
    }
    for (const e of msg.events) {
      if (e.seq <= this.newestSeq) {
        // Events going back: a replay started over. What was seen is the future now.
        this.ring.fill(undefined);
        this.ringCount = 0;
        this.reloadHistory();
      }
      this.newestSeq = e.seq;
      this.push(e);
      if (e.kind === 'lab' && e.topic === 'history') this.reloadHistory();
    }
    const last = msg.events.at(-1);
    if (last !== undefined && !this.clock.frozen) this.clock.observe(last.at, this.localNow());
    this.changed();
  }

  private push(e: LabEvent): void {
    this.ring[this.ringNext] = e;
    this.ringNext = (this.ringNext + 1) % this.ring.length;
    this.ringCount = Math.min(this.ringCount + 1, this.ring.length);
    this.traceSeq++;
  }

  private changed(now = false): void {
    this.version++;
    if (this.stopped) return;
    const t = this.localNow();
    if (now || this.notifyMs === 0 || t - this.lastNotify >= this.notifyMs) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.fire(t);
      return;
    }
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire(this.localNow());
    }, this.notifyMs - (t - this.lastNotify));
    this.timer.unref?.();
  }

  private fire(t: number): void {
    this.lastNotify = t;
    for (const fn of this.listeners) fn();
  }
}

/**
 * The newest `keep` events, plus every older state change: a busy connection's segments must
 * not push its timeline out.
 */
export function trimHistory(events: readonly LabEvent[], keep: number): LabEvent[] {
  const cut = events.length - keep;
  if (cut <= 0) return events.slice();
  return [...events.slice(0, cut).filter((e) => e.kind === 'state'), ...events.slice(cut)];
}
