// The SYN cache (syn_defence=cache): half-open requests in a compact hash table instead of each
// listener's SYN queue, as the teaching material describes it ("在一个专用HASH表中保存这种半连接
// 信息，直到收到正确的回应ACK报文再分配TCB") and as FreeBSD's syncache (sys/netinet/tcp_syncache.c)
// builds it:
//  - hashsize buckets (FreeBSD net.inet.tcp.syncache.hashsize, 512), chosen by a keyed hash of
//    the 4-tuple, so an attacker cannot aim at one bucket;
//  - each bucket a list, newest first, of at most bucket_limit entries (bucketlimit, 30): a new
//    entry in a full bucket evicts that bucket's oldest (syncache_insert: TAILQ_LAST,
//    tcps_sc_bucketoverflow);
//  - at most cache_limit entries in all (cachelimit, hashsize * bucketlimit): when the cache is
//    full, a new entry evicts the oldest of its own bucket (FreeBSD: the zone allocation fails
//    and syncache_add drops TAILQ_LAST of the bucket); if its bucket is empty there is no room
//    (FreeBSD then answers with a cookie or drops the SYN).
// Entries are the same SynRequest records the SYN queue holds (linked through bprev/bnext).
import type { SynRequest } from './request.ts';

/** Hash of (remote address, remote port, local port) -> u32 (keyed by the caller). */
export type TupleHash = (remoteAddr: number, remotePort: number, localPort: number) => number;

export interface SynCacheLimits {
  /** Number of buckets (rounded up to a power of two). */
  hashSize: number;
  bucketLimit: number;
  cacheLimit: number;
}

export type EvictReason = 'bucket full' | 'cache full';

export interface Eviction {
  request: SynRequest;
  reason: EvictReason;
}

function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class SynCache {
  private heads: (SynRequest | null)[];
  private tails: (SynRequest | null)[];
  private lengths: Int32Array;
  private mask: number;
  /** Entries in all buckets. */
  count = 0;
  limits: SynCacheLimits;

  constructor(private readonly hash: TupleHash, limits: SynCacheLimits) {
    this.limits = { ...limits };
    const n = pow2(Math.max(1, limits.hashSize));
    this.heads = new Array<SynRequest | null>(n).fill(null);
    this.tails = new Array<SynRequest | null>(n).fill(null);
    this.lengths = new Int32Array(n);
    this.mask = n - 1;
  }

  get buckets(): number {
    return this.mask + 1;
  }

  bucketOf(remoteAddr: number, remotePort: number, localPort: number): number {
    return this.hash(remoteAddr, remotePort, localPort) & this.mask;
  }

  bucketLength(b: number): number {
    return this.lengths[b];
  }

  get(remoteAddr: number, remotePort: number, localPort: number): SynRequest | null {
    for (let r = this.heads[this.bucketOf(remoteAddr, remotePort, localPort)]; r !== null; r = r.bnext) {
      if (r.remoteAddr === remoteAddr && r.remotePort === remotePort && r.localPort === localPort) return r;
    }
    return null;
  }

  /**
   * Makes room for a new entry with this tuple: the entries to evict, oldest first (the caller
   * removes them), and whether there is room after that.
   */
  makeRoom(remoteAddr: number, remotePort: number, localPort: number): { evict: Eviction[]; room: boolean } {
    const b = this.bucketOf(remoteAddr, remotePort, localPort);
    const evict: Eviction[] = [];
    let len = this.lengths[b];
    let total = this.count;
    let victim = this.tails[b];
    const bucketLimit = Math.max(1, this.limits.bucketLimit);
    while (len >= bucketLimit && victim !== null) {
      evict.push({ request: victim, reason: 'bucket full' });
      victim = victim.bprev;
      len--;
      total--;
    }
    while (total >= this.limits.cacheLimit && victim !== null) {
      evict.push({ request: victim, reason: 'cache full' });
      victim = victim.bprev;
      total--;
    }
    return { evict, room: total < this.limits.cacheLimit };
  }

  /** Adds an entry at the head of its bucket (the caller made room). */
  insert(r: SynRequest): void {
    const b = this.bucketOf(r.remoteAddr, r.remotePort, r.localPort);
    r.bucket = b;
    r.bprev = null;
    r.bnext = this.heads[b];
    if (r.bnext !== null) r.bnext.bprev = r;
    else this.tails[b] = r;
    this.heads[b] = r;
    this.lengths[b]++;
    this.count++;
  }

  remove(r: SynRequest): boolean {
    const b = r.bucket;
    if (b < 0) return false;
    if (r.bprev !== null) r.bprev.bnext = r.bnext;
    else this.heads[b] = r.bnext;
    if (r.bnext !== null) r.bnext.bprev = r.bprev;
    else this.tails[b] = r.bprev;
    r.bprev = null;
    r.bnext = null;
    r.bucket = -1;
    this.lengths[b]--;
    this.count--;
    return true;
  }

  /** New limits; a new hash size rehashes the entries (each bucket keeps its age order). */
  configure(limits: SynCacheLimits): void {
    const n = pow2(Math.max(1, limits.hashSize));
    this.limits = { ...limits };
    if (n === this.mask + 1) return;
    const all = this.entriesOldestFirst().sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    this.heads = new Array<SynRequest | null>(n).fill(null);
    this.tails = new Array<SynRequest | null>(n).fill(null);
    this.lengths = new Int32Array(n);
    this.mask = n - 1;
    this.count = 0;
    for (const r of all) {
      r.bucket = -1;
      this.insert(r);
    }
  }

  /** All entries, each bucket's oldest first (buckets in index order). */
  entriesOldestFirst(): SynRequest[] {
    const out: SynRequest[] = [];
    for (let b = 0; b <= this.mask; b++) for (let r = this.tails[b]; r !== null; r = r.bprev) out.push(r);
    return out;
  }
}
