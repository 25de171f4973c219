// A Scheduler (core/link/timing.ts) on the lab's own clock, for the fault injector when time is
// manual: its holds become deadlines the lab's ManualRuntime runs with the stack's.
import type { Scheduler } from '../link/timing.ts';
import type { Clock } from '../stack/clock.ts';
import type { Schedulable } from '../stack/runtime.ts';

interface Pending { at: number; order: number; fn: () => void }

export class ClockScheduler implements Scheduler, Schedulable {
  private pending: Pending[] = [];
  private order = 0;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  schedule(at: number, fn: () => void): () => void {
    const p: Pending = { at, order: this.order++, fn };
    this.pending.push(p);
    return () => {
      this.pending = this.pending.filter((x) => x !== p);
    };
  }

  nextDeadline(): number | null {
    let d: number | null = null;
    for (const p of this.pending) if (d === null || p.at < d) d = p.at;
    return d;
  }

  runTimers(): void {
    const now = this.clock.now();
    for (;;) {
      let next: Pending | null = null;
      for (const p of this.pending) {
        if (p.at <= now && (next === null || p.at < next.at || (p.at === next.at && p.order < next.order))) next = p;
      }
      if (next === null) return;
      const chosen = next;
      this.pending = this.pending.filter((x) => x !== chosen);
      chosen.fn();
    }
  }
}
