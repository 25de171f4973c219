import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from '../../../core/tcp/deadline-heap.ts';
import { seededRandom } from '../../../core/stack/random.ts';

describe('DeadlineHeap', () => {
  it('pops in deadline order, equal deadlines in the order pushed, against a sorted reference', () => {
    const rng = seededRandom(7);
    const heap = new DeadlineHeap<number>();
    const ref: { d: number; n: number }[] = [];
    let n = 0;
    for (let round = 0; round < 5000; round++) {
      if (rng.u32() % 3 !== 0 || heap.length === 0) {
        const d = rng.u32() % 50;
        heap.push(d, n);
        ref.push({ d, n: n++ });
      } else {
        ref.sort((a, b) => a.d - b.d || a.n - b.n);
        const want = ref.shift() as { d: number; n: number };
        expect(heap.peekDeadline()).toBe(want.d);
        expect(heap.peek()).toBe(want.n);
        expect(heap.pop()).toBe(want.n);
      }
      expect(heap.length).toBe(ref.length);
    }
  });

  it('empty: no deadline, nothing to pop', () => {
    const heap = new DeadlineHeap<string>();
    expect(heap.peekDeadline()).toBeNull();
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
  });

  it('retain keeps the accepted entries, still in order', () => {
    const heap = new DeadlineHeap<number>();
    for (const d of [5, 1, 9, 3, 7, 3, 2]) heap.push(d, d * 10 + heap.length);
    heap.retain((x, d) => d !== 3 && x !== 92);
    const out: number[] = [];
    while (heap.length > 0) out.push(heap.pop() as number);
    expect(out).toEqual([11, 26, 50, 74]);
  });
});
