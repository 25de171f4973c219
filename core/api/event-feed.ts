// One client's event stream: filtered, batched, bounded. The lab pushes synchronously and never
// waits; a client that does not keep up loses its queue and gets one gap message (how many it
// missed, and the lab as it is now), after which events resume.
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
}

export const EVENT_FEED_DEFAULTS: EventFeedOptions = { capacity: 8192, maxBatch: 512, window: 4, batchMs: 16 };

export class EventFeed {
  private queue: LabEvent[] = [];
  private missed = 0;
  private gapped = false;
  private inflight = 0;
  private timer: TimerHandle | null = null;
  private closed = false;
  private readonly kinds: ReadonlySet<string> | null;
  private readonly conns: ReadonlySet<number> | null;

  constructor(
    filter: EventFilter,
    private readonly sink: StreamSink<EventMessage>,
    private readonly snapshot: () => Snapshot,
    private readonly timers: Timers,
    private readonly opts: EventFeedOptions,
  ) {
    this.kinds = filter.kinds ? new Set(filter.kinds) : null;
    this.conns = filter.conns ? new Set(filter.conns) : null;
  }

  matches(e: LabEvent): boolean {
    if (this.kinds !== null && !this.kinds.has(e.kind)) return false;
    if (this.conns === null) return true;
    const conn = eventConn(e);
    return conn !== null && this.conns.has(conn);
  }

  /** Called by the lab for every event: O(1), never blocks. */
  push(e: LabEvent): void {
    if (this.closed || !this.matches(e)) return;
    if (this.gapped) {
      this.missed++;
      return;
    }
    if (this.queue.length >= this.opts.capacity) {
      this.missed += this.queue.length + 1;
      this.queue = [];
      this.gapped = true;
    } else {
      this.queue.push(e);
    }
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.timer?.cancel();
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = this.timers.after(this.opts.batchMs, () => {
      this.timer = null;
      this.flush();
    });
  }

  private flush(): void {
    while (!this.closed && this.inflight < this.opts.window && (this.gapped || this.queue.length > 0)) {
      this.deliver(this.next());
    }
  }

  private next(): EventMessage {
    if (this.gapped) {
      const msg: EventMessage = { kind: 'gap', missed: this.missed, snapshot: this.snapshot() };
      this.gapped = false;
      this.missed = 0;
      return msg;
    }
    return { kind: 'events', events: this.queue.splice(0, this.opts.maxBatch) };
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
