import { describe, expect, it } from 'vitest';
import { MemoryWire } from '../../../core/link/memory-wire.ts';
import { ManualClock } from '../../../core/stack/clock.ts';

function run(seed: number) {
  const clock = new ManualClock(0);
  const w = new MemoryWire({ clock, seed, faults: { loss: 0.1, duplicate: 0.1, reorder: 0.1, delayMs: 5, jitterMs: 2 } });
  const got: number[] = [];
  w.b.onReceive((ps) => ps.forEach((p) => got.push(p[0])));
  for (let i = 0; i < 200; i++) {
    w.a.write(new Uint8Array([i]));
    clock.advance(1);
    w.runTimers();
  }
  clock.advance(100);
  w.runTimers();
  return { got, stats: { ...w.stats } };
}

describe('memory wire', () => {
  it('is deterministic for a seed and applies loss, duplication, reordering', () => {
    const r1 = run(3);
    const r2 = run(3);
    expect(r1).toEqual(r2);
    expect(r1.stats.lost).toBeGreaterThan(5);
    expect(r1.stats.duplicated).toBeGreaterThan(5);
    expect(r1.stats.reordered).toBeGreaterThan(5);
    expect(r1.got.length).toBe(200 - r1.stats.lost + r1.stats.duplicated);
    const sorted = [...r1.got].sort((a, b) => a - b);
    expect(r1.got).not.toEqual(sorted);
    expect(run(4)).not.toEqual(r1);
  });

  it('delivers after the delay, copies packets, and never re-enters from write()', () => {
    const clock = new ManualClock(0);
    const w = new MemoryWire({ clock, faults: { delayMs: 10 } });
    const got: Uint8Array[] = [];
    w.b.onReceive((ps) => ps.forEach((p) => got.push(p)));
    const buf = new Uint8Array([1, 2, 3]);
    w.a.write(buf);
    buf[0] = 9;
    w.runTimers();
    expect(got).toHaveLength(0);
    expect(w.nextDeadline()).toBe(10);
    clock.set(10);
    w.runTimers();
    expect(got[0]).toEqual(new Uint8Array([1, 2, 3]));
  });
});
