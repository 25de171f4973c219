import { describe, expect, it } from 'vitest';
import { checksum, checksumAdd, checksumAddWord, checksumFinish, pseudoHeaderSum } from '../../../core/wire/checksum.ts';
import { prng, randomBytes, referenceChecksum } from './helpers.ts';

describe('internet checksum (RFC 1071)', () => {
  it('matches the RFC 1071 numerical example', () => {
    // RFC 1071 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (so the checksum is 220d).
    const b = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(checksum(b, 0, b.length)).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero', () => {
    const b = new Uint8Array([0x12, 0x34, 0x56]);
    expect(checksum(b, 0, 3)).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  it('gives 0xffff for all-zero data and verifies to 0 with its own checksum appended', () => {
    expect(checksum(new Uint8Array(10), 0, 10)).toBe(0xffff);
    const b = new Uint8Array([0xab, 0xcd, 0x01, 0x02, 0, 0]);
    const c = checksum(b, 0, 6);
    b[4] = c >>> 8;
    b[5] = c & 0xff;
    expect(checksum(b, 0, 6)).toBe(0);
  });

  it('agrees with the reference for every alignment, length and offset (seeded)', () => {
    const rand = prng(1071);
    const big = randomBytes(rand, 4096);
    for (let n = 0; n < 2000; n++) {
      const start = Math.floor(rand() * 200);
      const len = Math.floor(rand() * 1600);
      // Views at odd and even byte offsets of the underlying buffer.
      const viewOffset = Math.floor(rand() * 8);
      const view = big.subarray(viewOffset, viewOffset + start + len);
      expect(checksum(view, start, start + len)).toBe(referenceChecksum(view.subarray(start, start + len)));
    }
  });

  it('handles ranges longer than 64 KiB and extreme values', () => {
    const ff = new Uint8Array(200_000).fill(0xff);
    expect(checksum(ff, 0, ff.length)).toBe(referenceChecksum(ff));
    const rand = prng(7);
    const r = randomBytes(rand, 150_001);
    expect(checksum(r, 1, r.length)).toBe(referenceChecksum(r.subarray(1)));
  });

  it('chains even-length ranges and a pseudo-header', () => {
    const rand = prng(2);
    const b = randomBytes(rand, 301);
    let sum = pseudoHeaderSum(0x0a4d0001, 0x0a4d0002, 6, 301);
    sum = checksumAdd(sum, b, 0, 100);
    sum = checksumAdd(sum, b, 100, 200);
    sum = checksumAdd(sum, b, 200, 301);
    expect(checksumFinish(sum)).toBe(referenceChecksum(b, [0x0a4d, 0x0001, 0x0a4d, 0x0002, 6, 301]));
    expect(checksumFinish(checksumAddWord(checksumAdd(0, b, 0, 300), 0x1234)))
      .toBe(referenceChecksum(b.subarray(0, 300), [0x1234]));
  });

  it('works on views of the same buffer whose word cache was built for another', () => {
    const a = new Uint8Array([1, 2, 3, 4]);
    const b = new Uint8Array([5, 6, 7, 8, 9, 10]);
    expect(checksum(a, 0, 4)).toBe(referenceChecksum(a));
    expect(checksum(b, 0, 6)).toBe(referenceChecksum(b));
    expect(checksum(a, 2, 4)).toBe(referenceChecksum(a.subarray(2)));
  });
});
