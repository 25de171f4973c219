// A Scheduler (core/link/timing.ts) on the lab's own clock, for the fault injector when time is
// manual: its holds become deadlines the lab's ManualRuntime runs with the stack's.
import { TimerList, type Scheduler } from '../link/timing.ts';
import type { Clock } from '../stack/clock.ts';
import type { Schedulable } from '../stack/runtime.ts';

export class ClockScheduler implements Scheduler, Schedulable {
  private readonly timers = new TimerList();

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  schedule(at: number, fn: () => void): () => void {
    return this.timers.add(at, fn);
  }

  nextDeadline(): number | null {
    return this.timers.nextDeadline();
  }

  runTimers(): void {
    const now = this.clock.now();
    for (let t = this.timers.popDue(now); t !== null; t = this.timers.popDue(now)) t.fn();
  }
}
