// An in-memory wire: two Links joined back to back, with a seeded fault model (loss,
// duplication, reordering, delay with jitter) driven by an injected clock. Deterministic:
// the same seed, clock steps and traffic give the same deliveries. Packets are copied at
// write() and delivered in batches by run() when due (never re-entrantly from write()).
import { DeadlineHeap } from '../tcp/deadline-heap.ts';
import type { Link, PacketHandler } from './link.ts';

export interface FaultModel {
  /** Probability a packet is lost (0..1). */
  loss?: number;
  /** Probability a packet is delivered twice. */
  duplicate?: number;
  /** Probability a packet is held back by reorderDelayMs (overtaken by later ones). */
  reorder?: number;
  /** Base one-way delay (ms). */
  delayMs?: number;
  /** Uniform extra delay in [0, jitterMs) (ms). */
  jitterMs?: number;
  /** Extra delay of a reordered packet (ms), default 2 * delayMs + 1. */
  reorderDelayMs?: number;
}

export interface WireClock {
  now(): number;
}

export interface MemoryWireOptions {
  clock: WireClock;
  seed?: number;
  mtu?: number;
  /** Faults for both directions, or per direction (a -> b, b -> a). */
  faults?: FaultModel;
  faultsAtoB?: FaultModel;
  faultsBtoA?: FaultModel;
}

export interface WireStats {
  written: number;
  lost: number;
  duplicated: number;
  reordered: number;
  delivered: number;
  tooBig: number;
}

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  }
}

class WireEnd implements Link {
  readonly mtu: number;
  handler: PacketHandler | null = null;
  closed = false;
  constructor(private readonly wire: MemoryWire, readonly side: 0 | 1, mtu: number) {
    this.mtu = mtu;
  }
  write(packet: Uint8Array): void {
    if (!this.closed) this.wire.transmit(this.side, packet);
  }
  flush(): void {
    // Packets are queued at write(); delivery happens in run().
  }
  onReceive(handler: PacketHandler): void {
    this.handler = handler;
  }
  close(): void {
    this.closed = true;
    this.handler = null;
  }
}

interface InFlight { packet: Uint8Array; to: 0 | 1 }

export class MemoryWire {
  readonly a: Link;
  readonly b: Link;
  readonly stats: WireStats = { written: 0, lost: 0, duplicated: 0, reordered: 0, delivered: 0, tooBig: 0 };
  private readonly ends: [WireEnd, WireEnd];
  private readonly clock: WireClock;
  private readonly rng: Rng;
  private faults: [FaultModel, FaultModel];
  // In-flight packets by due time (equal times in the order sent).
  private readonly inflight = new DeadlineHeap<InFlight>();

  constructor(opts: MemoryWireOptions) {
    const mtu = opts.mtu ?? 1500;
    this.clock = opts.clock;
    this.rng = new Rng(opts.seed ?? 1);
    this.ends = [new WireEnd(this, 0, mtu), new WireEnd(this, 1, mtu)];
    this.a = this.ends[0];
    this.b = this.ends[1];
    this.faults = [opts.faultsAtoB ?? opts.faults ?? {}, opts.faultsBtoA ?? opts.faults ?? {}];
  }

  setFaults(f: FaultModel, direction: 'both' | 'a->b' | 'b->a' = 'both'): void {
    if (direction !== 'b->a') this.faults[0] = f;
    if (direction !== 'a->b') this.faults[1] = f;
  }

  /** @internal a packet written by side `from`. */
  transmit(from: 0 | 1, packet: Uint8Array): void {
    this.stats.written++;
    if (packet.length > this.ends[from].mtu) {
      this.stats.tooBig++;
      return;
    }
    const f = this.faults[from];
    const to: 0 | 1 = from === 0 ? 1 : 0;
    if ((f.loss ?? 0) > 0 && this.rng.next() < (f.loss as number)) {
      this.stats.lost++;
      return;
    }
    const copy = packet.slice();
    const base = f.delayMs ?? 0;
    let due = this.clock.now() + base + ((f.jitterMs ?? 0) > 0 ? this.rng.next() * (f.jitterMs as number) : 0);
    if ((f.reorder ?? 0) > 0 && this.rng.next() < (f.reorder as number)) {
      this.stats.reordered++;
      due += f.reorderDelayMs ?? 2 * base + 1;
    }
    this.push(due, copy, to);
    if ((f.duplicate ?? 0) > 0 && this.rng.next() < (f.duplicate as number)) {
      this.stats.duplicated++;
      this.push(due + (f.jitterMs ?? 0) * this.rng.next(), copy, to);
    }
  }

  /** Packets in flight. */
  get inFlight(): number {
    return this.inflight.length;
  }

  /** When the next packet is due, or null. */
  nextDeadline(): number | null {
    return this.inflight.peekDeadline();
  }

  /** Delivers every packet due at the clock's now, in batches per side. */
  runTimers(): void {
    const now = this.clock.now();
    const batches: [Uint8Array[], Uint8Array[]] = [[], []];
    for (let due = this.inflight.peekDeadline(); due !== null && due <= now; due = this.inflight.peekDeadline()) {
      const { packet, to } = this.inflight.pop() as InFlight;
      batches[to].push(packet);
    }
    for (const side of [0, 1] as const) {
      const batch = batches[side];
      if (batch.length === 0) continue;
      const h = this.ends[side].handler;
      if (h === null) continue;
      this.stats.delivered += batch.length;
      h(batch);
    }
  }

  private push(due: number, packet: Uint8Array, to: 0 | 1): void {
    this.inflight.push(due, { packet, to });
  }
}
