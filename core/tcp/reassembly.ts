// Out-of-order reassembly (RFC 9293 3.10.7.4 seventh: segments beyond RCV.NXT are held
// until the gap before them is filled) and the SACK blocks that describe what is held
// (RFC 2018 4: the first block reports the most recently received segment, the others the
// most recently reported blocks). Allocated per connection only while data is out of order.
import { seqAdd, seqDiff, seqGt, seqLe, seqLt } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import type { SackBlock } from '../wire/tcp-options.ts';

interface Chunk {
  seq: Seq;
  data: Uint8Array;
}

function chunkEnd(c: Chunk): Seq {
  return seqAdd(c.seq, c.data.length);
}

export class Reassembly {
  /** Non-overlapping chunks sorted by sequence number; each owns a copy of its bytes. */
  readonly chunks: Chunk[] = [];
  /** A sequence number inside each recently received/reported block, newest first. */
  private readonly recent: Seq[] = [];
  bytes = 0;

  /**
   * Stores data[from, to) at sequence `at` (beyond RCV.NXT). Parts already held are not
   * stored twice. Returns the number of new bytes stored (0: a complete duplicate).
   */
  insert(at: Seq, data: Uint8Array, from: number, to: number): number {
    let s = at;
    const e = seqAdd(at, to - from);
    let added = 0;
    let i = 0;
    const cs = this.chunks;
    while (i < cs.length && seqLe(chunkEnd(cs[i]), s)) i++;
    while (seqLt(s, e)) {
      const next = i < cs.length ? cs[i] : null;
      if (next !== null && seqLe(next.seq, s)) {
        // Already held up to next's end: skip over it.
        s = chunkEnd(next);
        i++;
        continue;
      }
      const pieceEnd = next !== null && seqLt(next.seq, e) ? next.seq : e;
      const off = from + seqDiff(s, at);
      const len = seqDiff(pieceEnd, s);
      cs.splice(i, 0, { seq: s, data: data.slice(off, off + len) });
      added += len;
      i++;
      s = pieceEnd;
    }
    this.bytes += added;
    this.noteRecent(at);
    return added;
  }

  private noteRecent(s: Seq): void {
    const r = this.recent;
    const blocks = this.blocks();
    const b = blocks.find((x) => seqLe(x.left, s) && seqLt(s, x.right));
    // Drop older entries that fall in the same block, then put this one first.
    for (let k = r.length - 1; k >= 0; k--) {
      if (b !== undefined && seqLe(b.left, r[k]) && seqLt(r[k], b.right)) r.splice(k, 1);
    }
    r.unshift(s);
    if (r.length > 4) r.length = 4;
  }

  /** True when the first held chunk starts at (or before) rcvNxt. */
  ready(rcvNxt: Seq): boolean {
    return this.chunks.length > 0 && seqLe(this.chunks[0].seq, rcvNxt);
  }

  /**
   * Removes and returns the chunk that continues at rcvNxt (trimmed of bytes before it), or
   * null. Chunks entirely before rcvNxt are discarded.
   */
  shift(rcvNxt: Seq): Uint8Array | null {
    const cs = this.chunks;
    while (cs.length > 0) {
      const c = cs[0];
      if (seqGt(c.seq, rcvNxt)) return null;
      cs.shift();
      this.bytes -= c.data.length;
      const skip = seqDiff(rcvNxt, c.seq);
      if (skip < c.data.length) return skip === 0 ? c.data : c.data.subarray(skip);
    }
    return null;
  }

  get empty(): boolean {
    return this.chunks.length === 0;
  }

  /** Contiguous held ranges in sequence order. */
  blocks(): SackBlock[] {
    const out: SackBlock[] = [];
    for (const c of this.chunks) {
      const last = out.length > 0 ? out[out.length - 1] : null;
      if (last !== null && last.right === c.seq) {
        out[out.length - 1] = { left: last.left, right: chunkEnd(c) };
      } else {
        out.push({ left: c.seq, right: chunkEnd(c) });
      }
    }
    return out;
  }

  /** Up to max SACK blocks, most recently received first (RFC 2018 4). */
  sackBlocks(max: number): SackBlock[] {
    const all = this.blocks();
    const out: SackBlock[] = [];
    for (const s of this.recent) {
      const b = all.find((x) => seqLe(x.left, s) && seqLt(s, x.right));
      if (b !== undefined && !out.includes(b)) out.push(b);
      if (out.length >= max) return out;
    }
    for (let k = all.length - 1; k >= 0 && out.length < max; k--) {
      if (!out.includes(all[k])) out.push(all[k]);
    }
    return out;
  }
}
