// One client's event stream: filtered, batched, bounded. The lab pushes synchronously and never
// waits; a client that does not keep up loses its queue and gets one gap message (how many it
// missed, and the lab as it is now), after which events resume.
//
// Bounded in rate too: a client gets at most `maxRate` events per second (counted over windows
// of `rateWindowMs`). During a bulk transfer the lab makes hundreds of thousands of events per
// second, more than any UI can show and enough to slow the lab down if every client got them
// all; past its budget a client's events are counted as missed and the window ends with a gap
// message. A quiet lab (a handshake, a close, a scenario) stays far below the budget.
//
// While no client can take events (all are over their budget or behind), the server stops
// listening to the lab (the lab then builds no event objects at all); a feed counts what it did
// not see from the gapless sequence numbers: exact for an unfiltered stream, an upper bound
// (events of any kind and connection) for a filtered one.
import type { EventMessage, LabEvent } from './events.ts';
import { eventConn } from './events.ts';
import type { StreamSink } from './lab-api.ts';
import type { EventFilter } from './schemas.ts';
import type { Snapshot } from './snapshot.ts';
import type { TimerHandle, Timers } from './timers.ts';

export interface EventFeedOptions {
  /** Events queued per client before it is declared behind. */
  capacity: number;
  /** Events per message. */
  maxBatch: number;
  /** Messages a client may leave unsettled (its sink's promise pending). */
  window: number;
  /** Delay that collects events into one batch. */
  batchMs: number;
  /** Events per second a client gets at most, unless it asks for another rate (EventFilter.maxRate). */
  maxRate: number;
  /** The window the rate is counted over, ms. */
  rateWindowMs: number;
}

export const EVENT_FEED_DEFAULTS: EventFeedOptions = { capacity: 8192, maxBatch: 512, window: 4, batchMs: 16, maxRate: 500, rateWindowMs: 250 };

type GapCause = 'none' | 'overflow' | 'rate';

export class EventFeed {
  private queue: LabEvent[] = [];
  private missed = 0;
  private gap: GapCause = 'none';
  private inflight = 0;
  private timer: TimerHandle | null = null;
  private closed = false;
  private readonly kinds: ReadonlySet<string> | null;
  private readonly conns: ReadonlySet<number> | null;
  private readonly budget: number;
  private readonly gapSnapshot: boolean;
  private windowStart = -Infinity;
  private windowCount = 0;
  /** The newest event seq this feed has accounted for (taken, filtered out or missed). */
  private lastSeen: number;

  /** `onAccepting(false)` when it stops taking events (over budget, behind), `(true)` when it takes them again. */
  constructor(
    filter: EventFilter,
    private readonly sink: StreamSink<EventMessage>,
    private readonly snapshot: () => Snapshot,
    private readonly timers: Timers,
    private readonly opts: EventFeedOptions,
    private readonly onAccepting: (accepting: boolean) => void = () => {},
  ) {
    this.kinds = filter.kinds ? new Set(filter.kinds) : null;
    this.conns = filter.conns ? new Set(filter.conns) : null;
    const rate = filter.maxRate ?? opts.maxRate;
    this.budget = Math.max(1, Math.round((rate * opts.rateWindowMs) / 1000));
    this.gapSnapshot = filter.gapSnapshot ?? true;
    this.lastSeen = snapshot().lastEventSeq;
  }

  /** Takes events now (not over its budget, not behind). */
  get accepting(): boolean {
    return this.gap === 'none' && !this.closed;
  }

  matches(e: LabEvent): boolean {
    if (this.kinds !== null && !this.kinds.has(e.kind)) return false;
    if (this.conns === null) return true;
    const conn = eventConn(e);
    return conn !== null && this.conns.has(conn);
  }

  /** Called by the lab for every event: O(1), never blocks. */
  push(e: LabEvent): void {
    if (this.closed) return;
    // Events the server did not listen to (every feed was over its budget): missed, all of them.
    const unseen = e.seq - this.lastSeen - 1;
    if (unseen > 0 && this.gap !== 'none') this.missed += unseen;
    if (e.seq > this.lastSeen) this.lastSeen = e.seq;
    if (!this.matches(e)) return;
    if (this.gap !== 'none') {
      this.missed++;
      return;
    }
    if (this.queue.length >= this.opts.capacity) {
      // Behind: what it has not taken is gone; the gap goes out as soon as it can take it.
      this.missed += this.queue.length + 1;
      this.queue = [];
      this.gap = 'overflow';
      this.onAccepting(false);
    } else if (!this.withinBudget()) {
      // Over its rate: the queued (older) events still go first, the gap when the window ends.
      this.missed++;
      this.gap = 'rate';
      this.onAccepting(false);
    } else {
      this.queue.push(e);
    }
    this.schedule(this.opts.batchMs);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Windows are aligned to the clock (multiples of rateWindowMs), the same for every client: in a
   * flood they all take their share at a window's start and all get their gap at its end, with
   * one snapshot, so the server listens to the lab only briefly.
   */
  private currentWindow(): number {
    const w = this.opts.rateWindowMs;
    return Math.floor(this.timers.now() / w) * w;
  }

  private withinBudget(): boolean {
    const start = this.currentWindow();
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.windowCount = 0;
    }
    if (this.windowCount >= this.budget) return false;
    this.windowCount++;
    return true;
  }

  private schedule(ms: number): void {
    if (this.timer !== null || this.closed) return;
    this.timer = this.timers.after(ms, () => {
      this.timer = null;
      this.flush();
    });
  }

  /** A rate gap waits for the end of its window (so a flood costs one gap per window). */
  private gapDueIn(): number {
    if (this.gap === 'overflow') return 0;
    return Math.max(0, this.windowStart + this.opts.rateWindowMs - this.timers.now());
  }

  private flush(): void {
    while (!this.closed && this.inflight < this.opts.window) {
      if (this.queue.length > 0) {
        this.deliver({ kind: 'events', events: this.queue.splice(0, this.opts.maxBatch) });
      } else if (this.gap !== 'none') {
        const wait = this.gapDueIn();
        if (wait > 0) return this.schedule(wait);
        this.deliver(this.gapMessage());
      } else {
        return;
      }
    }
  }

  private gapMessage(): EventMessage {
    const snapshot = this.snapshot();
    const unseen = snapshot.lastEventSeq - this.lastSeen;
    const msg: EventMessage = { kind: 'gap', missed: this.missed + Math.max(0, unseen), snapshot: this.gapSnapshot ? snapshot : null };
    this.lastSeen = Math.max(this.lastSeen, snapshot.lastEventSeq);
    this.gap = 'none';
    this.missed = 0;
    // Events resume after the gap with a fresh budget.
    this.windowStart = this.currentWindow();
    this.windowCount = 0;
    this.onAccepting(true);
    return msg;
  }

  private deliver(msg: EventMessage): void {
    let pending: void | Promise<void>;
    try {
      pending = this.sink(msg);
    } catch {
      return; // a failing client is its own problem, never the lab's
    }
    if (pending === undefined) return;
    this.inflight++;
    const settled = (): void => {
      this.inflight--;
      this.flush();
    };
    pending.then(settled, settled);
  }
}
