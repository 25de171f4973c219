// An in-memory wire: two Links joined back to back, with a seeded fault model (loss,
// duplication, reordering, delay with jitter) driven by an injected clock. Deterministic:
// the same seed, clock steps and traffic give the same deliveries. Packets are copied at
// write() and delivered in batches by run() when due (never re-entrantly from write()).
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

export class MemoryWire {
  readonly a: Link;
  readonly b: Link;
  readonly stats: WireStats = { written: 0, lost: 0, duplicated: 0, reordered: 0, delivered: 0, tooBig: 0 };
  private readonly ends: [WireEnd, WireEnd];
  private readonly clock: WireClock;
  private readonly rng: Rng;
  private faults: [FaultModel, FaultModel];
  // In-flight packets: a min-heap on (due, order).
  private dueAt: number[] = [];
  private order: number[] = [];
  private pkts: Uint8Array[] = [];
  private dest: (0 | 1)[] = [];
  private counter = 0;

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
    return this.pkts.length;
  }

  /** When the next packet is due, or null. */
  nextDeadline(): number | null {
    return this.pkts.length === 0 ? null : this.dueAt[0];
  }

  /** Delivers every packet due at the clock's now, in batches per side. */
  runTimers(): void {
    const now = this.clock.now();
    const batches: [Uint8Array[], Uint8Array[]] = [[], []];
    while (this.pkts.length > 0 && this.dueAt[0] <= now) {
      const d = this.dest[0];
      batches[d].push(this.pkts[0]);
      this.pop();
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

  private push(due: number, p: Uint8Array, to: 0 | 1): void {
    const ord = this.counter++;
    const { dueAt, order, pkts, dest } = this;
    let i = pkts.length;
    dueAt.push(due);
    order.push(ord);
    pkts.push(p);
    dest.push(to);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dueAt[parent] < due || (dueAt[parent] === due && order[parent] < ord)) break;
      dueAt[i] = dueAt[parent];
      order[i] = order[parent];
      pkts[i] = pkts[parent];
      dest[i] = dest[parent];
      i = parent;
    }
    dueAt[i] = due;
    order[i] = ord;
    pkts[i] = p;
    dest[i] = to;
  }

  private pop(): void {
    const { dueAt, order, pkts, dest } = this;
    const lastDue = dueAt.pop() as number;
    const lastOrd = order.pop() as number;
    const lastP = pkts.pop() as Uint8Array;
    const lastD = dest.pop() as 0 | 1;
    const n = pkts.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (dueAt[r] < dueAt[l] || (dueAt[r] === dueAt[l] && order[r] < order[l])) ? r : l;
      if (dueAt[c] > lastDue || (dueAt[c] === lastDue && order[c] > lastOrd)) break;
      dueAt[i] = dueAt[c];
      order[i] = order[c];
      pkts[i] = pkts[c];
      dest[i] = dest[c];
      i = c;
    }
    dueAt[i] = lastDue;
    order[i] = lastOrd;
    pkts[i] = lastP;
    dest[i] = lastD;
  }
}
