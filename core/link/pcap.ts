// Recording what crosses the link to a pcap file (LINKTYPE_RAW: each record is one IPv4 packet),
// readable by tcpdump -r and Wireshark.
//
// PcapRecorder is a Link that wraps a Link: put it next to the device (stack -> fault injector ->
// recorder -> TUN) so it records what really crossed the wire: packets the injector drops on the
// way out never reach it, packets it drops on the way in were recorded as they arrived.
// Recording starts and stops at runtime and is bounded: a ring of at most maxPackets packets and
// maxBytes bytes of packet data, the oldest evicted first. When not recording, the wrapper costs
// one boolean test per written packet and per received batch.
import { writeFile } from 'node:fs/promises';
import type { Link, PacketHandler } from './link.ts';
import type { Clock } from './timing.ts';

export const LINKTYPE_RAW = 101;
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const GLOBAL_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;

export type PcapResolution = 'us' | 'ns';
export type Direction = 'in' | 'out';

/** One packet for the file: its time as epoch seconds + nanoseconds, the kept bytes, the real length. */
export interface PcapRecord {
  sec: number;
  nsec: number;
  data: Uint8Array;
  origLength: number;
}

/** A whole pcap file (little-endian, version 2.4, LINKTYPE_RAW). */
export function encodePcap(records: readonly PcapRecord[], snaplen: number, resolution: PcapResolution): Uint8Array {
  let size = GLOBAL_HEADER_LENGTH;
  for (const r of records) size += RECORD_HEADER_LENGTH + r.data.length;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, resolution === 'ns' ? PCAP_MAGIC_NS : PCAP_MAGIC_US, true);
  v.setUint16(4, 2, true); // version major
  v.setUint16(6, 4, true); // version minor
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, LINKTYPE_RAW, true);
  let at = GLOBAL_HEADER_LENGTH;
  for (const r of records) {
    v.setUint32(at, r.sec, true);
    v.setUint32(at + 4, resolution === 'ns' ? r.nsec : Math.floor(r.nsec / 1000), true);
    v.setUint32(at + 8, r.data.length, true);
    v.setUint32(at + 12, r.origLength, true);
    out.set(r.data, at + RECORD_HEADER_LENGTH);
    at += RECORD_HEADER_LENGTH + r.data.length;
  }
  return out;
}

export interface PcapCaptureOptions {
  /** Most packets kept (default 100000); older ones are evicted. */
  maxPackets?: number;
  /** Most bytes of packet data kept (default 64 MiB); older packets are evicted. */
  maxBytes?: number;
  /** Bytes kept per packet (default 65535). */
  snaplen?: number;
  /** Timestamp resolution in the file (default 'us'; 'ns' needs libpcap >= 1.5 / Wireshark). */
  resolution?: PcapResolution;
}

export interface PcapStatus {
  recording: boolean;
  /** Packets and bytes held now. */
  packets: number;
  bytes: number;
  /** Packets seen since start(), and how many of them the bounds evicted. */
  seen: number;
  evicted: number;
  maxPackets: number;
  maxBytes: number;
  snaplen: number;
  resolution: PcapResolution;
}

/** A recorded packet, for views: the clock's time (ms), the direction, the kept bytes. */
export interface CapturedPacket {
  at: number;
  dir: Direction;
  data: Uint8Array;
  origLength: number;
}

export interface PcapRecorderOptions {
  /** The injected clock (ms, monotonic); timestamps come from it. */
  clock: Clock;
  /** Epoch milliseconds now, to anchor the clock to wall time in the file (default Date.now). */
  wallClockMs?: () => number;
}

const DEFAULTS = { maxPackets: 100_000, maxBytes: 64 << 20, snaplen: 65535, resolution: 'us' as PcapResolution };

/** A Link that records the packets crossing the Link it wraps. */
export class PcapRecorder implements Link {
  private readonly inner: Link;
  private readonly clock: Clock;
  private readonly wallClockMs: () => number;
  private active = false;
  private limits = { ...DEFAULTS };
  // The ring: parallel arrays, `head` the oldest, `count` held.
  private times = new Float64Array(0);
  private dirs = new Uint8Array(0);
  private origs = new Int32Array(0);
  private data: (Uint8Array | null)[] = [];
  private head = 0;
  private count = 0;
  private bytes = 0;
  private seen = 0;
  private evicted = 0;
  private anchorEpochMs = 0;
  private anchorClockMs = 0;

  constructor(inner: Link, opts: PcapRecorderOptions) {
    this.inner = inner;
    this.clock = opts.clock;
    this.wallClockMs = opts.wallClockMs ?? Date.now;
  }

  get mtu(): number {
    return this.inner.mtu;
  }

  get recording(): boolean {
    return this.active;
  }

  /** Start a new recording (what an earlier one held is discarded). Throws on bad limits. */
  start(opts: PcapCaptureOptions = {}): void {
    const limits = { ...DEFAULTS, ...dropUndefined(opts) };
    checkLimit('maxPackets', limits.maxPackets, 1, 10_000_000);
    checkLimit('maxBytes', limits.maxBytes, 1, 4 * 1024 ** 3);
    checkLimit('snaplen', limits.snaplen, 1, 65535);
    if (limits.resolution !== 'us' && limits.resolution !== 'ns') {
      throw new RangeError(`pcap resolution must be 'us' or 'ns', not ${String(limits.resolution)}`);
    }
    this.limits = limits;
    this.times = new Float64Array(limits.maxPackets);
    this.dirs = new Uint8Array(limits.maxPackets);
    this.origs = new Int32Array(limits.maxPackets);
    this.data = new Array<Uint8Array | null>(limits.maxPackets).fill(null);
    this.head = this.count = this.bytes = this.seen = this.evicted = 0;
    this.anchorEpochMs = Math.round(this.wallClockMs());
    this.anchorClockMs = this.clock.now();
    this.active = true;
  }

  /** Stop recording; what was recorded stays until the next start() or clear(). */
  stop(): void {
    this.active = false;
  }

  clear(): void {
    this.data.fill(null);
    this.head = this.count = this.bytes = this.seen = this.evicted = 0;
  }

  status(): PcapStatus {
    return {
      recording: this.active, packets: this.count, bytes: this.bytes, seen: this.seen, evicted: this.evicted,
      maxPackets: this.limits.maxPackets, maxBytes: this.limits.maxBytes, snaplen: this.limits.snaplen,
      resolution: this.limits.resolution,
    };
  }

  /** Record one packet now (for use as a tap by code that is not a Link). */
  capture(dir: Direction, packet: Uint8Array): void {
    if (!this.active) return;
    const kept = packet.slice(0, this.limits.snaplen);
    this.seen++;
    while (this.count > 0 && (this.count === this.limits.maxPackets || this.bytes + kept.length > this.limits.maxBytes)) {
      this.evictOldest();
    }
    if (kept.length > this.limits.maxBytes) {
      this.evicted++;
      return;
    }
    const slot = (this.head + this.count) % this.limits.maxPackets;
    this.times[slot] = this.clock.now();
    this.dirs[slot] = dir === 'in' ? 0 : 1;
    this.origs[slot] = packet.length;
    this.data[slot] = kept;
    this.count++;
    this.bytes += kept.length;
  }

  private evictOldest(): void {
    const d = this.data[this.head];
    this.bytes -= d === null ? 0 : d.length;
    this.data[this.head] = null;
    this.head = (this.head + 1) % this.limits.maxPackets;
    this.count--;
    this.evicted++;
  }

  /** The recorded packets, oldest first. */
  packets(): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.limits.maxPackets;
      out.push({ at: this.times[slot], dir: this.dirs[slot] === 0 ? 'in' : 'out', data: this.data[slot] as Uint8Array, origLength: this.origs[slot] });
    }
    return out;
  }

  /** The recording as a pcap file. */
  toPcap(): Uint8Array {
    const anchorSec = Math.floor(this.anchorEpochMs / 1000);
    const anchorNs = (this.anchorEpochMs - anchorSec * 1000) * 1e6;
    const records = this.packets().map((p): PcapRecord => {
      const ns = anchorNs + Math.max(0, Math.round((p.at - this.anchorClockMs) * 1e6));
      const extraSec = Math.floor(ns / 1e9);
      return { sec: anchorSec + extraSec, nsec: ns - extraSec * 1e9, data: p.data, origLength: p.origLength };
    });
    return encodePcap(records, this.limits.snaplen, this.limits.resolution);
  }

  /** Write the recording to a pcap file; returns how many packets it holds. */
  async exportTo(path: string): Promise<number> {
    const count = this.count;
    await writeFile(path, this.toPcap());
    return count;
  }

  // ---- Link

  write(packet: Uint8Array): void {
    if (this.active) this.capture('out', packet);
    this.inner.write(packet);
  }

  flush(): void {
    this.inner.flush();
  }

  onReceive(handler: PacketHandler): void {
    this.inner.onReceive((packets) => {
      if (this.active) for (const p of packets) this.capture('in', p);
      handler(packets);
    });
  }

  close(): void {
    this.active = false;
    this.inner.close();
  }
}

function checkLimit(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`pcap ${name} must be an integer from ${min} to ${max}, not ${value}`);
  }
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
