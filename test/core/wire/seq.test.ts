import { describe, expect, it } from 'vitest';
import { seq, seqAdd, seqBetween, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax, seqMin } from '../../../core/wire/seq.ts';

describe('sequence arithmetic modulo 2^32', () => {
  const top = seq(0xffff_fff0);
  const wrapped = seqAdd(top, 0x20); // 0x10 after the wrap

  it('adds with wraparound', () => {
    expect(wrapped).toBe(0x10);
    expect(seqAdd(seq(0), -1)).toBe(0xffff_ffff);
    expect(seq(2 ** 32 + 5)).toBe(5);
  });

  it('orders across the wrap like the kernel before()/after()', () => {
    expect(seqLt(top, wrapped)).toBe(true);
    expect(seqGt(wrapped, top)).toBe(true);
    expect(seqLe(top, top)).toBe(true);
    expect(seqGe(top, top)).toBe(true);
    expect(seqLt(wrapped, top)).toBe(false);
    expect(seqDiff(wrapped, top)).toBe(0x20);
    expect(seqDiff(top, wrapped)).toBe(-0x20);
    expect(seqMax(top, wrapped)).toBe(wrapped);
    expect(seqMin(top, wrapped)).toBe(top);
  });

  it('treats numbers 2^31 apart as the kernel does', () => {
    const a = seq(0);
    const b = seq(0x8000_0000);
    // (s32)(a - b) = -2^31 < 0, so a is before b; and (s32)(b - a) = -2^31 too.
    expect(seqLt(a, b)).toBe(true);
    expect(seqLt(b, a)).toBe(true);
  });

  it('tests windows across the wrap', () => {
    expect(seqInWindow(seq(0xffff_ffff), top, 0x20)).toBe(true);
    expect(seqInWindow(seq(0x0f), top, 0x20)).toBe(true);
    expect(seqInWindow(seq(0x10), top, 0x20)).toBe(false);
    expect(seqInWindow(top, top, 0)).toBe(false);
    expect(seqBetween(top, seq(3), wrapped)).toBe(true);
    expect(seqBetween(top, seq(0x11), wrapped)).toBe(false);
  });
});
