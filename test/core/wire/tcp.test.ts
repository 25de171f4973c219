import { describe, expect, it } from 'vitest';
import { IPPROTO_TCP, parseIpv4 } from '../../../core/wire/ipv4.ts';
import { seq } from '../../../core/wire/seq.ts';
import {
  ACK_BIT, CWR, ECE, FIN, PSH, RST, SYN, TCP_CHECKSUM, TCP_DATA_OFFSET, TCP_FLAGS, TCP_URGENT, URG_BIT,
  buildTcpPacket, emitTcp, makeSegment, parseTcp, segmentSeqLength, tcpHeaderLength,
} from '../../../core/wire/tcp.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';
import { NO_OPTIONS } from '../../../core/wire/tcp-options.ts';
import { referenceChecksum } from './helpers.ts';

const A = 0x0a4d0001;
const B = 0x0a4d0002;

function bytesOf(seg: TcpSegment, src = A, dst = B): Uint8Array {
  const buf = new Uint8Array(tcpHeaderLength(seg) + seg.payload.length);
  expect(emitTcp(seg, src, dst, buf, 0)).toBe(buf.length);
  return buf;
}

/** Recomputes the TCP checksum after a test changed a field. */
function fixChecksum(b: Uint8Array, src = A, dst = B): Uint8Array {
  b[TCP_CHECKSUM] = 0;
  b[TCP_CHECKSUM + 1] = 0;
  const c = referenceChecksum(b, [src >>> 16, src & 0xffff, dst >>> 16, dst & 0xffff, IPPROTO_TCP, b.length]);
  b[TCP_CHECKSUM] = c >>> 8;
  b[TCP_CHECKSUM + 1] = c & 0xff;
  return b;
}

const SYN_SEG = makeSegment({
  srcPort: 40000, dstPort: 80, seq: seq(123), flags: SYN, window: 64240,
  options: { mss: 1460, sackPermitted: true, timestamps: { value: 1, echo: 0 }, wscale: 7 },
});

describe('TCP segments', () => {
  it('makeSegment fills the defaults', () => {
    const s = makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3) });
    expect(s).toEqual({ srcPort: 1, dstPort: 2, seq: 3, ack: null, flags: 0, window: 0, urgent: null, options: NO_OPTIONS, payload: new Uint8Array(0) });
  });

  it('makeSegment keeps ACK/URG consistent with ack/urgent', () => {
    expect(() => makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), flags: ACK_BIT })).toThrow(RangeError);
    expect(() => makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), flags: URG_BIT })).toThrow(RangeError);
    const s = makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), ack: seq(4), flags: ACK_BIT | PSH });
    expect(s.flags).toBe(PSH);
    expect(s.ack).toBe(4);
  });

  it('round-trips a SYN with the Linux option layout', () => {
    const b = bytesOf(SYN_SEG);
    expect(b.length).toBe(40);
    expect(b[TCP_DATA_OFFSET]).toBe(0xa0);
    expect(b[TCP_FLAGS]).toBe(SYN);
    const r = parseTcp(b, A, B);
    expect(r.ok && r.value).toEqual(SYN_SEG);
  });

  it('round-trips every flag combination, ack only with ACK, urgent only with URG', () => {
    for (let f = 0; f < 256; f++) {
      const seg = makeSegment({
        srcPort: 65535, dstPort: 1, seq: seq(0xfffffffe), flags: f & ~(ACK_BIT | URG_BIT),
        ack: f & ACK_BIT ? seq(0x80000000) : null, urgent: f & URG_BIT ? 0xffff : null, window: f * 257,
        payload: new Uint8Array([f, 1, 2]),
      });
      const b = bytesOf(seg);
      expect(b[TCP_FLAGS]).toBe(f);
      const r = parseTcp(b, A, B);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.value).toEqual(seg);
      expect(r.value.ack === null).toBe((f & ACK_BIT) === 0);
      expect(r.value.urgent === null).toBe((f & URG_BIT) === 0);
    }
    for (const f of [FIN, SYN, RST, PSH, ECE, CWR]) expect(f & (ACK_BIT | URG_BIT)).toBe(0);
  });

  it('does not keep ack / urgent fields of segments without ACK / URG', () => {
    const b = bytesOf(makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), flags: RST }));
    b[8] = 0x12; // ack field
    b[TCP_URGENT] = 0x34;
    const r = parseTcp(fixChecksum(b), A, B);
    expect(r.ok && r.value.ack).toBeNull();
    expect(r.ok && r.value.urgent).toBeNull();
  });

  it('payload is a view and emission into a larger buffer at an offset works', () => {
    const payload = new Uint8Array([104, 105]);
    const seg = makeSegment({ srcPort: 5, dstPort: 6, seq: seq(7), ack: seq(8), flags: PSH, window: 9, payload, options: { timestamps: { value: 1, echo: 2 } } });
    const buf = new Uint8Array(100).fill(0xcc);
    const n = emitTcp(seg, A, B, buf, 13);
    expect(n).toBe(20 + 12 + 2);
    expect(buf[12]).toBe(0xcc);
    expect(buf[13 + n]).toBe(0xcc);
    const view = buf.subarray(13, 13 + n);
    const r = parseTcp(view, A, B);
    expect(r.ok && r.value).toEqual(seg);
    expect(r.ok && r.value.payload.buffer).toBe(buf.buffer);
    expect(segmentSeqLength(seg)).toBe(2);
    expect(segmentSeqLength(SYN_SEG)).toBe(1);
  });

  it('builds in place without copying a payload already at its place', () => {
    const buf = new Uint8Array(20 + 20 + 5);
    const payload = buf.subarray(40);
    payload.set([1, 2, 3, 4, 5]);
    const seg = makeSegment({ srcPort: 5, dstPort: 6, seq: seq(7), payload });
    expect(emitTcp(seg, A, B, buf, 20)).toBe(25);
    const r = parseTcp(buf.subarray(20), A, B);
    expect(r.ok && [...r.value.payload]).toEqual([1, 2, 3, 4, 5]);
  });

  it('throws RangeError when the segment does not fit (a caller bug)', () => {
    expect(() => emitTcp(SYN_SEG, A, B, new Uint8Array(39), 0)).toThrow(RangeError);
    expect(() => emitTcp(SYN_SEG, A, B, new Uint8Array(60), 21)).toThrow(RangeError);
  });

  it('buildTcpPacket makes a whole IPv4 packet', () => {
    const p = buildTcpPacket(A, B, SYN_SEG, { ttl: 9, id: 77 });
    const ip = parseIpv4(p);
    expect(ip.ok).toBe(true);
    if (!ip.ok) return;
    expect(ip.value.header).toMatchObject({ src: A, dst: B, protocol: IPPROTO_TCP, ttl: 9, id: 77, dontFragment: true, totalLength: 60 });
    const r = parseTcp(ip.value.payload, A, B);
    expect(r.ok && r.value).toEqual(SYN_SEG);
  });
});

describe('TCP parse errors', () => {
  it('is truncated below 20 bytes', () => {
    const b = bytesOf(SYN_SEG);
    for (let n = 0; n < 20; n++) expect(parseTcp(b.subarray(0, n), A, B)).toEqual({ ok: false, error: 'tcp-truncated' });
  });

  it('rejects a data offset below 5 or past the segment', () => {
    const b = bytesOf(SYN_SEG);
    for (let doff = 0; doff < 16; doff++) {
      const c = b.slice();
      c[TCP_DATA_OFFSET] = doff << 4;
      const r = parseTcp(fixChecksum(c), A, B);
      if (doff < 5 || doff > 10) expect(r).toEqual({ ok: false, error: 'tcp-bad-data-offset' });
      else expect(r.ok || r.error === 'tcp-bad-option').toBe(true);
    }
    // Cut inside the options: the data offset now points past the end.
    for (let n = 20; n < 40; n++) expect(parseTcp(b.subarray(0, n), A, B)).toEqual({ ok: false, error: 'tcp-bad-data-offset' });
  });

  it('verifies the checksum including the pseudo-header', () => {
    const b = bytesOf(SYN_SEG);
    for (let i = 0; i < b.length; i++) {
      const c = b.slice();
      c[i] ^= 0x20;
      const r = parseTcp(c, A, B);
      expect(r.ok).toBe(false);
    }
    expect(parseTcp(b, A, B + 1)).toEqual({ ok: false, error: 'tcp-bad-checksum' });
    expect(parseTcp(b, B, A)).toEqual({ ok: true, value: SYN_SEG }); // the sum is symmetric in src/dst
    const c = b.slice();
    c[TCP_CHECKSUM] ^= 1;
    expect(parseTcp(c, A, B)).toEqual({ ok: false, error: 'tcp-bad-checksum' });
  });

  it('reports malformed options after a good checksum', () => {
    const b = bytesOf(SYN_SEG);
    b[21] = 3; // the MSS option's length
    expect(parseTcp(fixChecksum(b), A, B)).toEqual({ ok: false, error: 'tcp-bad-option' });
  });
});
