// The sending side: building segments (ACK, window, timestamps, SACK blocks), sending data
// within the peer's window and cwnd with Nagle (Minshall's variant, as Linux) and sender-side
// silly window avoidance (RFC 9293 3.8.6.2.1), retransmission (RFC 6298 timer, go-back-N
// after a timeout as BSD's snd_max scheme), zero-window probing (persist timer), and the
// processing of arriving ACKs (RFC 9293 3.10.7.4 fifth with RFC 5961 5.2).
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import { ACK_BIT, FIN, PSH, RST, SYN } from '../wire/tcp.ts';
import { releaseQueue } from './byte-queue.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import { NO_OPTIONS } from '../wire/tcp-options.ts';
import type { SackBlock, TcpOptions } from '../wire/tcp-options.ts';
import { sackedBelow, sackNextHole, sackPrune, sackRoom, sackSkip, sackUpdate } from './sack.ts';
import { congestionOnAck, DUP_THRESH, enterFastRecovery, inflateOnDupAck, recoveryOnAck, restartAfterIdle, sendCwnd } from './congestion.ts';
import type { TcpSink } from './effects.ts';
import { selectWindow } from './receiver.ts';
import { currentRto, rttSample } from './rtt.ts';
import {
  F_ACK_NOW, F_ACK_PENDING, F_DSACK, F_FIN_ACKED, F_FIN_QUEUED, F_FIN_SENT, F_NODELAY, F_RECOVERY, F_RTT_TIMING,
  F_SACK, F_TS, F_WANT_DRAIN,
} from './tcb.ts';
import type { Tcb } from './tcb.ts';
import { cancelTimer, rtxTimerName, setTimer } from './timers.ts';

const EMPTY = new Uint8Array(0);
/** Bytes of the timestamps option as Linux lays it out (nop, nop, TS). */
export const TS_OPTION_BYTES = 12;

/** Our TSval: a 1 ms clock with a per-connection random offset (RFC 7323 5.4). */
export function tsValue(tcb: Tcb, now: number): number {
  return (Math.floor(now) + tcb.tsOffset) >>> 0;
}

/** MSS clamp before options: min(peer's MSS, our MTU - 40, TCP_MAXSEG). */
export function mssClamp(tcb: Tcb): number {
  return tcb.mss + ((tcb.flags & F_TS) !== 0 ? TS_OPTION_BYTES : 0);
}

function sackBlocksFor(tcb: Tcb): SackBlock[] | null {
  if ((tcb.flags & F_SACK) === 0) return null;
  const hasDsack = (tcb.flags & F_DSACK) !== 0;
  if (tcb.ooo === null && !hasDsack) return null;
  const max = (tcb.flags & F_TS) !== 0 ? 3 : 4;
  const blocks: SackBlock[] = [];
  if (hasDsack) {
    blocks.push({ left: tcb.dsackLeft, right: tcb.dsackRight });
    tcb.flags &= ~F_DSACK;
  }
  if (tcb.ooo !== null) for (const b of tcb.ooo.sackBlocks(max - blocks.length)) blocks.push(b);
  return blocks;
}

/** Options of a non-SYN segment: timestamps if negotiated, SACK blocks while data is held out of order. */
export function segmentOptions(tcb: Tcb, now: number): TcpOptions {
  const ts = (tcb.flags & F_TS) !== 0;
  const sack = sackBlocksFor(tcb);
  if (!ts && sack === null) return NO_OPTIONS;
  if (sack === null) return { timestamps: { value: tsValue(tcb, now), echo: tcb.tsRecent >>> 0 } };
  if (!ts) return { sack };
  return { timestamps: { value: tsValue(tcb, now), echo: tcb.tsRecent >>> 0 }, sack };
}

function optionsBytes(o: TcpOptions): number {
  if (o === NO_OPTIONS) return 0;
  let n = o.timestamps !== undefined ? TS_OPTION_BYTES : 0;
  if (o.sack !== undefined && o.sack.length > 0) n += 4 + 8 * o.sack.length;
  return n;
}

/**
 * A segment carrying our current ACK and window. Sending it satisfies any pending ACK
 * (the delayed-ACK timer stops).
 */
export function ackSegment(tcb: Tcb, s: Seq, flags: number, payload: Uint8Array, options: TcpOptions, now: number, sink: TcpSink): TcpSegment {
  const window = selectWindow(tcb);
  tcb.lastAckSent = tcb.rcvNxt;
  tcb.flags &= ~(F_ACK_NOW | F_ACK_PENDING);
  if (tcb.tDelack !== 0) cancelTimer(tcb, 'delack', sink);
  return {
    srcPort: tcb.localPort,
    dstPort: tcb.remotePort,
    seq: s,
    ack: tcb.rcvNxt,
    flags: flags & ~ACK_BIT,
    window,
    urgent: null,
    options,
    payload,
  };
}

/** <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
export function sendAck(tcb: Tcb, now: number, sink: TcpSink): void {
  sink.send(tcb, ackSegment(tcb, tcb.sndNxt, 0, EMPTY, segmentOptions(tcb, now), now, sink));
}

/**
 * An RST from this connection (user abort, close with unread data). Linux sends RST|ACK with
 * SEQ=SND.NXT and ACK=RCV.NXT (RFC 9293 3.10.5 shows <SEQ=SND.NXT><CTL=RST>).
 */
export function sendRst(tcb: Tcb, now: number, sink: TcpSink): void {
  const opts: TcpOptions = (tcb.flags & F_TS) !== 0 ? { timestamps: { value: tsValue(tcb, now), echo: tcb.tsRecent >>> 0 } } : NO_OPTIONS;
  sink.send(tcb, {
    srcPort: tcb.localPort, dstPort: tcb.remotePort, seq: tcb.sndNxt, ack: tcb.rcvNxt, flags: RST,
    window: 0, urgent: null, options: opts, payload: EMPTY,
  });
  sink.count('OutRsts', 1);
}

/**
 * RFC 5961 7 (ACK throttling) with Linux's per-connection limit (tcp_invalid_ratelimit):
 * send a challenge / out-of-window ACK unless one went out less than the limit ago.
 */
export function sendRateLimitedAck(tcb: Tcb, now: number, sink: TcpSink, skippedCounter: string): boolean {
  if (now - tcb.lastOowAckAt < tcb.cfg.invalidRatelimitMs) {
    sink.count(skippedCounter, 1);
    return false;
  }
  tcb.lastOowAckAt = Math.floor(now);
  sendAck(tcb, now, sink);
  return true;
}

/** RFC 5961 3.2 / 4.2 / 5.2: the challenge ACK. */
export function sendChallengeAck(tcb: Tcb, now: number, sink: TcpSink): void {
  if (sendRateLimitedAck(tcb, now, sink, 'TCPACKSkippedChallenge')) sink.count('TCPChallengeACK', 1);
}

function queuedEnd(tcb: Tcb): Seq {
  return seqAdd(tcb.sndQSeq, tcb.sndQ === null ? 0 : tcb.sndQ.length);
}

/** Bytes not yet acknowledged (Send-Q). */
export function unackedBytes(tcb: Tcb): number {
  if (tcb.sndQ === null) return 0;
  return tcb.sndQ.length;
}

/** True when the FIN is queued and not yet sent at sndNxt. */
function finPendingAt(tcb: Tcb, s: Seq): boolean {
  return (tcb.flags & (F_FIN_QUEUED | F_FIN_ACKED)) === F_FIN_QUEUED && seqLe(s, tcb.finSeq);
}

function stateSendsData(tcb: Tcb): boolean {
  const st = tcb.state;
  return st === 'ESTABLISHED' || st === 'CLOSE-WAIT' || st === 'FIN-WAIT-1' || st === 'CLOSING' || st === 'LAST-ACK';
}

/**
 * Sends what may be sent now (data, FIN) and, if nothing carried it, a pending immediate ACK.
 * Returns true if a segment went out.
 */
export function output(tcb: Tcb, now: number, sink: TcpSink): boolean {
  let sent = false;
  if (stateSendsData(tcb)) sent = sendData(tcb, now, sink);
  if (!sent && (tcb.flags & F_ACK_NOW) !== 0) {
    sendAck(tcb, now, sink);
    sent = true;
  }
  return sent;
}

function sendData(tcb: Tcb, now: number, sink: TcpSink): boolean {
  let sent = false;
  const end = queuedEnd(tcb);
  for (;;) {
    let nxt = tcb.sndNxt;
    if (seqLt(nxt, tcb.sndMax)) {
      // Resending after a timeout: skip what the peer has SACKed.
      const skip = sackSkip(tcb, nxt);
      if (skip !== nxt) {
        tcb.sndNxt = skip;
        nxt = skip;
      }
    }
    let avail = seqDiff(end, nxt);
    if (avail < 0) avail = 0;
    const finPending = finPendingAt(tcb, nxt);
    if (avail === 0 && !finPending) break;
    if (avail > 0 && !seqLt(nxt, tcb.sndMax) && seqDiff(tcb.sndMax, tcb.sndUna) <= 0) restartAfterIdle(tcb, now);
    const options = segmentOptions(tcb, now);
    const maxPayload = mssClamp(tcb) - optionsBytes(options);
    const wndRoom = seqDiff(seqAdd(tcb.sndUna, tcb.sndWnd), nxt);
    const cwndRoom = seqDiff(seqAdd(tcb.sndUna, sendCwnd(tcb) + sackedBelow(tcb, nxt)), nxt);
    const room = Math.max(0, Math.min(wndRoom, cwndRoom));
    let len = Math.min(avail, maxPayload, room, seqLt(nxt, tcb.sndMax) ? sackRoom(tcb, nxt) : Infinity);
    if (len < avail && len < maxPayload && len === Math.min(avail, maxPayload, room)) {
      // A partial segment that does not carry all queued data.
      const inFlight = seqDiff(tcb.sndMax, tcb.sndUna) > 0;
      if (cwndRoom < wndRoom && inFlight) len = 0; // cwnd-limited: wait for ACKs
      // RFC 9293 3.8.6.2.1 (sender SWS): a window-limited piece only if >= 1/2 of the largest window.
      else if (len < tcb.maxSndWnd / 2) len = 0;
    } else if (len === avail && len < maxPayload && len > 0 && !finPending && nagleHolds(tcb)) {
      len = 0;
    }
    const fin = finPending && len === avail;
    if (len === 0 && !fin) break;
    transmit(tcb, nxt, len, fin, options, now, sink);
    sent = true;
    if (fin) break;
  }
  armPersistIfStalled(tcb, now, sink);
  return sent;
}

/** Nagle (RFC 896) as Linux: hold a small segment while a small segment is unacknowledged. */
function nagleHolds(tcb: Tcb): boolean {
  if ((tcb.flags & F_NODELAY) !== 0) return false;
  if (seqDiff(tcb.sndMax, tcb.sndUna) <= 0) return false;
  return seqGt(tcb.sndSml, tcb.sndUna) && seqLe(tcb.sndSml, tcb.sndMax);
}

/** Sends [s, s+len) of queued data, with FIN if `fin`, and updates the send variables. */
function transmit(tcb: Tcb, s: Seq, len: number, fin: boolean, options: TcpOptions, now: number, sink: TcpSink): void {
  const q = tcb.sndQ;
  const payload = len > 0 && q !== null ? q.view(seqDiff(s, tcb.sndQSeq), len) : EMPTY;
  const endSeq = seqAdd(s, len);
  let flags = 0;
  if (len > 0 && endSeq === queuedEnd(tcb)) flags |= PSH;
  if (fin) flags |= FIN;
  const seg = ackSegment(tcb, s, flags, payload, options, now, sink);
  const next = seqAdd(endSeq, fin ? 1 : 0);
  const retransmission = seqLt(s, tcb.sndMax);
  if (!retransmission && len > 0) tcb.lastSendAt = Math.floor(now);
  if (retransmission) {
    sink.count('RetransSegs', 1);
    tcb.totalRetrans++;
    // Karn: a retransmitted segment gives no RTT sample.
    if ((tcb.flags & F_RTT_TIMING) !== 0 && seqGe(tcb.rttSeq, s) && seqLt(tcb.rttSeq, next)) tcb.flags &= ~F_RTT_TIMING;
  } else if ((tcb.flags & (F_RTT_TIMING | F_TS)) === 0 && next !== s) {
    tcb.rttSeq = s;
    tcb.rttAt = Math.floor(now);
    tcb.flags |= F_RTT_TIMING;
  }
  tcb.sndNxt = next;
  if (seqGt(next, tcb.sndMax)) tcb.sndMax = next;
  if (len > 0 && len < mssClamp(tcb) - optionsBytes(options)) tcb.sndSml = endSeq;
  if (fin) tcb.flags |= F_FIN_SENT;
  sink.send(tcb, seg);
  // RFC 6298 5.1: start the timer when data is sent and it is not running.
  if (tcb.tRtx === 0) setTimer(tcb, rtxTimerName(tcb), now, currentRto(tcb), sink);
  if (tcb.tPersist !== 0) cancelTimer(tcb, 'persist', sink);
}

/**
 * RFC 9293 3.8.6.1: with data waiting, nothing in flight and a window too small to send,
 * start the persist timer (probing a zero window). Linux backs it off like the RTO.
 */
export function armPersistIfStalled(tcb: Tcb, now: number, sink: TcpSink): void {
  if (tcb.tPersist !== 0 || tcb.tRtx !== 0) return;
  if (seqDiff(tcb.sndMax, tcb.sndUna) > 0) return;
  const waiting = seqDiff(queuedEnd(tcb), tcb.sndNxt) > 0;
  if (!waiting) return;
  setTimer(tcb, 'persist', now, persistDelay(tcb), sink);
}

export function persistDelay(tcb: Tcb): number {
  return Math.min(tcb.cfg.rtoMaxMs, tcb.rto * 2 ** tcb.persistBackoff);
}

/**
 * A window probe or keepalive probe. Linux (tcp_xmit_probe_skb) sends an empty ACK with the
 * old sequence number SND.UNA - 1, which the peer must answer with an ACK; RFC 9293 3.8.6.1
 * describes probing with one byte of new data. If the window has partly opened, Linux sends
 * the data that fits instead (tcp_write_wakeup); so do we.
 */
export function sendProbe(tcb: Tcb, now: number, sink: TcpSink): void {
  const avail = seqDiff(queuedEnd(tcb), tcb.sndNxt);
  const room = seqDiff(seqAdd(tcb.sndUna, tcb.sndWnd), tcb.sndNxt);
  if (avail > 0 && room > 0 && stateSendsData(tcb)) {
    const options = segmentOptions(tcb, now);
    const len = Math.min(avail, room, mssClamp(tcb) - optionsBytes(options));
    const fin = finPendingAt(tcb, tcb.sndNxt) && len === avail;
    transmit(tcb, tcb.sndNxt, len, fin, options, now, sink);
    return;
  }
  sink.send(tcb, ackSegment(tcb, seqAdd(tcb.sndUna, -1), 0, EMPTY, segmentOptions(tcb, now), now, sink));
}

/**
 * Retransmits the first unacknowledged segment (fast retransmit, partial ACK, timeout),
 * regardless of the window (Linux retransmits into a shrunken window too).
 */
export function retransmitHead(tcb: Tcb, now: number, sink: TcpSink): void {
  retransmitAt(tcb, tcb.sndUna, now, sink);
}

/** Retransmits one segment starting at s (up to the next SACKed range). */
function retransmitAt(tcb: Tcb, s: Seq, now: number, sink: TcpSink): void {
  let avail = seqDiff(queuedEnd(tcb), s);
  if (avail < 0) avail = 0;
  const options = segmentOptions(tcb, now);
  const len = Math.min(avail, mssClamp(tcb) - optionsBytes(options), sackRoom(tcb, s));
  const fin = (tcb.flags & F_FIN_SENT) !== 0 && finPendingAt(tcb, s) && len === avail;
  if (len === 0 && !fin) return;
  const saveNxt = tcb.sndNxt;
  transmit(tcb, s, len, fin, options, now, sink);
  // Fast retransmit leaves SND.NXT where it was; after a timeout the caller rewound it.
  if (seqGt(saveNxt, tcb.sndNxt)) tcb.sndNxt = saveNxt;
  const end = seqAdd(s, len);
  const x = tcb.x;
  if (x !== null && x.sacked !== null && seqGt(end, x.highRxt)) x.highRxt = end;
}

/** Window update rule of RFC 9293 3.10.7.4 fifth (SND.WL1 / SND.WL2). */
function updateWindow(tcb: Tcb, seg: TcpSegment, ack: Seq, sink: TcpSink): void {
  if (seqLt(tcb.sndWl1, seg.seq) || (tcb.sndWl1 === seg.seq && seqLe(tcb.sndWl2, ack))) {
    const wnd = seg.window << tcb.sndWscale;
    tcb.sndWnd = wnd;
    tcb.sndWl1 = seg.seq;
    tcb.sndWl2 = ack;
    if (wnd > tcb.maxSndWnd) tcb.maxSndWnd = wnd;
    if (wnd > 0 && tcb.tPersist !== 0) {
      // Linux tcp_ack_probe: the window opened, stop probing.
      cancelTimer(tcb, 'persist', sink);
      tcb.persistBackoff = 0;
    }
  }
}

export type AckVerdict = 'ok' | 'dropped: ack of unsent data' | 'dropped: ack too old';

/**
 * RFC 9293 3.10.7.4 fifth, ESTABLISHED processing of SEG.ACK (shared by the states that
 * carry on like ESTABLISHED), with RFC 5961 5.2 acceptability, RTT, congestion control,
 * fast retransmit and the window update. Returns 'ok' or why the segment is dropped.
 */
export function processAck(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): AckVerdict {
  const ack = seg.ack as Seq;
  // RFC 5961 5.2: acceptable iff SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT (SND.MAX here).
  if (seqGt(ack, tcb.sndMax)) {
    sendChallengeAck(tcb, now, sink);
    return 'dropped: ack of unsent data';
  }
  if (seqLt(ack, seqAdd(tcb.sndUna, -Math.max(tcb.maxSndWnd, 1)))) {
    sendChallengeAck(tcb, now, sink);
    return 'dropped: ack too old';
  }
  // Linux: any acceptable ACK shows the peer is alive (icsk_probes_out = 0).
  tcb.probes = 0;
  const sack = seg.options.sack;
  if ((tcb.flags & F_SACK) !== 0 && sack !== undefined && sack.length > 0) sackUpdate(tcb, sack);
  const prevUna = tcb.sndUna;
  if (seqGt(ack, prevUna)) {
    newDataAcked(tcb, seg, ack, now, sink);
  } else if (ack === prevUna) {
    maybeDupAck(tcb, seg, now, sink);
  }
  if (seqGe(ack, prevUna)) updateWindow(tcb, seg, ack, sink);
  return 'ok';
}

function maybeDupAck(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): void {
  // RFC 5681 2: a duplicate ACK has no data, no SYN/FIN, the same window, and data outstanding.
  if (seg.payload.length !== 0 || (seg.flags & (SYN | FIN)) !== 0) return;
  if (seg.window << tcb.sndWscale !== tcb.sndWnd) return;
  if (seqDiff(tcb.sndMax, tcb.sndUna) <= 0) return;
  if ((tcb.flags & F_RECOVERY) !== 0) {
    inflateOnDupAck(tcb);
    // With SACK, each further duplicate ACK retransmits the next hole the peer reports (RFC 6675 NextSeg, simplified).
    const x = tcb.x;
    if (x !== null && x.sacked !== null) {
      const hole = sackNextHole(tcb, x.highRxt);
      if (hole !== null) {
        sink.count('TCPSackRecovery', 1);
        retransmitAt(tcb, hole, now, sink);
      }
    }
    return;
  }
  tcb.dupAcks++;
  if (tcb.dupAcks === DUP_THRESH && enterFastRecovery(tcb)) {
    sink.count(tcb.x !== null && tcb.x.sacked !== null ? 'TCPSackRecovery' : 'TCPRenoRecovery', 1);
    sink.count('TCPFastRetrans', 1);
    if (tcb.x !== null) tcb.x.highRxt = tcb.sndUna;
    retransmitHead(tcb, now, sink);
  }
}

function newDataAcked(tcb: Tcb, seg: TcpSegment, ack: Seq, now: number, sink: TcpSink): void {
  const acked = seqDiff(ack, tcb.sndUna);
  if ((tcb.flags & (F_FIN_QUEUED | F_FIN_SENT)) === (F_FIN_QUEUED | F_FIN_SENT) && seqGt(ack, tcb.finSeq)) tcb.flags |= F_FIN_ACKED;
  const q = tcb.sndQ;
  if (q !== null && seqGt(ack, tcb.sndQSeq)) {
    const n = Math.min(seqDiff(ack, tcb.sndQSeq), q.length);
    q.consume(n);
    if (q.length === 0) {
      tcb.sndQ = null;
      releaseQueue(q);
    }
  }
  tcb.sndUna = ack;
  if (seqLt(tcb.sndNxt, ack)) tcb.sndNxt = ack;
  sackPrune(tcb);
  if (seqLt(tcb.sndSml, ack)) tcb.sndSml = ack;
  takeRttSample(tcb, seg, ack, now);
  // Linux clears the backoff on an ACK of new data and recomputes the RTO.
  tcb.retransmits = 0;
  tcb.backoff = 0;
  tcb.retransStamp = 0;
  if ((tcb.flags & F_RECOVERY) !== 0) {
    // RFC 6582 partial ACK: resend the next hole, unless SACK recovery already resent it.
    const x = tcb.x;
    const alreadyResent = x !== null && x.sacked !== null && seqGt(x.highRxt, tcb.sndUna);
    if (recoveryOnAck(tcb, acked) && !alreadyResent) retransmitHead(tcb, now, sink);
  } else {
    tcb.dupAcks = 0;
    congestionOnAck(tcb, acked);
  }
  // RFC 6298 5.2 / 5.3: everything acknowledged stops the timer, otherwise restart it.
  const name = rtxTimerName(tcb);
  if (seqDiff(tcb.sndMax, tcb.sndUna) <= 0) cancelTimer(tcb, name, sink);
  else setTimer(tcb, name, now, currentRto(tcb), sink);
  if ((tcb.flags & F_WANT_DRAIN) !== 0 && unackedBytes(tcb) < tcb.sndBuf) {
    tcb.flags &= ~F_WANT_DRAIN;
    sink.writable(tcb);
  }
}

function takeRttSample(tcb: Tcb, seg: TcpSegment, ack: Seq, now: number): void {
  const ts = seg.options.timestamps;
  if ((tcb.flags & F_TS) !== 0 && ts !== undefined && ts.echo !== 0) {
    // RFC 7323 4.1: RTT from the echoed timestamp (valid for retransmitted data too).
    const r = (tsValue(tcb, now) - ts.echo) >>> 0;
    if (r < 0x7fffffff) rttSample(tcb, Math.max(r, now - Math.floor(now)));
    tcb.flags &= ~F_RTT_TIMING;
    return;
  }
  if ((tcb.flags & F_RTT_TIMING) !== 0 && seqGt(ack, tcb.rttSeq)) {
    rttSample(tcb, Math.floor(now) - tcb.rttAt);
    tcb.flags &= ~F_RTT_TIMING;
  }
}

/** The highest sequence number sent so far, for the RST sequence rules. */
export function highestSent(tcb: Tcb): Seq {
  return seqMax(tcb.sndNxt, tcb.sndMax);
}
