// A binary min-heap of (deadline, item), in parallel arrays (no per-entry object). Equal
// deadlines come out in the order they were pushed, so whatever is driven by it stays
// deterministic. The stack's timer queue, the SYN-ACK timers of half-open requests and the
// memory wire's packets in flight are each one of these.

export class DeadlineHeap<T> {
  private deadlines: number[] = [];
  private order: number[] = [];
  private items: T[] = [];
  private pushed = 0;

  get length(): number {
    return this.items.length;
  }

  /** The earliest deadline, or null when empty. */
  peekDeadline(): number | null {
    return this.items.length === 0 ? null : this.deadlines[0];
  }

  /** The item with the earliest deadline (not removed), or undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(deadline: number, item: T): void {
    const ds = this.deadlines;
    const os = this.order;
    const xs = this.items;
    const ord = this.pushed++;
    let i = xs.length;
    ds.push(deadline);
    os.push(ord);
    xs.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ds[p] < deadline || (ds[p] === deadline && os[p] < ord)) break;
      ds[i] = ds[p];
      os[i] = os[p];
      xs[i] = xs[p];
      i = p;
    }
    ds[i] = deadline;
    os[i] = ord;
    xs[i] = item;
  }

  /** Removes and returns the item with the earliest deadline (undefined when empty). */
  pop(): T | undefined {
    const xs = this.items;
    if (xs.length === 0) return undefined;
    const top = xs[0];
    const ds = this.deadlines;
    const os = this.order;
    const lastD = ds.pop() as number;
    const lastO = os.pop() as number;
    const lastX = xs.pop() as T;
    const n = xs.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (ds[r] < ds[l] || (ds[r] === ds[l] && os[r] < os[l])) ? r : l;
      if (ds[c] > lastD || (ds[c] === lastD && os[c] > lastO)) break;
      ds[i] = ds[c];
      os[i] = os[c];
      xs[i] = xs[c];
      i = c;
    }
    ds[i] = lastD;
    os[i] = lastO;
    xs[i] = lastX;
    return top;
  }

  /** Keeps only the entries `keep` accepts (in their deadline order). */
  retain(keep: (item: T, deadline: number) => boolean): void {
    const ds = this.deadlines;
    const os = this.order;
    const xs = this.items;
    const kept: number[] = [];
    for (let i = 0; i < xs.length; i++) if (keep(xs[i], ds[i])) kept.push(i);
    kept.sort((a, b) => ds[a] - ds[b] || os[a] - os[b]);
    // A sorted array is a heap.
    this.deadlines = kept.map((i) => ds[i]);
    this.order = kept.map((i) => os[i]);
    this.items = kept.map((i) => xs[i]);
  }
}
