// A FIFO of bytes in one growable linear buffer: the send buffer (unacknowledged and unsent
// data) and the receive buffer (in-order data the user has not read). Allocated on first use
// and dropped by its owner when empty, so idle connections hold no buffer memory.
// Contiguous storage means a segment's payload is always a view (no copy, no wrap).

const MIN_CAPACITY = 2048;

export class ByteQueue {
  buf: Uint8Array;
  start = 0;
  end = 0;

  constructor(initialCapacity: number) {
    this.buf = new Uint8Array(Math.max(MIN_CAPACITY, initialCapacity));
  }

  get length(): number {
    return this.end - this.start;
  }

  /** Appends src[from, to). */
  append(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.reserve(n);
    this.buf.set(from === 0 && to === src.length ? src : src.subarray(from, to), this.end);
    this.end += n;
  }

  private reserve(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const len = this.length;
    if (len + n <= this.buf.length && this.start >= len) {
      // Compact: the live bytes move to the front (amortized O(1): only when half is dead).
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      let cap = this.buf.length * 2;
      while (cap < len + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = len;
  }

  /** A view of bytes [offset, offset+n) from the front; valid until the next append/consume. */
  view(offset: number, n: number): Uint8Array {
    const at = this.start + offset;
    return this.buf.subarray(at, at + n);
  }

  /** Drops n bytes from the front. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  /** Removes and returns up to max bytes from the front, as a copy. */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.length);
    const out = this.buf.slice(this.start, this.start + n);
    this.consume(n);
    return out;
  }
}

// A small pool of emptied queues. A connection drops its queue when it empties (so idle
// connections hold no buffer memory), but a busy one empties it after nearly every read or
// every ACK and would allocate (zero-filled) and grow a new one each time: under bulk transfer
// that was ~10-20% of the stack's CPU with its garbage collection. Bounded in count and bytes;
// deterministic (no clock, no randomness).
const POOL_MAX = 16;
const POOL_MAX_BYTES = 8 << 20;
const pool: ByteQueue[] = [];
let pooledBytes = 0;

/** A queue of at least `capacity` bytes (a pooled one when there is one). */
export function acquireQueue(capacity: number): ByteQueue {
  for (let i = pool.length - 1; i >= 0; i--) {
    const q = pool[i];
    if (q.buf.length >= capacity) {
      pool[i] = pool[pool.length - 1];
      pool.pop();
      pooledBytes -= q.buf.length;
      return q;
    }
  }
  return new ByteQueue(capacity);
}

/** Give back an emptied queue (its owner no longer refers to it). */
export function releaseQueue(q: ByteQueue): void {
  const size = q.buf.length;
  if (pool.length >= POOL_MAX || pooledBytes + size > POOL_MAX_BYTES) return;
  q.start = 0;
  q.end = 0;
  pool.push(q);
  pooledBytes += size;
}
