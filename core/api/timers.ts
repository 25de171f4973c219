// Time for the API server's coalescing and batching, injected so tests run on a manual clock.

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Milliseconds, monotonic. */
  now(): number;
  after(ms: number, fn: () => void): TimerHandle;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
