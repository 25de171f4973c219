// The SYN-ACK timers of half-open requests (Linux: one rsk_timer per request_sock): a binary
// min-heap of (deadline, request). A request's deadline is a field of the request; an entry is
// stale when the request is gone or its deadline moved (it is then skipped), so moving a
// deadline is a push, never a search.
import type { SynRequest } from './request.ts';

export class RequestTimers {
  private deadlines: number[] = [];
  private reqs: SynRequest[] = [];

  get length(): number {
    return this.reqs.length;
  }

  /** After r.deadline was set (to a time > 0). */
  schedule(r: SynRequest): void {
    const d = r.deadline;
    const ds = this.deadlines;
    const rs = this.reqs;
    let i = rs.length;
    ds.push(d);
    rs.push(r);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ds[p] <= d) break;
      ds[i] = ds[p];
      rs[i] = rs[p];
      i = p;
    }
    ds[i] = d;
    rs[i] = r;
  }

  /**
   * Drops stale entries when they outnumber the live ones (evicted or completed requests would
   * otherwise stay referenced until their old deadline passes).
   */
  compact(live: number): void {
    if (this.reqs.length <= 2 * live + 256) return;
    const ds = this.deadlines;
    const rs = this.reqs;
    this.deadlines = [];
    this.reqs = [];
    for (let i = 0; i < rs.length; i++) if (rs[i].live && rs[i].deadline === ds[i]) this.schedule(rs[i]);
  }

  /** The earliest live deadline, or null (drops stale entries on the way). */
  peek(): number | null {
    while (this.reqs.length > 0) {
      const r = this.reqs[0];
      const d = this.deadlines[0];
      if (r.live && r.deadline === d) return d;
      this.pop();
    }
    return null;
  }

  /** A request whose deadline is due at `now` (removed from the heap), or null. */
  popDue(now: number): SynRequest | null {
    const d = this.peek();
    if (d === null || d > now) return null;
    const r = this.reqs[0];
    this.pop();
    return r;
  }

  private pop(): void {
    const ds = this.deadlines;
    const rs = this.reqs;
    const lastD = ds.pop() as number;
    const lastR = rs.pop() as SynRequest;
    const n = rs.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && ds[r] < ds[l] ? r : l;
      if (ds[c] >= lastD) break;
      ds[i] = ds[c];
      rs[i] = rs[c];
      i = c;
    }
    ds[i] = lastD;
    rs[i] = lastR;
  }
}
