// The SYN-ACK timers of half-open requests (Linux: one rsk_timer per request_sock): a binary
// min-heap of (deadline, request). A request's deadline is a field of the request; an entry is
// stale when the request is gone or its deadline moved (it is then skipped), so moving a
// deadline is a push, never a search.
import { DeadlineHeap } from '../tcp/deadline-heap.ts';
import type { SynRequest } from './request.ts';

export class RequestTimers {
  private readonly heap = new DeadlineHeap<SynRequest>();

  get length(): number {
    return this.heap.length;
  }

  /** After r.deadline was set (to a time > 0). */
  schedule(r: SynRequest): void {
    this.heap.push(r.deadline, r);
  }

  /**
   * Drops stale entries when they outnumber the live ones (evicted or completed requests would
   * otherwise stay referenced until their old deadline passes).
   */
  compact(live: number): void {
    if (this.heap.length <= 2 * live + 256) return;
    this.heap.retain((r, d) => r.live && r.deadline === d);
  }

  /** The earliest live deadline, or null (drops stale entries on the way). */
  peek(): number | null {
    for (;;) {
      const r = this.heap.peek();
      const d = this.heap.peekDeadline();
      if (r === undefined || d === null) return null;
      if (r.live && r.deadline === d) return d;
      this.heap.pop();
    }
  }

  /** A request whose deadline is due at `now` (removed from the heap), or null. */
  popDue(now: number): SynRequest | null {
    const d = this.peek();
    if (d === null || d > now) return null;
    return this.heap.pop() as SynRequest;
  }
}
