// The stack's timer queue: a binary min-heap of (deadline, TCB). A TCB's timers are fields in
// the TCB; the heap only needs an entry under each TCB's earliest deadline. When a deadline
// moves later the old entry stays (it fires early, finds nothing due and is re-queued); when
// it moves earlier a new entry is pushed. Stale entries are skipped by tcb.queuedAt.
import type { Tcb } from '../tcp/tcb.ts';
import { DeadlineHeap } from '../tcp/deadline-heap.ts';
import { earliestDeadline } from '../tcp/timers.ts';

export class TimerQueue {
  private readonly heap = new DeadlineHeap<Tcb>();

  get length(): number {
    return this.heap.length;
  }

  /** Called after a TCB's timers changed. */
  update(t: Tcb): void {
    const d = earliestDeadline(t);
    if (d === 0) return;
    if (t.queuedAt !== 0 && t.queuedAt <= d) return; // an entry at or before d exists
    t.queuedAt = d;
    this.heap.push(d, t);
  }

  /** Forget a TCB (its entries become stale). */
  forget(t: Tcb): void {
    t.queuedAt = 0;
  }

  /** The earliest real deadline, or null. Cleans stale entries at the top. */
  peek(): number | null {
    for (;;) {
      const t = this.heap.peek();
      const d = this.heap.peekDeadline();
      if (t === undefined || d === null) return null;
      if (t.queuedAt !== d) {
        this.heap.pop();
        continue;
      }
      const real = earliestDeadline(t);
      if (real === d) return d;
      // Its deadline moved later (or was cancelled): requeue under the real one.
      this.heap.pop();
      t.queuedAt = 0;
      if (real !== 0) {
        t.queuedAt = real;
        this.heap.push(real, t);
      }
    }
  }

  /** Removes and returns a TCB whose earliest deadline is <= now, or null. */
  popDue(now: number): Tcb | null {
    const d = this.peek();
    if (d === null || d > now) return null;
    const t = this.heap.pop() as Tcb;
    t.queuedAt = 0;
    return t;
  }
}
