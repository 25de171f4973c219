// Time for the stack: milliseconds, monotonic, possibly fractional, always injected.

export interface Clock {
  now(): number;
}

/** A clock the tests (and the packetdrill runner) move by hand. */
export class ManualClock implements Clock {
  private t: number;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  set(ms: number): void {
    if (ms < this.t) throw new RangeError(`ManualClock cannot go back (${ms} < ${this.t})`);
    this.t = ms;
  }

  advance(ms: number): void {
    this.set(this.t + ms);
  }
}

/** The real monotonic clock (performance.now()). */
export const realClock: Clock = { now: () => performance.now() };
