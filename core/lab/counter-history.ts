// Counter samples over time, so "how did each counter move since lab time T" (nstat style) can be
// answered: a sample at the lab's start, one at least every second while the lab is busy, and one
// whenever someone asks. Bounded: the oldest samples go first.

export interface CounterDeltas {
  since: number;
  at: number;
  deltas: Record<string, number>;
}

interface Sample {
  at: number;
  values: Record<string, number>;
}

export class CounterHistory {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly read: () => Record<string, number>,
    private readonly intervalMs = 1000,
    private readonly capacity = 4096,
  ) {}

  /** Take a sample at `now` (replacing one taken at the same time). */
  sample(now: number): Sample {
    const s: Sample = { at: now, values: this.read() };
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.at === now) this.samples[this.samples.length - 1] = s;
    else this.samples.push(s);
    if (this.samples.length > this.capacity) this.samples.splice(1, 1); // keep the start
    return s;
  }

  /** Sample when the last one is older than the interval (cheap to call after every batch). */
  tick(now: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last === undefined || now - last.at >= this.intervalMs) this.sample(now);
  }

  /** Changes since `since` (default: the first sample), as the latest sample at or before it saw them. */
  deltas(since: number | undefined, now: number): CounterDeltas {
    const base = this.baseFor(since);
    const cur = this.sample(now);
    const deltas: Record<string, number> = {};
    for (const [k, v] of Object.entries(cur.values)) {
      const d = v - (base?.values[k] ?? 0);
      if (d !== 0) deltas[k] = d;
    }
    return { since: base?.at ?? now, at: now, deltas };
  }

  private baseFor(since: number | undefined): Sample | undefined {
    if (this.samples.length === 0) return undefined;
    if (since === undefined) return this.samples[0];
    let best = this.samples[0];
    for (const s of this.samples) {
      if (s.at <= since) best = s;
      else break;
    }
    return best;
  }
}
