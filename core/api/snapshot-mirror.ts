// The client's copy of the lab, kept current from the snapshot stream; the base of every view.
import type { LabClient, SnapshotStreamInput } from './client.ts';
import type { Result } from './errors.ts';
import { ok } from './errors.ts';
import type { Subscription } from './lab-api.ts';
import type { Snapshot } from './snapshot.ts';
import { applySnapshotMessage, type SnapshotMessage } from './snapshot-diff.ts';

export class SnapshotMirror {
  private current: Snapshot | null = null;
  private sub: Subscription | null = null;

  private constructor(private readonly onChange: (s: Snapshot) => void) {}

  static async start(client: LabClient, args: SnapshotStreamInput, onChange: (s: Snapshot) => void = () => {}): Promise<Result<SnapshotMirror>> {
    const mirror = new SnapshotMirror(onChange);
    const sub = await client.subscribeSnapshots(args, (msg) => mirror.apply(msg));
    if (!sub.ok) return sub;
    mirror.sub = sub.value;
    return ok(mirror);
  }

  get snapshot(): Snapshot | null {
    return this.current;
  }

  apply(msg: SnapshotMessage): void {
    this.current = applySnapshotMessage(this.current, msg);
    this.onChange(this.current);
  }

  close(): void {
    this.sub?.close();
    this.sub = null;
  }
}
