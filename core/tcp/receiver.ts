// The receiving side: the window we advertise (RFC 9293 3.8.6.2.2 receiver-side silly window
// avoidance, never shrinking the window, RFC 7323 scaling), delivery of in-order text into
// the receive buffer, out-of-order reassembly with SACK / D-SACK, and when to ACK
// (RFC 1122 4.2.3.2 / RFC 5681 4.2: at least every second full-sized segment, delayed ACK
// timer otherwise, immediate ACKs for out-of-order and gap-filling segments).
import { seqAdd, seqDiff } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import { acquireQueue, releaseQueue } from './byte-queue.ts';
import type { ByteQueue } from './byte-queue.ts';
import type { TcpSink } from './effects.ts';
import { Reassembly } from './reassembly.ts';
import { F_ACK_NOW, F_ACK_PENDING, F_DSACK, F_OOO_FIN } from './tcb.ts';
import type { Tcb } from './tcb.ts';
import { setTimer } from './timers.ts';

/** The MSS we advertise: MTU minus the IPv4 and TCP headers. */
export function advMss(tcb: Tcb): number {
  return tcb.cfg.mtu - 40;
}

/** Bytes received in order and not yet read by the user (Recv-Q). */
export function unreadBytes(tcb: Tcb): number {
  return tcb.rcvQ === null ? 0 : tcb.rcvQ.length;
}

/** RCV.WND: what is left of the window we last advertised. */
export function rcvWnd(tcb: Tcb): number {
  const w = seqDiff(tcb.rcvAdv, tcb.rcvNxt);
  return w > 0 ? w : 0;
}

/**
 * The window field for a segment we send now, and the new right edge (tcb.rcvAdv).
 * Free buffer space, rounded to the scale; never less than what is already promised
 * (RFC 9293 3.8.6.2.2 / RFC 7323 2.4: do not shrink); and the right edge moves only by at
 * least min(RCV.BUFF / 2, MSS) (receiver SWS avoidance).
 */
export function selectWindow(tcb: Tcb): number {
  const shift = tcb.rcvWscale;
  const cur = rcvWnd(tcb);
  let win = tcb.rcvBuf - unreadBytes(tcb);
  if (win < 0) win = 0;
  const max = 65535 * 2 ** shift;
  if (win > max) win = max;
  if (win < cur) {
    win = cur;
  } else if (win - cur < Math.min(tcb.rcvBuf >>> 1, advMss(tcb))) {
    win = cur;
  }
  let field = Math.ceil(win / 2 ** shift);
  if (field > 65535) field = 65535;
  tcb.rcvAdv = seqAdd(tcb.rcvNxt, field * 2 ** shift);
  return field;
}

/**
 * RFC 9293 3.10.7.4 first: is a segment of `len` sequence numbers starting at `s` acceptable?
 * The four cases of the RFC's table, on RCV.NXT and RCV.WND.
 */
export function segmentAcceptable(tcb: Tcb, s: Seq, len: number): boolean {
  const wnd = rcvWnd(tcb);
  const nxt = tcb.rcvNxt;
  if (len === 0) {
    if (wnd === 0) return s === nxt;
    return inWindow(s, nxt, wnd);
  }
  if (wnd === 0) return false;
  return inWindow(s, nxt, wnd) || inWindow(seqAdd(s, len - 1), nxt, wnd);
}

function inWindow(s: Seq, start: Seq, len: number): boolean {
  return ((s - start) >>> 0) < len;
}

function ensureRcvQ(tcb: Tcb, n: number): ByteQueue {
  if (tcb.rcvQ === null) tcb.rcvQ = acquireQueue(Math.min(tcb.rcvBuf, Math.max(4096, n * 2)));
  return tcb.rcvQ;
}

/**
 * RFC 9293 3.10.7.4 seventh: process the text payload[from, to) that starts at sequence
 * number `at` (already trimmed to the window, at >= RCV.NXT). Returns the bytes delivered
 * in order.
 */
export function receiveText(tcb: Tcb, payload: Uint8Array, from: number, to: number, at: Seq, now: number, sink: TcpSink): number {
  const len = to - from;
  if (len <= 0) return 0;
  if (at !== tcb.rcvNxt) {
    // Out of order: hold it, answer at once with a duplicate ACK carrying SACK blocks (RFC 5681 4.2).
    if (tcb.ooo === null) tcb.ooo = new Reassembly();
    const added = tcb.ooo.insert(at, payload, from, to);
    if (added === 0) noteDsack(tcb, at, seqAdd(at, len));
    sink.count('TCPOFOQueue', 1);
    tcb.flags |= F_ACK_NOW;
    return 0;
  }
  // Linux tcp_measure_rcv_mss: the largest segment seen (capped by our MSS) is "full-sized".
  if (len >= tcb.rcvMss) tcb.rcvMss = Math.min(len, advMss(tcb));
  const q = ensureRcvQ(tcb, len);
  q.append(payload, from, to);
  tcb.rcvNxt = seqAdd(tcb.rcvNxt, len);
  let delivered = len;
  const ooo = tcb.ooo;
  if (ooo !== null) {
    // RFC 5681 4.2: a segment that fills (part of) a gap is ACKed at once.
    tcb.flags |= F_ACK_NOW;
    for (let chunk = ooo.shift(tcb.rcvNxt); chunk !== null; chunk = ooo.shift(tcb.rcvNxt)) {
      q.append(chunk, 0, chunk.length);
      tcb.rcvNxt = seqAdd(tcb.rcvNxt, chunk.length);
      delivered += chunk.length;
    }
    if (ooo.empty) tcb.ooo = null;
  }
  scheduleAck(tcb, now, sink);
  sink.readable(tcb);
  return delivered;
}

/** RFC 2883: report a duplicate range in the first SACK block of the next ACK. */
export function noteDsack(tcb: Tcb, left: Seq, right: Seq): void {
  if (!tcb.cfg.dsack) return;
  tcb.dsackLeft = left;
  tcb.dsackRight = right;
  tcb.flags |= F_DSACK;
}

/**
 * Decide between an immediate and a delayed ACK for in-order data: ACK at once when more
 * than one full-sized segment is unacknowledged (Linux: rcv_nxt - rcv_wup > rcv_mss, with
 * rcv_mss the estimate of the peer's segment size), otherwise start the delayed-ACK timer.
 */
export function scheduleAck(tcb: Tcb, now: number, sink: TcpSink): void {
  const unacked = seqDiff(tcb.rcvNxt, tcb.lastAckSent);
  if (unacked > tcb.rcvMss) {
    // Linux with GRO ACKs once per merged super-segment (up to 64 KB): the stack may take the
    // ACK over and send it at the end of the link batch (deferAck), as long as less than 64 KB
    // stays unacknowledged.
    if (unacked < GRO_MAX_BYTES && sink.deferAck !== undefined && sink.deferAck(tcb)) {
      tcb.flags |= F_ACK_PENDING;
      return;
    }
    tcb.flags |= F_ACK_NOW;
    return;
  }
  tcb.flags |= F_ACK_PENDING;
  if (tcb.tDelack === 0) setTimer(tcb, 'delack', now, tcb.cfg.delackMs, sink);
}

/** An out-of-order FIN at `finAt` is remembered until the data before it arrives. */
export function holdFin(tcb: Tcb, finAt: Seq): void {
  tcb.oooFinSeq = finAt;
  tcb.flags |= F_OOO_FIN;
  tcb.flags |= F_ACK_NOW;
}

/** True when a held FIN is now in order. */
export function heldFinReady(tcb: Tcb): boolean {
  return (tcb.flags & F_OOO_FIN) !== 0 && tcb.oooFinSeq === tcb.rcvNxt;
}

/** Reads up to max bytes for the user; frees the buffer when it empties. */
export function readBuffered(tcb: Tcb, max: number): Uint8Array | null {
  const q = tcb.rcvQ;
  if (q === null || q.length === 0) return null;
  const out = q.take(max);
  if (q.length === 0) {
    tcb.rcvQ = null;
    releaseQueue(q);
  }
  return out;
}

/** The most in-order data a deferred (coalesced) ACK may leave unacknowledged: GRO's 64 KB. */
const GRO_MAX_BYTES = 65536;

/** Drop up to max in-order bytes from the receive buffer without copying them (a sink's read). */
export function discardBuffered(tcb: Tcb, max: number): number {
  const q = tcb.rcvQ;
  if (q === null || q.length === 0) return 0;
  const n = Math.min(max, q.length);
  q.consume(n);
  if (q.length === 0) {
    tcb.rcvQ = null;
    releaseQueue(q);
  }
  return n;
}

/**
 * Linux tcp_cleanup_rbuf: after a read, send a window update at once when the window we
 * could offer is at least twice what the peer currently sees (and that is at most half the
 * buffer), so a sender stalled on a small window restarts without waiting.
 */
export function windowUpdateWanted(tcb: Tcb): boolean {
  const cur = rcvWnd(tcb);
  if (2 * cur > tcb.rcvBuf) return false;
  const free = tcb.rcvBuf - unreadBytes(tcb);
  return free >= 2 * cur && free - cur >= Math.min(tcb.rcvBuf >>> 1, advMss(tcb));
}
