// One client's snapshot stream: a full snapshot first, then at most one diff per interval
// (the client's rate), and only when something changed. A client still busy with the previous
// message is skipped: the next diff covers both, so a slow client costs the lab nothing.
import type { StreamSink } from './lab-api.ts';
import type { Snapshot } from './snapshot.ts';
import { diffSnapshots, type SnapshotMessage } from './snapshot-diff.ts';
import type { TimerHandle, Timers } from './timers.ts';

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
  ) {
    this.intervalMs = 1000 / rate;
    this.last = latest();
    this.deliver({ kind: 'full', snapshot: this.last });
    this.arm();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.timers.after(this.intervalMs, () => {
      this.timer = null;
      this.tick();
      this.arm();
    });
  }

  private tick(): void {
    if (this.busy || this.closed) return;
    const now = this.latest();
    if (now === this.last) return;
    const diff = diffSnapshots(this.last, now);
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
