// The stack's timer queue: a binary min-heap of (deadline, TCB). A TCB's timers are fields in
// the TCB; the heap only needs an entry under each TCB's earliest deadline. When a deadline
// moves later the old entry stays (it fires early, finds nothing due and is re-queued); when
// it moves earlier a new entry is pushed. Stale entries are skipped by tcb.queuedAt.
import type { Tcb } from '../tcp/tcb.ts';
import { earliestDeadline } from '../tcp/timers.ts';

export class TimerQueue {
  private deadlines: number[] = [];
  private tcbs: Tcb[] = [];

  get length(): number {
    return this.tcbs.length;
  }

  /** Called after a TCB's timers changed. */
  update(t: Tcb): void {
    const d = earliestDeadline(t);
    if (d === 0) return;
    if (t.queuedAt !== 0 && t.queuedAt <= d) return; // an entry at or before d exists
    t.queuedAt = d;
    this.push(d, t);
  }

  /** Forget a TCB (its entries become stale). */
  forget(t: Tcb): void {
    t.queuedAt = 0;
  }

  /** The earliest real deadline, or null. Cleans stale entries at the top. */
  peek(): number | null {
    for (;;) {
      if (this.tcbs.length === 0) return null;
      const t = this.tcbs[0];
      const d = this.deadlines[0];
      if (t.queuedAt !== d) {
        this.pop();
        continue;
      }
      const real = earliestDeadline(t);
      if (real === d) return d;
      // Its deadline moved later (or was cancelled): requeue under the real one.
      this.pop();
      t.queuedAt = 0;
      if (real !== 0) {
        t.queuedAt = real;
        this.push(real, t);
      }
    }
  }

  /** Removes and returns a TCB whose earliest deadline is <= now, or null. */
  popDue(now: number): Tcb | null {
    const d = this.peek();
    if (d === null || d > now) return null;
    const t = this.tcbs[0];
    this.pop();
    t.queuedAt = 0;
    return t;
  }

  private push(d: number, t: Tcb): void {
    const ds = this.deadlines;
    const ts = this.tcbs;
    let i = ts.length;
    ds.push(d);
    ts.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ds[p] <= d) break;
      ds[i] = ds[p];
      ts[i] = ts[p];
      i = p;
    }
    ds[i] = d;
    ts[i] = t;
  }

  private pop(): void {
    const ds = this.deadlines;
    const ts = this.tcbs;
    const lastD = ds.pop() as number;
    const lastT = ts.pop() as Tcb;
    const n = ts.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && ds[r] < ds[l] ? r : l;
      if (ds[c] >= lastD) break;
      ds[i] = ds[c];
      ts[i] = ts[c];
      i = c;
    }
    ds[i] = lastD;
    ts[i] = lastT;
  }
}
