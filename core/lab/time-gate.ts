// The time gate: a Link wrapper between the stack and the rest of the wire (fault injector, pcap
// tap, TUN). While it holds, packets from the wire wait here instead of reaching the stack
// (the kernel keeps sending in real time; the lab side stands still), bounded: past the limit
// the oldest stay and new ones are dropped and counted, as a full NIC ring would. step(n) lets
// the stack take the oldest n; letting go delivers everything held, in order. Packets the stack
// sends go straight through (a user's call while paused is the user's own step).
import type { Clock } from '../stack/clock.ts';
import type { Link, PacketHandler } from '../link/link.ts';
import { formatPacket } from '../wire/pretty.ts';
import type { HeldPacket } from '../api/snapshot.ts';

export const GATE_LIMIT = 10_000;

/** A packet waiting at the gate, as the UIs show it (core/api/snapshot.ts). */
export type { HeldPacket };

interface Held { at: number; bytes: Uint8Array }

export class TimeGate implements Link {
  private handler: PacketHandler | null = null;
  private queue: Held[] = [];
  private head = 0;
  private holding = false;
  /** Packets dropped because the gate was full. */
  dropped = 0;

  /** `onHold`: called when packets were held (the lab's snapshot shows the count). */
  constructor(private readonly inner: Link, private readonly clock: Clock, private readonly limit = GATE_LIMIT, private readonly onHold: (() => void) | null = null) {
    inner.onReceive((batch) => this.arrive(batch));
  }

  get mtu(): number {
    return this.inner.mtu;
  }

  get isHolding(): boolean {
    return this.holding;
  }

  /** Packets waiting now. */
  get held(): number {
    return this.queue.length - this.head;
  }

  private arrive(batch: readonly Uint8Array[]): void {
    if (!this.holding) {
      this.handler?.(batch);
      return;
    }
    const at = this.clock.now();
    for (const p of batch) {
      if (this.held >= this.limit) this.dropped++;
      else this.queue.push({ at, bytes: p.slice() });
    }
    this.onHold?.();
  }

  /** Start holding, or stop and deliver everything held (in arrival order, as one batch). */
  hold(on: boolean): void {
    if (on === this.holding) return;
    this.holding = on;
    if (!on) this.deliver(this.held);
  }

  /** Let the stack take the oldest `n` held packets; returns how many it got. */
  step(n = 1): number {
    return this.deliver(Math.min(n, this.held));
  }

  private deliver(n: number): number {
    if (n <= 0) return 0;
    const batch = this.queue.slice(this.head, this.head + n).map((h) => h.bytes);
    this.head += n;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.handler?.(batch);
    return batch.length;
  }

  /** The oldest `max` held packets, for the UIs. */
  peek(max = 16): HeldPacket[] {
    return this.queue.slice(this.head, this.head + max).map((h) => ({ dir: 'in', at: h.at, text: formatPacket(h.bytes) }));
  }

  // ---- Link ---------------------------------------------------------------------------------

  write(packet: Uint8Array): void {
    this.inner.write(packet);
  }

  flush(): void {
    this.inner.flush();
  }

  onReceive(handler: PacketHandler): void {
    this.handler = handler;
  }

  close(): void {
    this.queue = [];
    this.head = 0;
    this.inner.close();
  }
}
