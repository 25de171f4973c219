import { describe, expect, it } from 'vitest';
import { SynRequest } from '../../../core/listen/request.ts';
import { SynCache } from '../../../core/listen/syn-cache.ts';
import type { TupleHash } from '../../../core/listen/syn-cache.ts';
import { seq } from '../../../core/wire/seq.ts';
import { makeSegment, SYN } from '../../../core/wire/tcp.ts';

// Bucket = the remote port (mod the number of buckets): the tests choose who collides.
const byPort: TupleHash = (_addr, port) => port;
let nextId = 1;
const req = (port: number, at = nextId): SynRequest => new SynRequest({
  id: nextId++, localAddr: 1, localPort: 80, remoteAddr: 2, remotePort: port, iss: seq(1), tsOffset: 0, ourMss: 1460, rcvWnd: 65535,
  rcvWscale: 7, timestamps: true, sack: true, windowScaling: true,
}, makeSegment({ srcPort: port, dstPort: 80, seq: seq(0), flags: SYN, window: 65535 }), at);

/** Inserts as the stack does: make room (dropping the victims), then insert if there is room. */
function add(c: SynCache, r: SynRequest): { evicted: SynRequest[]; reasons: string[]; added: boolean } {
  const room = c.makeRoom(r.remoteAddr, r.remotePort, r.localPort);
  for (const e of room.evict) c.remove(e.request);
  if (room.room) c.insert(r);
  return { evicted: room.evict.map((e) => e.request), reasons: room.evict.map((e) => e.reason), added: room.room };
}

describe('SYN cache (FreeBSD syncache: hashed buckets, per-bucket limit, oldest first out)', () => {
  it('finds entries by 4-tuple in their bucket', () => {
    const c = new SynCache(byPort, { hashSize: 8, bucketLimit: 4, cacheLimit: 32 });
    const a = req(1);
    const b = req(9); // same bucket as 1 (mod 8)
    add(c, a);
    add(c, b);
    expect(c.get(2, 1, 80)).toBe(a);
    expect(c.get(2, 9, 80)).toBe(b);
    expect(c.get(2, 17, 80)).toBeNull();
    expect(c.bucketLength(1)).toBe(2);
    expect(c.count).toBe(2);
    c.remove(a);
    expect(c.get(2, 1, 80)).toBeNull();
    expect([c.count, c.bucketLength(1), a.bucket]).toEqual([1, 1, -1]);
    expect(c.remove(a)).toBe(false);
  });

  it('a full bucket evicts its oldest entry; other buckets are untouched', () => {
    const c = new SynCache(byPort, { hashSize: 4, bucketLimit: 3, cacheLimit: 100 });
    const inBucket0 = [req(0), req(4), req(8)];
    for (const r of inBucket0) expect(add(c, r)).toEqual({ evicted: [], reasons: [], added: true });
    const other = req(1);
    add(c, other);
    const r = add(c, req(12));
    expect(r).toMatchObject({ evicted: [inBucket0[0]], reasons: ['bucket full'], added: true });
    expect(add(c, req(16)).evicted).toEqual([inBucket0[1]]);
    expect(c.get(2, 1, 80)).toBe(other);
    expect(c.bucketLength(0)).toBe(3);
    expect(c.count).toBe(4);
  });

  it('a full cache evicts the oldest of the new entry\'s bucket; with that bucket empty there is no room', () => {
    const c = new SynCache(byPort, { hashSize: 4, bucketLimit: 10, cacheLimit: 3 });
    const a = req(0);
    const b = req(1);
    const d = req(5);
    for (const r of [a, b, d]) add(c, r);
    // Bucket 1 holds b (older) and d: the new one in bucket 1 evicts b.
    expect(add(c, req(9))).toMatchObject({ evicted: [b], reasons: ['cache full'], added: true });
    // Bucket 2 is empty: nothing of its own to evict, no room (FreeBSD: cookie or drop).
    expect(add(c, req(2))).toEqual({ evicted: [], reasons: [], added: false });
    expect(c.count).toBe(3);
  });

  it('lowered limits evict several at once, oldest first', () => {
    const c = new SynCache(byPort, { hashSize: 1, bucketLimit: 10, cacheLimit: 10 });
    const all = [req(1), req(2), req(3), req(4), req(5)];
    for (const r of all) add(c, r);
    c.configure({ hashSize: 1, bucketLimit: 2, cacheLimit: 10 });
    const r = add(c, req(6));
    expect(r.evicted).toEqual(all.slice(0, 4));
    expect(r.reasons).toEqual(['bucket full', 'bucket full', 'bucket full', 'bucket full']);
    expect(c.entriesOldestFirst().map((x) => x.remotePort)).toEqual([5, 6]);
  });

  it('a new hash size rehashes every entry, keeping the age order in each bucket', () => {
    const c = new SynCache(byPort, { hashSize: 2, bucketLimit: 30, cacheLimit: 100 });
    const all = [0, 1, 2, 3, 4, 5, 6, 7].map((p) => req(p, p * 10));
    for (const r of all) add(c, r);
    c.configure({ hashSize: 4, bucketLimit: 30, cacheLimit: 100 });
    expect(c.buckets).toBe(4);
    for (const r of all) expect(c.get(2, r.remotePort, 80)).toBe(r);
    expect(c.bucketLength(0)).toBe(2);
    expect(c.entriesOldestFirst().map((x) => x.remotePort)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    // The oldest of bucket 0 is 0: it goes first.
    c.configure({ hashSize: 4, bucketLimit: 2, cacheLimit: 100 });
    expect(add(c, req(8, 100)).evicted.map((x) => x.remotePort)).toEqual([0]);
  });

  it('the number of buckets is a power of two', () => {
    expect(new SynCache(byPort, { hashSize: 5, bucketLimit: 1, cacheLimit: 1 }).buckets).toBe(8);
  });
});
