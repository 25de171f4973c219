// TUN offloads (core/link/offload.ts): finishing a partial checksum the kernel left, and merging
// consecutive data segments into one GSO packet with the virtio-net header the kernel expects.
import { describe, expect, it } from 'vitest';
import { completeChecksum, GsoMerger, plainHeader, VNET_HDR_LEN } from '../../../core/link/offload.ts';
import { checksum, checksumAdd, checksumFinish, pseudoHeaderSum } from '../../../core/wire/checksum.ts';
import { parseIpv4 } from '../../../core/wire/ipv4.ts';
import { seq } from '../../../core/wire/seq.ts';
import { ACK_BIT, buildTcpPacket, FIN, makeSegment, parseTcp, PSH } from '../../../core/wire/tcp.ts';

const A = 0x0a4d0002;
const B = 0x0a4d0001;
const TS = { timestamps: { value: 100, echo: 7 } };

function data(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (fill + i) & 255);
}

function segment(s: number, payload: Uint8Array, opts: { ack?: number; win?: number; psh?: boolean; fin?: boolean; ts?: number } = {}): Uint8Array {
  return buildTcpPacket(A, B, makeSegment({
    srcPort: 40000, dstPort: 5001, seq: seq(s), ack: seq(opts.ack ?? 9000), flags: ACK_BIT | (opts.psh ? PSH : 0) | (opts.fin ? FIN : 0),
    window: opts.win ?? 1000, payload, options: { timestamps: { value: opts.ts ?? 100, echo: 7 } },
  }), { id: 1 });
}

/** Queue packets the way Tun.write does in offload mode; returns the queued packets (headers included). */
function queue(packets: Uint8Array[]): { arena: Uint8Array; lengths: number[]; merger: GsoMerger } {
  const arena = new Uint8Array(1 << 20);
  const lengths: number[] = [];
  const merger = new GsoMerger();
  let off = 0;
  for (const p of packets) {
    const grew = merger.tryAppend(arena, p);
    if (grew >= 0) {
      lengths[lengths.length - 1] += grew;
      off += grew;
      continue;
    }
    plainHeader(arena, off);
    arena.set(p, off + VNET_HDR_LEN);
    lengths.push(p.length + VNET_HDR_LEN);
    merger.opened(arena, off, p.length + VNET_HDR_LEN);
    off += p.length + VNET_HDR_LEN;
  }
  return { arena, lengths, merger };
}

function packetsOf(q: { arena: Uint8Array; lengths: number[] }): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  for (const l of q.lengths) {
    out.push(q.arena.slice(off, off + l));
    off += l;
  }
  return out;
}

const u16le = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8);

describe('completeChecksum', () => {
  it('finishes a partial TCP checksum (CHECKSUM_PARTIAL) so the packet verifies', () => {
    const p = segment(1000, data(3000, 5));
    const full = new Uint8Array(VNET_HDR_LEN + p.length);
    full.set(p, VNET_HDR_LEN);
    const tcp = VNET_HDR_LEN + 20;
    // What the kernel hands over: the pseudo-header sum (folded, not inverted) in the field.
    const ph = pseudoHeaderSum(A, B, 6, p.length - 20);
    full[tcp + 16] = ph >>> 8;
    full[tcp + 17] = ph & 0xff;
    full[0] = 1; // NEEDS_CSUM
    full[1] = 1; // GSO TCPv4
    full[6] = 20; // csum_start (from the IP header)
    full[8] = 16; // csum_offset
    expect(completeChecksum(full)).toBe(VNET_HDR_LEN);
    expect(full.subarray(VNET_HDR_LEN)).toEqual(p);
  });

  it('leaves a complete packet alone and refuses a truncated header', () => {
    const p = segment(1, data(10, 1));
    const full = new Uint8Array(VNET_HDR_LEN + p.length);
    full.set(p, VNET_HDR_LEN);
    expect(completeChecksum(full)).toBe(VNET_HDR_LEN);
    expect(full.subarray(VNET_HDR_LEN)).toEqual(p);
    expect(completeChecksum(new Uint8Array(4))).toBe(-1);
  });
});

describe('GsoMerger', () => {
  it('merges consecutive full-sized segments into one GSO packet: header, lengths, checksums, payload', () => {
    const parts = [data(1448, 1), data(1448, 2), data(1448, 3), data(500, 4)];
    let s = 5000;
    const pkts = parts.map((d, i) => {
      const p = segment(s, d, { ack: 9000 + i, win: 1000 + i, psh: i === 3, ts: 100 + i });
      s += d.length;
      return p;
    });
    const q = queue(pkts);
    expect(q.lengths).toHaveLength(1);
    expect(q.merger.merged).toBe(3);
    const [g] = packetsOf(q);
    // virtio-net header: NEEDS_CSUM, GSO TCPv4, hdr_len 20+32, gso_size 1448, csum at 20+16
    expect([g[0], g[1], u16le(g, 2), u16le(g, 4), u16le(g, 6), u16le(g, 8)]).toEqual([1, 1, 52, 1448, 20, 16]);
    const ip = g.subarray(VNET_HDR_LEN);
    const parsed = parseIpv4(ip);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.header.totalLength).toBe(20 + 32 + 1448 * 3 + 500);
    expect(checksum(ip, 0, 20)).toBe(0);
    // The TCP checksum field holds the pseudo-header sum: finishing it makes a valid segment.
    const tcpLen = ip.length - 20;
    expect((ip[36] << 8) | ip[37]).toBe(pseudoHeaderSum(A, B, 6, tcpLen));
    const fixed = g.slice();
    completeChecksum(fixed);
    const seg = parseTcp(fixed.subarray(VNET_HDR_LEN + 20), A, B);
    expect(seg.ok).toBe(true);
    if (!seg.ok) return;
    expect(seg.value.seq).toBe(5000);
    expect(seg.value.ack).toBe(9003);
    expect(seg.value.window).toBe(1003);
    expect(seg.value.flags & PSH).toBe(PSH);
    expect(seg.value.options.timestamps).toEqual({ value: 103, echo: 7 });
    expect(Buffer.from(seg.value.payload)).toEqual(Buffer.concat(parts));
    expect(checksumFinish(checksumAdd(pseudoHeaderSum(A, B, 6, tcpLen), fixed, VNET_HDR_LEN + 20, fixed.length))).toBe(0);
  });

  it('does not merge across a gap, another connection, a shorter segment, a FIN or a non-data segment', () => {
    const a = segment(0, data(1000, 1));
    const gap = segment(2000, data(1000, 2));
    expect(queue([a, gap]).lengths).toHaveLength(2);
    const other = buildTcpPacket(A, B, makeSegment({ srcPort: 40001, dstPort: 5001, seq: seq(1000), ack: seq(1), flags: ACK_BIT, window: 1, payload: data(1000, 3), options: TS }));
    expect(queue([a, other]).lengths).toHaveLength(2);
    const short = segment(1000, data(10, 4));
    const after = segment(1010, data(10, 5));
    expect(queue([a, short, after]).lengths).toEqual([10 + 52 + 1010, 10 + 52 + 10]);
    const fin = segment(1000, data(1000, 6), { fin: true });
    expect(queue([a, fin]).lengths).toHaveLength(2);
    const ack = segment(1000, new Uint8Array(0));
    expect(queue([a, ack, segment(1000, data(1000, 7))]).lengths).toHaveLength(3);
    const longer = segment(1000, data(1200, 8));
    expect(queue([a, longer]).lengths).toHaveLength(2);
  });

  it('keeps a merged packet within 65535 bytes of IPv4', () => {
    const pkts: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) pkts.push(segment(i * 1448, data(1448, i)));
    const q = queue(pkts);
    expect(q.lengths.length).toBe(2);
    for (const p of packetsOf(q)) expect(p.length - VNET_HDR_LEN).toBeLessThanOrEqual(65535);
    const first = packetsOf(q)[0];
    expect((first[VNET_HDR_LEN + 2] << 8) | first[VNET_HDR_LEN + 3]).toBe(first.length - VNET_HDR_LEN);
  });
});
