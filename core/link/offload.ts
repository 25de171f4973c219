// TUN offloads (Tun.open({ offload: true })): the device is opened with IFF_VNET_HDR and
// TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4), so every packet read or written starts with a
// struct virtio_net_hdr (10 bytes):
//   u8 flags (1 = NEEDS_CSUM)  u8 gso_type (0 none, 1 TCPV4)  u16 hdr_len  u16 gso_size
//   u16 csum_start  u16 csum_offset      (little-endian, as the host)
// Reading: the kernel may hand over a TCP super-segment of up to 64 KB (what Linux's GRO makes on
// a NIC) with a partial checksum (the pseudo-header sum only): completeChecksum() finishes it, so
// the stack sees an ordinary, valid IPv4 packet, just longer than the MSS.
// Writing: consecutive full-sized data segments of one connection queued in the same flush are
// merged into one GSO packet (GsoMerger), so the kernel runs its receive path once per 64 KB
// instead of once per segment (what TSO does on a NIC). The stack, the fault injector and the
// pcap above the TUN still see every segment as the stack sent it.
import { checksumAdd, checksumFinish } from '../wire/checksum.ts';

export const VNET_HDR_LEN = 10;
const F_NEEDS_CSUM = 1;
const GSO_TCPV4 = 1;

const ACK = 0x10;
const PSH = 0x08;
const MAX_IP = 65535;
const MAX_SEGS = 64;

/** Whether a packet read in offload mode is a GSO super-segment. */
export function isGso(p: Uint8Array): boolean {
  return p.length >= VNET_HDR_LEN && p[1] !== 0;
}

/**
 * A packet read in offload mode (virtio-net header first): completes a partial checksum in
 * place. Returns the offset of the IPv4 packet (VNET_HDR_LEN), or -1 for a malformed header.
 */
export function completeChecksum(p: Uint8Array): number {
  if (p.length < VNET_HDR_LEN) return -1;
  if ((p[0] & F_NEEDS_CSUM) !== 0) {
    const start = VNET_HDR_LEN + (p[6] | (p[7] << 8));
    const field = start + (p[8] | (p[9] << 8));
    if (field + 2 > p.length || start >= p.length) return -1;
    // The field holds the pseudo-header sum; the sum over [start, end) including it, inverted, is the checksum.
    const c = checksumFinish(checksumAdd(0, p, start, p.length));
    p[field] = c >>> 8;
    p[field + 1] = c & 0xff;
  }
  return VNET_HDR_LEN;
}

/** Writes a "no offload" virtio-net header (the packet's checksums are complete). */
export function plainHeader(arena: Uint8Array, at: number): void {
  arena.fill(0, at, at + VNET_HDR_LEN);
}

/**
 * Merges queued TCP segments into GSO packets in a transmit arena. The caller tells it where
 * each queued packet (with its virtio-net header) starts; `tryAppend` either merges a new
 * segment into the last packet (and returns how many bytes the packet grew) or returns -1.
 */
export class GsoMerger {
  private at = -1;          // arena offset of the last packet's virtio-net header, -1: nothing open
  private len = 0;          // its length including the header
  private src = 0;
  private dst = 0;
  private ports = 0;
  private nextSeq = 0;
  private segSize = 0;      // payload bytes of each merged segment (gso_size)
  private tcpHdr = 0;
  private segs = 0;
  merged = 0;               // segments merged away (stats)

  /** Forget the open packet (after a flush, or when something else was queued after it). */
  reset(): void {
    this.at = -1;
  }

  /**
   * A packet was just queued at arena[at, at + len) (header included): remember it as the open
   * packet if later segments could join it.
   */
  opened(arena: Uint8Array, at: number, len: number): void {
    const ip = at + VNET_HDR_LEN;
    const info = dataSegment(arena, ip, len - VNET_HDR_LEN);
    if (info === null) {
      this.at = -1;
      return;
    }
    this.at = at;
    this.len = len;
    this.src = readU32(arena, ip + 12);
    this.dst = readU32(arena, ip + 16);
    this.ports = readU32(arena, ip + 20);
    this.tcpHdr = info.tcpHdr;
    this.segSize = info.payload;
    this.nextSeq = (readU32(arena, ip + 24) + info.payload) >>> 0;
    this.segs = 1;
  }

  /**
   * Merge `p` (a bare IPv4 packet) into the open packet when it continues it: same connection,
   * next in sequence, the same header length, ACK (+PSH) only, at most as long as the first
   * segment, which every earlier one matched. Returns the bytes appended to the arena, or -1.
   */
  tryAppend(arena: Uint8Array, p: Uint8Array): number {
    if (this.at < 0 || this.segs >= MAX_SEGS) return -1;
    const info = dataSegment(p, 0, p.length);
    if (info === null || info.tcpHdr !== this.tcpHdr || info.payload > this.segSize) return -1;
    if (readU32(p, 12) !== this.src || readU32(p, 16) !== this.dst || readU32(p, 20) !== this.ports) return -1;
    if (readU32(p, 24) !== this.nextSeq) return -1;
    const ipLen = this.len - VNET_HDR_LEN;
    if (ipLen + info.payload > MAX_IP) return -1;
    const hdr = this.at;
    const ip = hdr + VNET_HDR_LEN;
    const tcp = ip + 20;
    // The newest ACK, flags, window and options (timestamps) speak for the merged segment; PSH sticks.
    const psh = arena[tcp + 13] & PSH;
    arena.set(p.subarray(28, 36), tcp + 8);
    arena.set(p.subarray(20 + 18, 20 + info.tcpHdr), tcp + 18);
    arena[tcp + 13] |= psh;
    arena.set(p.subarray(20 + info.tcpHdr), hdr + this.len);
    this.len += info.payload;
    this.segs++;
    this.merged++;
    this.nextSeq = (this.nextSeq + info.payload) >>> 0;
    const total = this.len - VNET_HDR_LEN;
    // IPv4 total length and header checksum.
    arena[ip + 2] = total >>> 8;
    arena[ip + 3] = total & 0xff;
    arena[ip + 10] = 0;
    arena[ip + 11] = 0;
    const ipSum = checksumFinish(checksumAdd(0, arena, ip, ip + 20));
    arena[ip + 10] = ipSum >>> 8;
    arena[ip + 11] = ipSum & 0xff;
    // A partial TCP checksum (the pseudo-header sum, not inverted) for the kernel to finish
    // (for local delivery it need not: CHECKSUM_PARTIAL counts as verified).
    const tcpLen = total - 20;
    let sum = (this.src >>> 16) + (this.src & 0xffff) + (this.dst >>> 16) + (this.dst & 0xffff) + 6 + tcpLen;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    arena[tcp + 16] = sum >>> 8;
    arena[tcp + 17] = sum & 0xff;
    // The virtio-net header: GSO TCPv4 with gso_size = the segment size.
    arena[hdr] = F_NEEDS_CSUM;
    arena[hdr + 1] = GSO_TCPV4;
    writeU16le(arena, hdr + 2, 20 + this.tcpHdr);
    writeU16le(arena, hdr + 4, this.segSize);
    writeU16le(arena, hdr + 6, 20);
    writeU16le(arena, hdr + 8, 16);
    // A shorter segment ends the packet (GSO segments are all gso_size but the last).
    if (info.payload < this.segSize) this.at = -1;
    return info.payload;
  }

  /** Whether nothing is open. */
  get idle(): boolean {
    return this.at < 0;
  }
}

/** A mergeable TCP data segment: IPv4 without options or fragments, ACK (+PSH) only, with payload. */
function dataSegment(b: Uint8Array, ip: number, len: number): { tcpHdr: number; payload: number } | null {
  if (len < 40 || b[ip] !== 0x45 || b[ip + 9] !== 6) return null;
  if ((b[ip + 6] & 0x3f) !== 0 || b[ip + 7] !== 0) return null; // MF or a fragment offset
  const total = (b[ip + 2] << 8) | b[ip + 3];
  if (total !== len) return null;
  const tcpHdr = (b[ip + 20 + 12] >>> 4) * 4;
  const flags = b[ip + 20 + 13];
  if ((flags & ~PSH) !== ACK || tcpHdr < 20) return null;
  const payload = total - 20 - tcpHdr;
  return payload > 0 ? { tcpHdr, payload } : null;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function writeU16le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = v >>> 8;
}
