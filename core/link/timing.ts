// Time for the link wrappers (pcap timestamps, fault-injector holds): an injected clock and a
// timer scheduler, so tests run on a manual clock and the real runtime on real timers.
import { DeadlineHeap } from '../tcp/deadline-heap.ts';

/** Milliseconds, monotonic, may be fractional (the same shape as core/stack's Clock). */
export interface Clock {
  now(): number;
}

/** Runs `fn` once the clock reaches `at` (ms). Returns a function that cancels it. */
export interface Scheduler extends Clock {
  schedule(at: number, fn: () => void): () => void;
}

/** The real clock (performance.now) and real timers. */
export function realScheduler(): Scheduler {
  return {
    now: () => performance.now(),
    schedule(at, fn) {
      const timer = setTimeout(fn, Math.max(0, at - performance.now()));
      return () => clearTimeout(timer);
    },
  };
}

interface Pending { fn: () => void; done: boolean }

/** Timers by deadline (equal ones in the order scheduled); cancelled ones are skipped. */
export class TimerList {
  private readonly heap = new DeadlineHeap<Pending>();
  private live = 0;

  /** Returns a function that cancels it (nothing once it has fired). */
  add(at: number, fn: () => void): () => void {
    const p: Pending = { fn, done: false };
    this.heap.push(at, p);
    this.live++;
    return () => {
      if (p.done) return;
      p.done = true;
      this.live--;
    };
  }

  /** Timers neither fired nor cancelled. */
  get count(): number {
    return this.live;
  }

  nextDeadline(): number | null {
    this.dropCancelled();
    return this.heap.peekDeadline();
  }

  /** The earliest timer due at or before `limit`, taken off the list, or null. */
  popDue(limit: number): { at: number; fn: () => void } | null {
    const at = this.nextDeadline();
    if (at === null || at > limit) return null;
    const p = this.heap.pop() as Pending;
    p.done = true;
    this.live--;
    return { at, fn: p.fn };
  }

  private dropCancelled(): void {
    while (this.heap.peek()?.done === true) this.heap.pop();
  }
}

/** A manual clock with timers, for deterministic tests: nothing happens until advance(). */
export class ManualScheduler implements Scheduler {
  private time: number;
  private readonly timers = new TimerList();

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule(at: number, fn: () => void): () => void {
    return this.timers.add(at, fn);
  }

  /** Timers not yet fired or cancelled. */
  get pendingCount(): number {
    return this.timers.count;
  }

  /** Move the clock forward, firing due timers in deadline order (the clock reads each deadline). */
  advance(ms: number): void {
    this.set(this.time + ms);
  }

  set(ms: number): void {
    for (let t = this.timers.popDue(ms); t !== null; t = this.timers.popDue(ms)) {
      this.time = Math.max(this.time, t.at);
      t.fn();
    }
    this.time = Math.max(this.time, ms);
  }
}
