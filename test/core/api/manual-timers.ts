// A manual clock for the API server's timers: tests advance time, nothing sleeps.
import type { TimerHandle, Timers } from '../../../core/api/timers.ts';

interface Pending {
  at: number;
  order: number;
  fn: () => void;
  live: boolean;
}

export class ManualTimers implements Timers {
  private t = 0;
  private order = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), order: this.order++, fn, live: true };
    this.pending.push(p);
    return { cancel: () => { p.live = false; } };
  }

  /** Runs every timer due within the next `ms`, in deadline order, moving the clock as it goes. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => p.live);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at <= end && (next === undefined || p.at < next.at || (p.at === next.at && p.order < next.order))) next = p;
      }
      if (next === undefined) break;
      next.live = false;
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }

  get scheduled(): number {
    return this.pending.filter((p) => p.live).length;
  }
}
