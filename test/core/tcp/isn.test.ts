import { describe, expect, it } from 'vitest';
import { computeIsn, halfSipHash24, isnClockTicks, isnHash } from '../../../core/tcp/isn.ts';

// The reference test vectors of HalfSipHash-2-4 (32-bit output): key 00..07, message 00..i-1.
const VECTORS = [
  [0xa9, 0x35, 0x9f, 0x5b], [0x27, 0x47, 0x5a, 0xb8], [0xfa, 0x62, 0xa6, 0x03], [0x8a, 0xfe, 0xe7, 0x04],
  [0x2a, 0x6e, 0x46, 0x89], [0xc5, 0xfa, 0xb6, 0x69], [0x58, 0x63, 0xfc, 0x23], [0x8b, 0xcf, 0x63, 0xc5],
];

describe('ISN (RFC 6528)', () => {
  it('HalfSipHash-2-4 matches the reference vectors', () => {
    const k0 = 0x03020100;
    const k1 = 0x07060504;
    VECTORS.forEach((v, i) => {
      const msg = Uint8Array.from({ length: i }, (_, j) => j);
      const expected = (v[0] | (v[1] << 8) | (v[2] << 16) | (v[3] << 24)) >>> 0;
      expect(halfSipHash24(k0, k1, msg)).toBe(expected);
    });
  });

  it('M ticks every 64 ns (Linux) or every 4 µs (RFC 793/6528), modulo 2^32', () => {
    expect(isnClockTicks(1, '64ns')).toBe(15625);
    expect(isnClockTicks(1, '4us')).toBe(250);
    expect(isnClockTicks(1000 * 4294.967296 * 4, '4us')).toBe(0);
  });

  it('ISN = M + F(4-tuple, secret): differs per tuple and per secret, advances with the clock', () => {
    const a = computeIsn(0, '4us', 1, 2, 10, 80, 20, 40000);
    const b = computeIsn(0, '4us', 1, 2, 10, 80, 20, 40001);
    const c = computeIsn(0, '4us', 3, 2, 10, 80, 20, 40000);
    expect(a).not.toBe(b);
    expect(a).not.toBe(c);
    expect(a).toBe(isnHash(1, 2, 10, 80, 20, 40000));
    expect(computeIsn(1, '4us', 1, 2, 10, 80, 20, 40000)).toBe((a + 250) >>> 0);
  });
});
