// The state machine: SEGMENT ARRIVES (RFC 9293 3.10.7) in the RFC's order of checks, plus
// the single entry point `step(tcb, input, now)` that takes a segment, a timer expiry or a
// user call and returns the effects as data. The stack uses the direct entry points
// (onSegment, onTimer, userSend, ...) with its own sink; nothing here reads the clock,
// randomness, or does I/O.
import { seq, seqAdd, seqDiff, seqGt, seqLe, seqLt } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import { FIN, RST, SYN } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import { finArrives, armFinWait2, enterTimeWait, rstArrives, userAbort, userClose, userShutdown } from './close.ts';
import type { Effect, SocketErrorCode, TcpSink, TimerName } from './effects.ts';
import { RecordingSink } from './effects.ts';
import { ackCompletesHandshake, completeHandshake, openActive, sendSynAck, synSentArrives } from './handshake.ts';
import { heldFinReady, holdFin, noteDsack, rcvWnd, receiveText, segmentAcceptable } from './receiver.ts';
import { output, processAck, sendAck, sendChallengeAck, sendRateLimitedAck } from './sender.ts';
import { canReceiveData } from './state.ts';
import type { TcpState } from './state.ts';
import { F_ACK_NOW, F_FIN_ACKED, F_PASSIVE, F_SHUT_RD, F_TS } from './tcb.ts';
import type { Tcb } from './tcb.ts';
import { onTimer } from './timeouts.ts';
import { setTimer } from './timers.ts';
import { closeTcb, transition } from './transition.ts';
import { userReceive, userSend } from './user.ts';

const EMPTY = new Uint8Array(0);
/** RFC 7323 5.5: TS.Recent older than 24 days is no longer trusted for PAWS. */
const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;

/** Has our FIN been sent and acknowledged? */
export function ourFinAcked(tcb: Tcb): boolean {
  return (tcb.flags & F_FIN_ACKED) !== 0;
}

/** The RST of RFC 9293 3.10.7.1 for a segment, sent from this TCB's endpoint. */
function rstForSegment(tcb: Tcb, seg: TcpSegment, sink: TcpSink): void {
  let s: Seq;
  let ack: Seq | null;
  if (seg.ack !== null) {
    s = seg.ack;
    ack = null;
  } else {
    s = seq(0); // as RFC 9293 3.10.7.1 and Linux tcp_v4_send_reset
    ack = seqAdd(seg.seq, seg.payload.length + ((seg.flags & SYN) !== 0 ? 1 : 0) + ((seg.flags & FIN) !== 0 ? 1 : 0));
  }
  sink.send(tcb, { srcPort: tcb.localPort, dstPort: tcb.remotePort, seq: s, ack, flags: RST, window: 0, urgent: null, options: {}, payload: EMPTY });
  sink.count('OutRsts', 1);
}

/**
 * SEGMENT ARRIVES for an existing TCB. Returns the verdict shown in the event log
 * ('accepted', 'dropped: <why>', 'rst: <why>', ...).
 */
export function onSegment(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string {
  let verdict: string;
  switch (tcb.state) {
    case 'CLOSED':
      return 'dropped: connection closed';
    case 'LISTEN':
      return 'dropped: LISTEN is handled by the listener';
    case 'SYN-SENT':
      verdict = synSentArrives(tcb, seg, now, sink);
      // RFC 9293 3.10.7.3: text or FIN with the SYN-ACK continue at the sixth step.
      if (stateOf(tcb) === 'ESTABLISHED' && (seg.payload.length > 0 || (seg.flags & FIN) !== 0)) {
        textAndFin(tcb, seg, 0, seg.payload.length, seqAdd(seg.seq, 1), (seg.flags & FIN) !== 0, now, sink);
      }
      break;
    case 'SYN-RECEIVED':
    case 'ESTABLISHED':
    case 'FIN-WAIT-1':
    case 'FIN-WAIT-2':
    case 'CLOSE-WAIT':
    case 'CLOSING':
    case 'LAST-ACK':
    case 'TIME-WAIT':
      verdict = otherStates(tcb, seg, now, sink);
      break;
  }
  if (stateOf(tcb) !== 'CLOSED') output(tcb, now, sink);
  return verdict;
}

/** The current state, read fresh (defeats narrowing after calls that change it). */
function stateOf(tcb: Tcb): TcpState {
  return tcb.state;
}

/** RFC 7323 5.3 R1: SEG.TSval < TS.Recent (and TS.Recent not older than 24 days). */
function pawsRejects(tcb: Tcb, tsval: number, now: number): boolean {
  if (((tsval - tcb.tsRecent) | 0) >= 0) return false;
  return now - tcb.tsRecentAt < PAWS_IDLE_MS;
}

/** The part of a segment left to process after trimming to the window (reused, no allocation). */
const trim = { from: 0, to: 0, dataSeq: 0 as Seq, fin: false };

/** RFC 9293 3.10.7.4: SYN-RECEIVED and the synchronized states, in the RFC's order of checks. */
function otherStates(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string {
  const early = synReceivedSpecials(tcb, seg, now, sink) ?? pawsCheck(tcb, seg, now, sink) ?? sequenceCheck(tcb, seg, now, sink);
  if (early !== null) return early;
  const { from, to, dataSeq, fin } = trim;
  // Second: the RST bit (RFC 5961 3.2).
  if ((seg.flags & RST) !== 0) {
    if (seg.seq === tcb.rcvNxt) return rstArrives(tcb, now, sink);
    sendChallengeAck(tcb, now, sink);
    return 'dropped: RST in window but not at RCV.NXT (challenge ACK)';
  }
  // Fourth: the SYN bit.
  if ((seg.flags & SYN) !== 0) return synInWindow(tcb, seg, now, sink);
  // Fifth: the ACK field.
  if (seg.ack === null) return 'dropped: no ACK';
  if (tcb.state === 'SYN-RECEIVED') {
    if (!ackCompletesHandshake(tcb, seg.ack)) {
      rstForSegment(tcb, seg, sink);
      return 'rst: unacceptable ACK in SYN-RECEIVED';
    }
    completeHandshake(tcb, seg, now, sink);
  }
  const ackVerdict = processAck(tcb, seg, now, sink);
  if (ackVerdict !== 'ok') return ackVerdict;
  tcb.lastRcvAt = Math.floor(now);
  updateTsRecent(tcb, seg, now);
  if (ourFinAckedMoves(tcb, now, sink)) return 'accepted';
  return textAndFin(tcb, seg, from, to, dataSeq, fin, now, sink);
}

/** Linux behaviours in SYN-RECEIVED that come before the RFC's checks. */
function synReceivedSpecials(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string | null {
  if (tcb.state !== 'SYN-RECEIVED' || (seg.flags & (SYN | RST)) !== SYN) return null;
  // Linux (tcp_check_req): a retransmitted SYN gets the SYN-ACK again.
  if (seg.ack === null && seg.seq === tcb.irs) {
    sendSynAck(tcb, now, sink);
    sink.count('RetransSegs', 1);
    return 'accepted: retransmitted SYN, SYN-ACK resent';
  }
  // Linux (tcp_rcv_state_process): in a simultaneous open the peer's SYN-ACK (SEG.SEQ + 1 =
  // RCV.NXT, SEG.ACK = SND.NXT) completes the handshake; the RFC's check would drop it and
  // rely on the ACKs both sides send.
  if (seg.ack !== null && (tcb.flags & F_PASSIVE) === 0 && seqAdd(seg.seq, 1) === tcb.rcvNxt && seg.ack === tcb.sndNxt) {
    completeHandshake(tcb, seg, now, sink);
    tcb.flags |= F_ACK_NOW;
    return 'accepted: SYN-ACK (simultaneous open)';
  }
  return null;
}

/** RFC 7323 5.3: PAWS, before the sequence number check. */
function pawsCheck(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string | null {
  const ts = seg.options.timestamps;
  if ((tcb.flags & F_TS) === 0 || ts === undefined || (seg.flags & RST) !== 0 || !pawsRejects(tcb, ts.value, now)) return null;
  sink.count('PAWSEstabRejected', 1);
  if (tcb.state === 'TIME-WAIT' && seg.ack !== null) setTimer(tcb, 'time-wait', now, tcb.cfg.timeWaitMs, sink);
  if (seg.payload.length > 0 || (seg.flags & FIN) !== 0) sendAck(tcb, now, sink);
  else sendRateLimitedAck(tcb, now, sink, 'TCPACKSkippedPAWS');
  return 'dropped: PAWS (old timestamp)';
}

/**
 * First: check the sequence number (the RFC's four cases). An unacceptable segment is
 * answered with an ACK (unless it is an RST) and dropped. An acceptable one is trimmed to
 * the window into `trim`.
 */
function sequenceCheck(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string | null {
  const flags = seg.flags;
  const syn = (flags & SYN) !== 0;
  const fin = (flags & FIN) !== 0;
  const payload = seg.payload;
  const segLen = payload.length + (syn ? 1 : 0) + (fin ? 1 : 0);
  // RFC 9293 3.10.7.4: with RCV.WND = 0 "special allowance should be made to accept valid
  // ACKs, URGs, and RSTs": a segment at RCV.NXT is processed without its text (Linux too;
  // Linux also accepts a bare FIN there).
  const atZeroWindow = rcvWnd(tcb) === 0 && seg.seq === tcb.rcvNxt && !syn;
  if (!segmentAcceptable(tcb, seg.seq, segLen) && !atZeroWindow) return unacceptable(tcb, seg, segLen, now, sink);
  // Only the new part inside the window is processed.
  let from = 0;
  let to = payload.length;
  let dataSeq = syn ? seqAdd(seg.seq, 1) : seg.seq;
  if (seqLt(dataSeq, tcb.rcvNxt)) {
    const skip = Math.min(seqDiff(tcb.rcvNxt, dataSeq), to);
    if (skip > 0) noteDsack(tcb, dataSeq, seqAdd(dataSeq, skip));
    from = skip;
    dataSeq = seqAdd(dataSeq, skip);
  }
  let keepFin = fin;
  const room = seqDiff(tcb.rcvAdv, dataSeq);
  if (to - from > room) {
    // Text beyond the window is dropped; the ACK tells the peer where the window ends.
    to = from + Math.max(room, 0);
    keepFin = false;
    tcb.flags |= F_ACK_NOW;
  }
  trim.from = from;
  trim.to = to;
  trim.dataSeq = dataSeq;
  trim.fin = keepFin;
  return null;
}

function unacceptable(tcb: Tcb, seg: TcpSegment, segLen: number, now: number, sink: TcpSink): string {
  const flags = seg.flags;
  if ((flags & RST) !== 0) return 'dropped: RST out of window';
  const payload = seg.payload;
  if (payload.length > 0 && seqLe(seqAdd(seg.seq, payload.length), tcb.rcvNxt)) {
    noteDsack(tcb, seg.seq, seqAdd(seg.seq, payload.length));
  }
  const fin = (flags & FIN) !== 0;
  const timeWait = tcb.state === 'TIME-WAIT';
  if (timeWait && seg.ack !== null) {
    // RFC 9293 3.10.7.4 TIME-WAIT (Linux tcp_timewait_state_process): ACK and restart 2 MSL.
    setTimer(tcb, 'time-wait', now, tcb.cfg.timeWaitMs, sink);
    if (fin) sink.count('TCPTimeWaitFinRetrans', 1);
  }
  // Linux rate-limits only ACKs for segments without data (tcp_oow_rate_limited).
  if ((flags & SYN) !== 0) sendChallengeAck(tcb, now, sink);
  else if (segLen > 0) sendAck(tcb, now, sink);
  else sendRateLimitedAck(tcb, now, sink, 'TCPACKSkippedSeq');
  if (timeWait && fin) return 'accepted: retransmitted FIN re-ACKed, TIME-WAIT restarted';
  return 'dropped: out of window';
}

/** Fourth: a SYN inside the window. */
function synInWindow(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string {
  if (tcb.state === 'SYN-RECEIVED' && (tcb.flags & F_PASSIVE) !== 0) {
    // RFC 9293: a passive SYN-RECEIVED returns to LISTEN; Linux also answers with an RST.
    rstForSegment(tcb, seg, sink);
    closeTcb(tcb, 'rcv SYN in SYN-RECEIVED', now, sink);
    return 'rst: SYN in SYN-RECEIVED';
  }
  // RFC 5961 4.2: a SYN in a synchronized state gets a challenge ACK.
  sendChallengeAck(tcb, now, sink);
  return 'dropped: SYN in synchronized state (challenge ACK)';
}

/** RFC 7323 4.3 (3): remember the newest timestamp of a segment covering Last.ACK.sent. */
function updateTsRecent(tcb: Tcb, seg: TcpSegment, now: number): void {
  const ts = seg.options.timestamps;
  if ((tcb.flags & F_TS) !== 0 && ts !== undefined && ((ts.value - tcb.tsRecent) | 0) >= 0 && seqLe(seg.seq, tcb.lastAckSent)) {
    tcb.tsRecent = ts.value | 0;
    tcb.tsRecentAt = Math.floor(now);
  }
}

/**
 * RFC 9293 3.10.7.4 fifth, per state: the ACK of our FIN moves FIN-WAIT-1 to FIN-WAIT-2,
 * CLOSING to TIME-WAIT, and ends LAST-ACK (returns true: nothing more to process).
 */
function ourFinAckedMoves(tcb: Tcb, now: number, sink: TcpSink): boolean {
  if (!ourFinAcked(tcb)) return false;
  switch (tcb.state) {
    case 'FIN-WAIT-1':
      transition(tcb, 'FIN-WAIT-2', 'rcv ACK of FIN', now, sink);
      armFinWait2(tcb, now, sink);
      return false;
    case 'CLOSING':
      enterTimeWait(tcb, 'rcv ACK of FIN', now, sink);
      return false;
    case 'LAST-ACK':
      closeTcb(tcb, 'rcv ACK of FIN', now, sink);
      return true;
    default:
      return false;
  }
}

/** RFC 9293 3.10.7.4 sixth (URG), seventh (text) and eighth (FIN). */
function textAndFin(tcb: Tcb, seg: TcpSegment, from: number, to: number, dataSeq: Seq, fin: boolean, now: number, sink: TcpSink): string {
  // Sixth: the urgent pointer is recorded and shown; urgent data stays inline (not acted on).
  if (seg.urgent !== null && canReceiveData(tcb.state)) {
    tcb.rcvUp = seqAdd(seg.seq, seg.urgent);
    sink.count('TCPURGRecv', 1);
  }
  // Seventh: the segment text.
  if (to > from && canReceiveData(tcb.state)) {
    if ((tcb.flags & F_SHUT_RD) !== 0) {
      // RFC 1122 4.2.2.13 / Linux: new data for a closed socket is answered with a reset.
      sink.count('TCPAbortOnData', 1);
      rstForSegment(tcb, seg, sink);
      closeTcb(tcb, 'rcv data after close', now, sink);
      return 'rst: data after close';
    }
    receiveText(tcb, seg.payload, from, to, dataSeq, now, sink);
  }
  // Eighth: the FIN bit (only once it is in order; an early FIN waits with the data before it).
  if (fin && (tcb.state === 'TIME-WAIT' || (tcb.flags & F_SHUT_RD) === 0 || to === from)) {
    const finAt = seqAdd(dataSeq, to - from);
    if (finAt === tcb.rcvNxt || (tcb.state === 'TIME-WAIT' && seqAdd(finAt, 1) === tcb.rcvNxt)) {
      finArrives(tcb, ourFinAcked(tcb), now, sink);
    } else if (seqGt(finAt, tcb.rcvNxt) && canReceiveData(tcb.state)) {
      holdFin(tcb, finAt);
    }
  } else if (heldFinReady(tcb)) {
    finArrives(tcb, ourFinAcked(tcb), now, sink);
  }
  return 'accepted';
}

// ---- The data form: one entry point, effects as a list -------------------------------------

export type UserCall =
  | { op: 'open'; iss: Seq; tsOffset: number }
  | { op: 'send'; data: Uint8Array }
  | { op: 'receive'; max: number }
  | { op: 'shutdown' }
  | { op: 'close' }
  | { op: 'abort' };

export type TcpInput =
  | { kind: 'segment'; segment: TcpSegment }
  | { kind: 'timer'; timer: TimerName }
  | { kind: 'user'; call: UserCall };

export interface StepResult {
  effects: Effect[];
  /** For segments: the verdict. */
  verdict?: string;
  /** For user calls: bytes taken (send), data (receive), or an error code. */
  result?: number | Uint8Array | null | SocketErrorCode | 'ok';
}

/** Processes one input into `sink` (the allocation-free form the stack uses). */
export function stepInto(tcb: Tcb, input: TcpInput, now: number, sink: TcpSink): Omit<StepResult, 'effects'> {
  switch (input.kind) {
    case 'segment':
      return { verdict: onSegment(tcb, input.segment, now, sink) };
    case 'timer':
      onTimer(tcb, input.timer, now, sink);
      return {};
    case 'user':
      return { result: userCall(tcb, input.call, now, sink) };
  }
}

function userCall(tcb: Tcb, call: UserCall, now: number, sink: TcpSink): StepResult['result'] {
  switch (call.op) {
    case 'open':
      openActive(tcb, call.iss, call.tsOffset, now, sink);
      return 'ok';
    case 'send':
      return userSend(tcb, call.data, now, sink);
    case 'receive':
      return userReceive(tcb, call.max, now, sink);
    case 'shutdown':
      return userShutdown(tcb, now, sink);
    case 'close':
      return userClose(tcb, now, sink);
    case 'abort':
      return userAbort(tcb, now, sink);
  }
}

/** step(tcb, input, now) -> effects (RFC 9293 3.10 as a function). */
export function step(tcb: Tcb, input: TcpInput, now: number): StepResult {
  const sink = new RecordingSink();
  const r = stepInto(tcb, input, now, sink);
  return { effects: sink.effects, ...r };
}

