// The lab's event history: the stack's own ring (core/stack/events.ts: states, segments,
// timers, queues, drops, errors, ICMP) merged with the lab's events (faults the injector
// applied, lab notes) into one sequence of LabEvents with one global, gapless `seq`.
//
// The stack's ring stays the store of the stack's events (numbers in typed arrays; objects are
// built only when read). The lab keeps its own events in a small bounded ring, and each one
// remembers the stack's last sequence number when it happened. A lab event created after stack
// event L is placed between L and L + 1, so:
//   lab seq of the k-th lab event (1-based, created after stack event L) = L + k
//   lab seq of stack event s = s + (number of lab events created after a stack event < s)
// Both are increasing, so the merged order is the order things happened, and reading needs no
// copying of the stack's events. The index of lab events' positions is trimmed as the stack's
// ring forgets its oldest events.
import type { LabEvent } from '../api/events.ts';
import type { EventLog, StackEvent } from '../stack/events.ts';

/** What the history needs of the stack's ring beyond EventLog (EventRing has both). */
export interface RandomAccessLog extends EventLog {
  readonly firstSeq: number;
  read(seq: number): StackEvent | null;
}

/** The stack's log with random access, when it offers it (core/stack EventRing does). */
export function randomAccess(log: EventLog): RandomAccessLog | null {
  const r = log as Partial<RandomAccessLog>;
  return typeof r.read === 'function' && typeof r.firstSeq === 'number' ? (log as RandomAccessLog) : null;
}

type LabOnlyEvent = Extract<LabEvent, { kind: 'fault' | 'lab' }>;
/** A lab event before it is numbered. */
export type LabEventBody = LabOnlyEvent extends infer E ? (E extends LabOnlyEvent ? Omit<E, 'seq'> : never) : never;

export class LabHistory {
  private readonly log: EventLog;
  private readonly ring: RandomAccessLog | null;
  /** Lab events, newest last: the newest `capacity` at least, never more than twice that. */
  private readonly own: LabOnlyEvent[] = [];
  private readonly capacity: number;
  /** Stack seq after which each still-indexed lab event happened (non-decreasing). */
  private after: number[] = [];
  /** Lab events dropped from `after` (all of them before every stack event still held). */
  private base = 0;
  private total = 0;
  /** clearHistory: events up to this lab seq are forgotten. */
  private floorSeq = 0;
  private floorAt = -Infinity;
  private readonly subscribers: ((e: LabEvent) => void)[] = [];
  private unsubscribeStack: (() => void) | null = null;

  constructor(log: EventLog, capacity = 4096) {
    this.log = log;
    this.ring = randomAccess(log);
    this.capacity = capacity;
  }

  /** The newest lab seq. */
  get lastSeq(): number {
    return this.log.lastSeq + this.total;
  }

  /** The lab time of the last clearHistory (-Infinity when never cleared). */
  get clearedAt(): number {
    return this.floorAt;
  }

  /** Lab seq of the stack event `s`. */
  labSeqOf(s: number): number {
    return s + this.base + lowerBound(this.after, s);
  }

  /** Records a lab event (fault or note), numbers it and tells the subscribers. */
  add(body: LabEventBody): LabEvent {
    const stackSeq = this.log.lastSeq;
    this.total++;
    const e = { ...body, seq: stackSeq + this.total } as LabOnlyEvent;
    this.own.push(e);
    // Bounded, amortised O(1): trimmed back to `capacity` whenever it reaches twice that.
    if (this.own.length >= 2 * this.capacity) this.own.splice(0, this.own.length - this.capacity);
    this.after.push(stackSeq);
    this.trim();
    for (const cb of this.subscribers.slice()) cb(e);
    return e;
  }

  /** Forget everything up to now (the stack's ring cannot be cleared: it is filtered). */
  clear(now: number): void {
    this.floorSeq = this.lastSeq;
    this.floorAt = now;
    this.own.length = 0;
  }

  private firstStackSeq(): number {
    if (this.ring !== null) return this.ring.firstSeq;
    return 1;
  }

  private trim(): void {
    if (this.after.length < 1024) return;
    const first = this.firstStackSeq();
    const k = lowerBound(this.after, first);
    if (k > this.after.length / 2) {
      this.base += k;
      this.after = this.after.slice(k);
    }
  }

  private mapped(e: StackEvent): LabEvent {
    (e as { seq: number }).seq = this.labSeqOf(e.seq);
    return e as LabEvent;
  }

  // ---- live events ----------------------------------------------------------------------

  /**
   * Calls `cb` for every new event. The stack's ring is subscribed only while someone listens
   * (turning its numbers into objects costs; without listeners the hot path pays nothing).
   */
  subscribe(cb: (e: LabEvent) => void): () => void {
    this.subscribers.push(cb);
    this.unsubscribeStack ??= this.log.subscribe((e) => {
      const le = this.mapped(e);
      for (const s of this.subscribers.slice()) s(le);
    });
    return () => {
      const i = this.subscribers.indexOf(cb);
      if (i >= 0) this.subscribers.splice(i, 1);
      if (this.subscribers.length === 0) {
        this.unsubscribeStack?.();
        this.unsubscribeStack = null;
      }
    };
  }

  get subscriberCount(): number {
    return this.subscribers.length;
  }

  // ---- reading ----------------------------------------------------------------------------

  /** One connection's events still held (stack's and lab's), oldest first. */
  forConnection(conn: number): LabEvent[] {
    const stack = this.log.forConnection(conn).map((e) => this.mapped(e));
    const own = this.own.filter((e) => e.conn === conn);
    return merge(stack, own).filter((e) => e.seq > this.floorSeq);
  }

  /**
   * Segment events, oldest first: with `since`, the first `limit` newer than that lab seq;
   * without, the newest `limit`. Optionally of one connection only.
   */
  segments(opts: { conn?: number; since?: number; limit: number }): Extract<LabEvent, { kind: 'segment' }>[] {
    type Seg = Extract<LabEvent, { kind: 'segment' }>;
    const floor = Math.max(this.floorSeq, opts.since ?? 0);
    if (opts.conn !== undefined) {
      const all = this.log.forConnection(opts.conn).filter((e): e is Extract<StackEvent, { kind: 'segment' }> => e.kind === 'segment');
      const mapped = all.map((e) => this.mapped(e) as Seg).filter((e) => e.seq > floor);
      return opts.since !== undefined ? mapped.slice(0, opts.limit) : mapped.slice(-opts.limit);
    }
    const ring = this.ring;
    if (ring === null) {
      const all = this.log.since(0).filter((e) => e.kind === 'segment').map((e) => this.mapped(e) as Seg).filter((e) => e.seq > floor);
      return opts.since !== undefined ? all.slice(0, opts.limit) : all.slice(-opts.limit);
    }
    const out: Seg[] = [];
    const first = Math.max(ring.firstSeq, this.stackSeqAfter(floor));
    if (opts.since !== undefined) {
      for (let s = first; s <= ring.lastSeq && out.length < opts.limit; s++) {
        const e = ring.read(s);
        if (e !== null && e.kind === 'segment') out.push(this.mapped(e) as Seg);
      }
      return out;
    }
    for (let s = ring.lastSeq; s >= first && out.length < opts.limit; s--) {
      const e = ring.read(s);
      if (e !== null && e.kind === 'segment') out.push(this.mapped(e) as Seg);
    }
    return out.reverse();
  }

  /** The smallest stack seq whose lab seq is greater than `labSeq`. */
  private stackSeqAfter(labSeq: number): number {
    let lo = 1;
    let hi = this.log.lastSeq + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.labSeqOf(mid) > labSeq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Every event still held after lab seq `since`, oldest first (tests and tools). */
  since(since: number): LabEvent[] {
    const floor = Math.max(since, this.floorSeq);
    const stack = this.log.since(this.stackSeqAfter(floor) - 1).map((e) => this.mapped(e));
    return merge(stack, this.own.filter((e) => e.seq > floor)).filter((e) => e.seq > floor);
  }
}

/** Index of the first element >= x in a non-decreasing array. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function merge(a: LabEvent[], b: LabEvent[]): LabEvent[] {
  if (b.length === 0) return a;
  const out: LabEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].seq < b[j].seq)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}
