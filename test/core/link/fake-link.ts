// A Link for unit tests: records what is written and flushed, delivers batches on demand.
import type { Link, PacketHandler } from '../../../core/link/link.ts';

export class FakeLink implements Link {
  mtu = 1500;
  /** Packets written since the last flush. */
  queued: Uint8Array[] = [];
  /** Every flush: the packets it sent (copies). */
  flushes: Uint8Array[][] = [];
  closed = false;
  private handler: PacketHandler | null = null;

  write(packet: Uint8Array): void {
    this.queued.push(packet.slice());
  }

  flush(): void {
    if (this.queued.length > 0) this.flushes.push(this.queued);
    this.queued = [];
  }

  /** Everything sent, in order. */
  get sent(): Uint8Array[] {
    return this.flushes.flat();
  }

  onReceive(handler: PacketHandler): void {
    this.handler = handler;
  }

  /** Deliver a batch as the device would (views valid only during the call). */
  deliver(packets: Uint8Array[]): void {
    this.handler?.(packets);
  }

  close(): void {
    this.closed = true;
  }
}
