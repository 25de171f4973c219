// Drives timers. The stack (and a memory wire) keep deadlines as data; the runtime turns the
// earliest one into one real timer (Runtime), or, in tests, moves a ManualClock from deadline
// to deadline (ManualRuntime). Nothing here sleeps in manual mode.
import type { Clock, ManualClock } from './clock.ts';

/** Anything with deadlines: a Stack, a MemoryWire. */
export interface Schedulable {
  nextDeadline(): number | null;
  runTimers(): void;
}

/** The earliest deadline of all `parts`, or null when none has one. */
export function earliestDeadline(parts: readonly Schedulable[]): number | null {
  let d: number | null = null;
  for (const p of parts) {
    const x = p.nextDeadline();
    if (x !== null && (d === null || x < d)) d = x;
  }
  return d;
}

export interface TimerApi {
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerApi = {
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Real time: one pending timer for the earliest deadline of all parts. Call kick() after input. */
export class Runtime {
  private handle: unknown = null;
  private armedFor: number | null = null;
  private running = false;

  constructor(
    private readonly parts: Schedulable[],
    private readonly clock: Clock,
    private readonly timers: TimerApi = realTimers,
  ) {}

  start(): void {
    this.running = true;
    this.kick();
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  private disarm(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
    this.armedFor = null;
  }

  private earliest(): number | null {
    return earliestDeadline(this.parts);
  }

  /** Re-arm the real timer for the earliest deadline (after input or a user call). */
  kick(): void {
    if (!this.running) return;
    const d = this.earliest();
    if (d === this.armedFor) return;
    this.disarm();
    if (d === null) return;
    this.armedFor = d;
    this.handle = this.timers.setTimeout(() => this.fire(), Math.max(0, d - this.clock.now()));
  }

  private fire(): void {
    this.handle = null;
    this.armedFor = null;
    const now = this.clock.now();
    for (const p of this.parts) {
      const d = p.nextDeadline();
      if (d !== null && d <= now) p.runTimers();
    }
    this.kick();
  }
}

/** Manual time for tests: fire deadlines in order while moving the clock. */
export class ManualRuntime {
  constructor(
    readonly clock: ManualClock,
    private readonly parts: Schedulable[] = [],
  ) {}

  add(p: Schedulable): void {
    this.parts.push(p);
  }

  private earliest(): number | null {
    return earliestDeadline(this.parts);
  }

  /** Runs everything due now (repeatedly, since running one part can make others due). */
  runDue(maxRounds = 1_000_000): void {
    for (let i = 0; i < maxRounds; i++) {
      const now = this.clock.now();
      let ran = false;
      for (const p of this.parts) {
        const d = p.nextDeadline();
        if (d !== null && d <= now) {
          p.runTimers();
          ran = true;
        }
      }
      if (!ran) return;
    }
    throw new Error('ManualRuntime.runDue: no quiescence');
  }

  /** Advances the clock by ms, stopping at every deadline on the way. */
  advance(ms: number): void {
    this.runUntilTime(this.clock.now() + ms);
  }

  runUntilTime(t: number): void {
    this.runDue();
    for (;;) {
      const d = this.earliest();
      if (d === null || d > t) break;
      if (d > this.clock.now()) this.clock.set(d);
      this.runDue();
    }
    if (t > this.clock.now()) this.clock.set(t);
    this.runDue();
  }

  /** Runs until pred() holds (checked after each step) or maxMs of simulated time pass. */
  runUntil(pred: () => boolean, maxMs = 3_600_000): boolean {
    const end = this.clock.now() + maxMs;
    this.runDue();
    for (;;) {
      if (pred()) return true;
      const d = this.earliest();
      if (d === null || d > end) return pred();
      if (d > this.clock.now()) this.clock.set(d);
      this.runDue();
    }
  }
}
