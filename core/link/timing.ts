// Time for the link wrappers (pcap timestamps, fault-injector holds): an injected clock and a
// timer scheduler, so tests run on a manual clock and the real runtime on real timers.

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

interface Pending { at: number; order: number; fn: () => void; cancelled: boolean }

/** A manual clock with timers, for deterministic tests: nothing happens until advance(). */
export class ManualScheduler implements Scheduler {
  private time: number;
  private order = 0;
  private pending: Pending[] = [];

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule(at: number, fn: () => void): () => void {
    const p: Pending = { at, order: this.order++, fn, cancelled: false };
    this.pending.push(p);
    return () => {
      p.cancelled = true;
    };
  }

  /** Timers not yet fired or cancelled. */
  get pendingCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Move the clock forward, firing due timers in deadline order (the clock reads each deadline). */
  advance(ms: number): void {
    this.set(this.time + ms);
  }

  set(ms: number): void {
    for (;;) {
      const next = this.nextDue(ms);
      if (next === null) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.pending = this.pending.filter((p) => !p.cancelled);
    this.time = Math.max(this.time, ms);
  }

  private nextDue(limit: number): Pending | null {
    let best: Pending | null = null;
    for (const p of this.pending) {
      if (p.cancelled || p.at > limit) continue;
      if (best === null || p.at < best.at || (p.at === best.at && p.order < best.order)) best = p;
    }
    return best;
  }
}
