// The sending side of SACK (RFC 2018, a simplified RFC 6675): a scoreboard of the ranges the
// peer reports holding above SND.UNA. It is used to skip SACKed data when retransmitting
// (after a timeout and in fast recovery) and to retransmit further holes on duplicate ACKs
// during recovery. Kept in the TCB's side object, only while the peer reports holes.
import { seqGe, seqGt, seqLe, seqLt, seqMax, seqMin } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import type { SackBlock } from '../wire/tcp-options.ts';
import type { Tcb } from './tcb.ts';

/** Merges the peer's SACK blocks into the scoreboard (D-SACK and stale blocks are ignored). */
export function sackUpdate(tcb: Tcb, blocks: readonly SackBlock[]): void {
  let list = tcb.x?.sacked ?? null;
  for (const b of blocks) {
    // Only blocks that lie above SND.UNA and within what we sent (RFC 2883: a D-SACK block is
    // at or below the cumulative ACK).
    if (!seqLt(b.left, b.right) || !seqGt(b.left, tcb.sndUna) || seqGt(b.right, tcb.sndMax)) continue;
    list ??= [];
    insertRange(list, b.left, b.right);
  }
  if (list !== null && list.length > 0) tcb.ext().sacked = list;
}

function insertRange(list: Seq[], left: Seq, right: Seq): void {
  let l = left;
  let r = right;
  const out: Seq[] = [];
  let placed = false;
  for (let i = 0; i < list.length; i += 2) {
    const a = list[i];
    const b = list[i + 1];
    if (seqLt(b, l)) {
      out.push(a, b);
    } else if (seqGt(a, r)) {
      if (!placed) {
        out.push(l, r);
        placed = true;
      }
      out.push(a, b);
    } else {
      l = seqMin(l, a);
      r = seqMax(r, b);
    }
  }
  if (!placed) out.push(l, r);
  list.length = 0;
  for (const x of out) list.push(x);
}

/** Drops what the cumulative ACK covers; frees the scoreboard when empty. */
export function sackPrune(tcb: Tcb): void {
  const x = tcb.x;
  if (x === null || x.sacked === null) return;
  const una = tcb.sndUna;
  const list = x.sacked;
  const out: Seq[] = [];
  for (let i = 0; i < list.length; i += 2) {
    if (seqLe(list[i + 1], una)) continue;
    out.push(seqMax(list[i], una), list[i + 1]);
  }
  x.sacked = out.length > 0 ? out : null;
}

/** If s lies in a SACKed range, the end of that range; else s. */
export function sackSkip(tcb: Tcb, s: Seq): Seq {
  const list = tcb.x?.sacked;
  if (list === null || list === undefined) return s;
  for (let i = 0; i < list.length; i += 2) {
    if (seqGe(s, list[i]) && seqLt(s, list[i + 1])) return list[i + 1];
  }
  return s;
}

/** Bytes from s up to the next SACKed range (Infinity when none follows). */
export function sackRoom(tcb: Tcb, s: Seq): number {
  const list = tcb.x?.sacked;
  if (list === null || list === undefined) return Infinity;
  for (let i = 0; i < list.length; i += 2) {
    if (seqGt(list[i], s)) return (list[i] - s) >>> 0;
  }
  return Infinity;
}

/**
 * The first hole at or after `from` that is deemed lost, or null. RFC 6675 IsLost: more than
 * (DupThresh - 1) * SMSS bytes above it are SACKed (a merely reordered segment is not resent).
 */
export function sackNextHole(tcb: Tcb, from: Seq): Seq | null {
  const list = tcb.x?.sacked;
  if (list === null || list === undefined || list.length === 0) return null;
  let s = seqMax(from, tcb.sndUna);
  for (let i = 0; i < list.length; i += 2) {
    if (seqLt(s, list[i])) return sackedAbove(list, i) > 2 * tcb.mss ? s : null;
    if (seqLt(s, list[i + 1])) s = list[i + 1];
  }
  return null;
}

function sackedAbove(list: readonly Seq[], from: number): number {
  let n = 0;
  for (let i = from; i < list.length; i += 2) n += (list[i + 1] - list[i]) >>> 0;
  return n;
}

/** SACKed bytes below s: not in the network, so they do not count against cwnd (RFC 6675 pipe). */
export function sackedBelow(tcb: Tcb, s: Seq): number {
  const list = tcb.x?.sacked;
  if (list === null || list === undefined) return 0;
  let n = 0;
  for (let i = 0; i < list.length && seqLt(list[i], s); i += 2) n += (seqMin(list[i + 1], s) - list[i]) >>> 0;
  return n;
}

/** Bytes the peer holds above SND.UNA (for display). */
export function sackedBytes(tcb: Tcb): number {
  const list = tcb.x?.sacked;
  if (list === null || list === undefined) return 0;
  let n = 0;
  for (let i = 0; i < list.length; i += 2) n += (list[i + 1] - list[i]) >>> 0;
  return n;
}
