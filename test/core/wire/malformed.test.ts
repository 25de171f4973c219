// Malformed input: truncations, corruptions, bad offsets and lengths, and thousands of seeded
// random packets. Parsers must never throw, and must return either a value or one of the
// WireError codes.
import { describe, expect, it } from 'vitest';
import { checksum, checksumAdd, checksumFinish, pseudoHeaderSum } from '../../../core/wire/checksum.ts';
import { parseIcmp } from '../../../core/wire/icmp.ts';
import { IPPROTO_ICMP, IPPROTO_TCP, emitIpv4Header, parseIpv4 } from '../../../core/wire/ipv4.ts';
import { formatPacket, formatSegment } from '../../../core/wire/pretty.ts';
import { WIRE_ERRORS } from '../../../core/wire/result.ts';
import type { WireResult } from '../../../core/wire/result.ts';
import { TCP_CHECKSUM, TCP_DATA_OFFSET, emitTcp, parseTcp, tcpHeaderLength } from '../../../core/wire/tcp.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';
import { MAX_OPTIONS_LENGTH, emittedSackBlocks, formatOptions, optionsLength, parseTcpOptions } from '../../../core/wire/tcp-options.ts';
import { fromHex, loadFixtures, prng, randomBytes } from './helpers.ts';

const KNOWN_ERRORS = new Set<string>(WIRE_ERRORS);

function expectWellFormed<T>(r: WireResult<T>): void {
  expect(typeof r.ok).toBe('boolean');
  if (!r.ok) expect(KNOWN_ERRORS.has(r.error)).toBe(true);
}

/** The whole receive path: IPv4, then TCP or ICMP. Never throws. */
function parsePacket(bytes: Uint8Array): WireResult<unknown> {
  const ip = parseIpv4(bytes);
  expectWellFormed(ip);
  if (!ip.ok) return ip;
  const h = ip.value.header;
  if (h.protocol === IPPROTO_TCP) {
    const r = parseTcp(ip.value.payload, h.src, h.dst);
    expectWellFormed(r);
    if (r.ok) formatSegment(h.src, h.dst, r.value);
    return r;
  }
  if (h.protocol === IPPROTO_ICMP) {
    const r = parseIcmp(ip.value.payload);
    expectWellFormed(r);
    return r;
  }
  return ip;
}

function setTcpChecksum(tcp: Uint8Array, src: number, dst: number): void {
  tcp[TCP_CHECKSUM] = 0;
  tcp[TCP_CHECKSUM + 1] = 0;
  const c = checksumFinish(checksumAdd(pseudoHeaderSum(src, dst, IPPROTO_TCP, tcp.length), tcp, 0, tcp.length));
  tcp[TCP_CHECKSUM] = c >>> 8;
  tcp[TCP_CHECKSUM + 1] = c & 0xff;
}

const packets = loadFixtures().flatMap((f) => f.packets.map((p) => fromHex(p.hex)));
const A = 0x0a4d0001;
const B = 0x0a4d0002;

describe('malformed packets never throw', () => {
  it('every fixture truncated at every length is an error', () => {
    let cases = 0;
    for (const p of packets) {
      for (let n = 0; n < p.length; n++) {
        const r = parsePacket(p.subarray(0, n));
        expect(r).toEqual({ ok: false, error: 'ip-truncated' });
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(10_000);
  });

  it('every fixture TCP segment / ICMP message truncated at every length', () => {
    let accepted = 0;
    for (const p of packets) {
      const ip = parseIpv4(p);
      if (!ip.ok) throw new Error(ip.error);
      const { payload, header } = ip.value;
      for (let n = 0; n < payload.length; n++) {
        const cut = payload.subarray(0, n);
        if (header.protocol === IPPROTO_TCP) {
          const r = parseTcp(cut, header.src, header.dst);
          expectWellFormed(r);
          // The pseudo-header carries the length, so a shorter segment almost never checks
          // out; a 16-bit sum can collide, though (the sack fixture's 21st packet cut by its
          // last 3 bytes, fd fe ff, does).
          if (r.ok) accepted++;
        } else {
          expectWellFormed(parseIcmp(cut));
        }
      }
    }
    expect(accepted).toBeLessThanOrEqual(1);
  });

  it('any single corrupted byte of a fixture is detected', () => {
    const rand = prng(42);
    let cases = 0;
    for (const p of packets) {
      for (let i = 0; i < p.length; i++) {
        const c = p.slice();
        c[i] ^= 1 + Math.floor(rand() * 255);
        const r = parsePacket(c);
        expect(r.ok).toBe(false);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(10_000);
  });

  it('every data offset and every option length byte, checksums fixed', () => {
    const syns = packets.filter((p) => p[9] === IPPROTO_TCP && p[32] >>> 4 === 10).slice(0, 3);
    expect(syns.length).toBeGreaterThan(0);
    for (const p of syns) {
      const tcp = p.slice(20);
      for (let doff = 0; doff < 16; doff++) {
        const c = tcp.slice();
        c[TCP_DATA_OFFSET] = (doff << 4) | (c[TCP_DATA_OFFSET] & 0x0f);
        setTcpChecksum(c, A, B);
        const r = parseTcp(c, A, B);
        expectWellFormed(r);
        if (doff < 5 || doff * 4 > c.length) expect(r).toEqual({ ok: false, error: 'tcp-bad-data-offset' });
      }
      // Option bytes 20..39: each set to every value.
      for (let at = 20; at < 40; at++) {
        for (let v = 0; v < 256; v++) {
          const c = tcp.slice();
          c[at] = v;
          setTcpChecksum(c, A, B);
          const r = parseTcp(c, A, B);
          expectWellFormed(r);
          if (!r.ok) expect(r.error).toBe('tcp-bad-option');
        }
      }
    }
  });

  it('random bytes (seeded), also at odd offsets of a larger buffer', () => {
    const rand = prng(0x5eed);
    for (let n = 0; n < 5000; n++) {
      const len = Math.floor(rand() * 120);
      const off = Math.floor(rand() * 3);
      const b = randomBytes(rand, len + off).subarray(off);
      if (n % 2 === 0 && len > 0) b[0] = 0x45; // get past the version check half the time
      expectWellFormed(parseIpv4(b));
      expectWellFormed(parseTcp(b, A, B));
      expectWellFormed(parseIcmp(b));
      expectWellFormed(parseTcpOptions(b, 0, Math.min(b.length, 40)));
      expect(typeof formatPacket(b, n % 3 === 0)).toBe('string');
    }
  });

  it('random IPv4 + TCP packets with valid checksums (seeded): values or clean errors; values re-emit canonically', () => {
    const rand = prng(9293);
    let parsed = 0;
    let badOption = 0;
    for (let n = 0; n < 5000; n++) {
      const tcpLength = 20 + Math.floor(rand() * 80);
      const p = new Uint8Array(20 + tcpLength);
      emitIpv4Header({ src: A, dst: B, protocol: IPPROTO_TCP, id: n }, tcpLength, p, 0);
      const tcp = p.subarray(20);
      tcp.set(randomBytes(rand, tcpLength));
      // A plausible data offset most of the time, so the options get parsed.
      if (rand() < 0.9) tcp[TCP_DATA_OFFSET] = (5 + Math.floor(rand() * Math.min(11, (tcpLength - 20) / 4 + 1))) << 4;
      if (rand() < 0.5) fillWithOptions(rand, tcp, 20, (tcp[TCP_DATA_OFFSET] >>> 4) * 4);
      setTcpChecksum(tcp, A, B);
      const r = parsePacket(p);
      if (!r.ok) {
        expect(['tcp-bad-data-offset', 'tcp-bad-option']).toContain(r.error);
        if (r.error === 'tcp-bad-option') badOption++;
        continue;
      }
      parsed++;
      const seg = r.value as TcpSegment;
      expect(typeof formatPacket(p, true)).toBe('string');
      if (optionsLength(seg.options, false) > MAX_OPTIONS_LENGTH) continue;
      if (emittedSackBlocks(seg.options) !== (seg.options.sack?.length ?? 0)) continue;
      // Canonical re-emission parses back to the same segment.
      const out = new Uint8Array(tcpHeaderLength(seg) + seg.payload.length);
      emitTcp(seg, A, B, out, 0);
      const again = parseTcp(out, A, B);
      expect(again.ok && again.value).toEqual(seg);
      expect(typeof formatOptions(seg.options)).toBe('string');
    }
    expect(parsed).toBeGreaterThan(1000);
    expect(badOption).toBeGreaterThan(100);
  });

  it('random ICMP messages with valid checksums (seeded)', () => {
    const rand = prng(792);
    for (let n = 0; n < 3000; n++) {
      const m = randomBytes(rand, 8 + Math.floor(rand() * 80));
      m[0] = [0, 3, 8, 11, Math.floor(rand() * 256)][n % 5];
      if (rand() < 0.5 && m.length > 8) m[8] = 0x45;
      m[2] = 0;
      m[3] = 0;
      const c = checksum(m, 0, m.length);
      m[2] = c >>> 8;
      m[3] = c & 0xff;
      const r = parseIcmp(m);
      expectWellFormed(r);
      if (!r.ok) expect(['icmp-truncated', 'icmp-bad-quote']).toContain(r.error);
    }
  });
});

/** Writes a random mix of well-formed and malformed options into tcp[start, end). */
function fillWithOptions(rand: () => number, tcp: Uint8Array, start: number, end: number): void {
  const pieces: number[][] = [
    [1], [0], [2, 4, 5, 0xb4], [3, 3, 7], [4, 2], [8, 10, 1, 2, 3, 4, 5, 6, 7, 8],
    [5, 10, 0, 0, 0, 1, 0, 0, 0, 2], [99, 3, 0xaa], [2, 3, 5], [5, 2], [30, 0], [30, 1], [8, 40],
  ];
  let i = start;
  while (i < end) {
    const piece = pieces[Math.floor(rand() * pieces.length)];
    for (const b of piece) if (i < end) tcp[i++] = b;
  }
}
