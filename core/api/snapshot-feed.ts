// One client's snapshot stream: a full snapshot first, then at most one diff per interval
// (the client's rate), and only when something changed. A client still busy with the previous
// message is skipped: the next diff covers both, so a slow client costs the lab nothing.
import type { StreamSink } from './lab-api.ts';
import type { Snapshot } from './snapshot.ts';
import { diffSnapshots, type SnapshotDiff, type SnapshotMessage } from './snapshot-diff.ts';
import type { TimerHandle, Timers } from './timers.ts';

const lastDiff = new WeakMap<Snapshot, { to: Snapshot; diff: SnapshotDiff | null }>();

/** diffSnapshots, computed once for every client going from the same snapshot to the same one. */
export function diffOnce(from: Snapshot, to: Snapshot): SnapshotDiff | null {
  const hit = lastDiff.get(from);
  if (hit !== undefined && hit.to === to) return hit.diff;
  const diff = diffSnapshots(from, to);
  lastDiff.set(from, { to, diff });
  return diff;
}

export class SnapshotFeed {
  private last: Snapshot;
  private busy = false;
  private timer: TimerHandle | null = null;
  private closed = false;
  private readonly intervalMs: number;

  constructor(
    rate: number,
    private readonly sink: StreamSink<SnapshotMessage>,
    private readonly latest: () => Snapshot,
    private readonly timers: Timers,
    labNow?: () => number,
  ) {
    this.intervalMs = 1000 / rate;
    this.last = latest();
    const now = labNow?.();
    this.deliver(now === undefined ? { kind: 'full', snapshot: this.last } : { kind: 'full', snapshot: this.last, now });
    this.arm();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Ticks fall on multiples of the interval, the same for every client at a rate: they then
   * share one snapshot of the lab and one diff (see diffOnce) per tick.
   */
  private arm(): void {
    if (this.closed) return;
    const now = this.timers.now();
    const next = (Math.floor(now / this.intervalMs) + 1) * this.intervalMs;
    this.timer = this.timers.after(next - now, () => {
      this.timer = null;
      this.tick();
      this.arm();
    });
  }

  private tick(): void {
    if (this.busy || this.closed) return;
    const now = this.latest();
    if (now === this.last) return;
    const diff = diffOnce(this.last, now);
    this.last = now;
    if (diff !== null) this.deliver({ kind: 'diff', diff });
  }

  private deliver(msg: SnapshotMessage): void {
    let pending: void | Promise<void>;
    try {
      pending = this.sink(msg);
    } catch {
      return;
    }
    if (pending === undefined) return;
    this.busy = true;
    const settled = (): void => {
      this.busy = false;
    };
    pending.then(settled, settled);
  }
}
