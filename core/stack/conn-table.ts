// Demultiplexing: the connections of one stack by (remote address, remote port, local port),
// an open-addressing hash table with numeric keys (no strings, no Map entries per
// connection), linear probing and backward-shift deletion. Generic over what it holds: TCBs,
// and (a second table) the half-open requests of core/listen.
import type { Tcb } from '../tcp/tcb.ts';

/** Anything demultiplexed by (remote address, remote port, local port). */
export interface TupleKeyed {
  remoteAddr: number;
  remotePort: number;
  localPort: number;
}

export function tupleHash(remoteAddr: number, remotePort: number, localPort: number): number {
  let h = Math.imul(remoteAddr ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(((remotePort << 16) | localPort) ^ (h >>> 15), 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2d);
  return (h ^ (h >>> 16)) | 0;
}

export class ConnTable<T extends TupleKeyed = Tcb> {
  private slots: (T | null)[];
  private hashes: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 64) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Array<T | null>(cap).fill(null);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get(remoteAddr: number, remotePort: number, localPort: number): T | null {
    const h = tupleHash(remoteAddr, remotePort, localPort);
    const slots = this.slots;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const t = slots[i];
      if (t === null) return null;
      if (this.hashes[i] === h && t.remoteAddr === remoteAddr && t.remotePort === remotePort && t.localPort === localPort) return t;
    }
  }

  /** Adds a TCB (its tuple must not be present). */
  add(t: T): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    this.place(t, tupleHash(t.remoteAddr, t.remotePort, t.localPort));
    this.size++;
  }

  private place(t: T, h: number): void {
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      if (this.slots[i] === null) {
        this.slots[i] = t;
        this.hashes[i] = h;
        return;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldH = this.hashes;
    const cap = old.length * 2;
    this.slots = new Array<T | null>(cap).fill(null);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < old.length; i++) {
      const t = old[i];
      if (t !== null) this.place(t, oldH[i]);
    }
  }

  /** Removes this very TCB if present. */
  remove(t: T): boolean {
    const h = tupleHash(t.remoteAddr, t.remotePort, t.localPort);
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const s = slots[i];
      if (s === null) return false;
      if (s === t) break;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let hole = i;
    let j = (i + 1) & mask;
    for (;;) {
      const s = slots[j];
      if (s === null) break;
      const home = this.hashes[j] & mask;
      const dist = (j - home) & mask;
      const holeDist = (j - hole) & mask;
      if (dist >= holeDist) {
        slots[hole] = s;
        this.hashes[hole] = this.hashes[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    slots[hole] = null;
    this.size--;
    return true;
  }

  forEach(fn: (t: T) => void): void {
    for (const t of this.slots.slice()) if (t !== null) fn(t);
  }

  /** True if any connection uses this local port with this remote endpoint. */
  has(remoteAddr: number, remotePort: number, localPort: number): boolean {
    return this.get(remoteAddr, remotePort, localPort) !== null;
  }
}
