// Opening a connection: the active open (RFC 9293 3.10.1), the passive open from LISTEN
// (3.10.7.2, the TCB is made by the stack for the SYN), SEGMENT ARRIVES in SYN-SENT
// (3.10.7.3, including simultaneous open) and completing the handshake in SYN-RECEIVED
// (3.10.7.4 fifth). Options: MSS (RFC 9293 3.7.1, RFC 6691), window scale and timestamps
// (RFC 7323), SACK-permitted (RFC 2018); a SYN-ACK answers only what the SYN offered.
import { seqAdd, seqGt, seqLe } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import { FIN, RST, SYN } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import type { TcpOptions } from '../wire/tcp-options.ts';
import { initCongestion } from './congestion.ts';
import type { TcpSink } from './effects.ts';
import { advMss } from './receiver.ts';
import { rttSample } from './rtt.ts';
import { TS_OPTION_BYTES, tsValue } from './sender.ts';
import {
  DEFAULT_PEER_MSS, F_ACK_NOW, F_KEEPALIVE, F_PASSIVE, F_RTT_TIMING, F_RTT_VALID, F_SACK, F_SYN_ACKED, F_SYN_RTX, F_TS, F_WSCALE,
} from './tcb.ts';
import type { Tcb } from './tcb.ts';
import { cancelTimer, setTimer } from './timers.ts';
import { adoptState, closeTcb, transition } from './transition.ts';

const EMPTY = new Uint8Array(0);
/** RFC 7323 2.3: the largest shift. */
export const MAX_WSCALE = 14;
/** RFC 6298 5.7: the RTO after a retransmitted SYN when no RTT sample exists. */
export const SYN_FALLBACK_RTO_MS = 3000;

/** The MSS we announce: MTU - 40, clamped by TCP_MAXSEG. */
function announcedMss(tcb: Tcb): number {
  const m = advMss(tcb);
  return tcb.userMss > 0 ? Math.min(m, tcb.userMss) : m;
}

/** Our SYN's options, Linux's order: mss, sackOK, TS, nop, wscale. */
function synOptions(tcb: Tcb, now: number): TcpOptions {
  const cfg = tcb.cfg;
  const o: { mss: number; sackPermitted?: boolean; timestamps?: { value: number; echo: number }; wscale?: number } = {
    mss: announcedMss(tcb),
  };
  if (cfg.sack) o.sackPermitted = true;
  if (cfg.timestamps) o.timestamps = { value: tsValue(tcb, now), echo: 0 };
  if (cfg.windowScaling) o.wscale = cfg.wscale;
  return o;
}

/** The SYN-ACK's options: only those the peer's SYN offered (and we enabled). */
function synAckOptions(tcb: Tcb, now: number): TcpOptions {
  const o: { mss: number; sackPermitted?: boolean; timestamps?: { value: number; echo: number }; wscale?: number } = {
    mss: announcedMss(tcb),
  };
  if ((tcb.flags & F_SACK) !== 0) o.sackPermitted = true;
  if ((tcb.flags & F_TS) !== 0) o.timestamps = { value: tsValue(tcb, now), echo: tcb.tsRecent >>> 0 };
  if ((tcb.flags & F_WSCALE) !== 0) o.wscale = tcb.rcvWscale;
  return o;
}

/** Applies the options of the peer's SYN (or SYN-ACK) to the TCB. */
function negotiate(tcb: Tcb, o: TcpOptions, now: number): void {
  const cfg = tcb.cfg;
  tcb.peerMss = o.mss !== undefined && o.mss > 0 ? o.mss : DEFAULT_PEER_MSS;
  if (cfg.windowScaling && o.wscale !== undefined) {
    tcb.flags |= F_WSCALE;
    // RFC 7323 2.3: a shift above 14 is used as 14.
    tcb.sndWscale = Math.min(o.wscale, MAX_WSCALE);
    tcb.rcvWscale = cfg.wscale;
  } else {
    tcb.flags &= ~F_WSCALE;
    tcb.sndWscale = 0;
    tcb.rcvWscale = 0;
  }
  if (cfg.sack && o.sackPermitted === true) tcb.flags |= F_SACK;
  else tcb.flags &= ~F_SACK;
  if (cfg.timestamps && o.timestamps !== undefined) {
    tcb.flags |= F_TS;
    tcb.tsRecent = o.timestamps.value | 0;
    tcb.tsRecentAt = Math.floor(now);
  } else {
    tcb.flags &= ~F_TS;
  }
  updateMss(tcb);
}

/** Effective send MSS: min(peer MSS, our MTU - 40, TCP_MAXSEG) less the timestamp option. */
export function updateMss(tcb: Tcb): void {
  let clamp = Math.min(tcb.peerMss, advMss(tcb));
  if (tcb.userMss > 0) clamp = Math.min(clamp, tcb.userMss);
  tcb.mss = Math.max(clamp - ((tcb.flags & F_TS) !== 0 ? TS_OPTION_BYTES : 0), 8);
}

/**
 * The window of a SYN or SYN-ACK: syn_window (65535), never more than the receive buffer
 * (Linux tcp_select_initial_window caps it by the space), never scaled (RFC 7323 2.2).
 */
function synWindow(tcb: Tcb): number {
  return Math.min(tcb.cfg.synWindow, 65535, tcb.rcvBuf);
}

export function sendSyn(tcb: Tcb, now: number, sink: TcpSink): void {
  sink.send(tcb, {
    srcPort: tcb.localPort, dstPort: tcb.remotePort, seq: tcb.iss, ack: null, flags: SYN,
    window: synWindow(tcb), urgent: null, options: synOptions(tcb, now), payload: EMPTY,
  });
}

export function sendSynAck(tcb: Tcb, now: number, sink: TcpSink): void {
  const window = synWindow(tcb);
  tcb.rcvAdv = seqAdd(tcb.rcvNxt, window);
  tcb.lastAckSent = tcb.rcvNxt;
  sink.send(tcb, {
    srcPort: tcb.localPort, dstPort: tcb.remotePort, seq: tcb.iss, ack: tcb.rcvNxt, flags: SYN,
    window, urgent: null, options: synAckOptions(tcb, now), payload: EMPTY,
  });
}

function initSendSpace(tcb: Tcb, iss: Seq): void {
  tcb.iss = iss;
  tcb.sndUna = iss;
  tcb.sndNxt = seqAdd(iss, 1);
  tcb.sndMax = tcb.sndNxt;
  tcb.sndSml = iss;
  tcb.recover = iss;
}

/** RFC 9293 3.10.1 OPEN (active): send <SEQ=ISS><CTL=SYN>, enter SYN-SENT. */
export function openActive(tcb: Tcb, iss: Seq, tsOffset: number, now: number, sink: TcpSink): void {
  tcb.tsOffset = tsOffset | 0;
  initSendSpace(tcb, iss);
  tcb.mss = Math.min(DEFAULT_PEER_MSS, advMss(tcb));
  transition(tcb, 'SYN-SENT', 'user connect', now, sink);
  sendSyn(tcb, now, sink);
  tcb.rttAt = Math.floor(now);
  tcb.flags |= F_RTT_TIMING;
  setTimer(tcb, 'retransmit', now, tcb.rto, sink);
}

/**
 * RFC 9293 3.10.7.2 third (LISTEN, SYN): RCV.NXT = SEG.SEQ + 1, IRS = SEG.SEQ, send
 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, enter SYN-RECEIVED. Text in the SYN is not
 * acknowledged (Linux without TCP Fast Open ignores it; the RFC allows queueing it).
 */
export function openPassive(tcb: Tcb, seg: TcpSegment, iss: Seq, tsOffset: number, now: number, sink: TcpSink): void {
  tcb.tsOffset = tsOffset | 0;
  tcb.flags |= F_PASSIVE;
  tcb.irs = seg.seq;
  tcb.rcvNxt = seqAdd(seg.seq, 1);
  initSendSpace(tcb, iss);
  negotiate(tcb, seg.options, now);
  // The SYN's window is never scaled (RFC 7323 2.2).
  tcb.sndWnd = seg.window;
  tcb.maxSndWnd = seg.window;
  tcb.sndWl1 = seg.seq;
  tcb.sndWl2 = iss;
  tcb.lastRcvAt = Math.floor(now);
  transition(tcb, 'SYN-RECEIVED', 'rcv SYN', now, sink);
  sendSynAck(tcb, now, sink);
  tcb.rttAt = Math.floor(now);
  tcb.flags |= F_RTT_TIMING;
  setTimer(tcb, 'syn-ack', now, tcb.rto, sink);
}

/** What a half-open request (core/listen/request.ts) or a valid SYN cookie hands to its TCB. */
export interface PassiveChild {
  iss: Seq;
  irs: Seq;
  /** The MSS the client announced (a cookie: the table's value). */
  peerMss: number;
  /** The client's window scale shift, or -1 when none was negotiated. */
  sndWscale: number;
  /** Ours (when scaling). */
  rcvWscale: number;
  sack: boolean;
  timestamps: boolean;
  /** TS.Recent (the client's latest TSval) and our TS offset. */
  tsRecent: number;
  tsOffset: number;
  /** The client's SYN window (never scaled) and our SYN-ACK's window. */
  synWindow: number;
  rcvWnd: number;
  /** When the request entered SYN-RECEIVED and sent its last SYN-ACK. */
  synAt: number;
  synAckAt: number;
  /**
   * 'timed': the SYN-ACK was sent once, its ACK is an RTT sample; 'retransmitted': Karn, no
   * sample (RFC 6298 5.7 then applies); 'none': unknown (a SYN cookie: no sample, initial RTO).
   */
  rtt: 'timed' | 'retransmitted' | 'none';
  /** The SYN-RECEIVED transition was already reported (a request); false for a SYN cookie. */
  reported: boolean;
  cause: string;
}

/**
 * Linux tcp_create_openreq_child: the TCB of a passive open whose handshake-completing segment
 * has arrived, made from its request (or cookie) in SYN-RECEIVED as if openPassive had run at
 * the SYN; the caller then processes the segment on it (RFC 9293 3.10.7.4 fifth completes the
 * handshake). No segment is sent here.
 */
export function openPassiveChild(tcb: Tcb, p: PassiveChild, now: number, sink: TcpSink): void {
  const cfg = tcb.cfg;
  tcb.tsOffset = p.tsOffset | 0;
  tcb.flags |= F_PASSIVE;
  tcb.irs = p.irs;
  tcb.rcvNxt = seqAdd(p.irs, 1);
  initSendSpace(tcb, p.iss);
  tcb.peerMss = p.peerMss > 0 ? p.peerMss : DEFAULT_PEER_MSS;
  if (cfg.windowScaling && p.sndWscale >= 0) {
    tcb.flags |= F_WSCALE;
    tcb.sndWscale = Math.min(p.sndWscale, MAX_WSCALE);
    tcb.rcvWscale = p.rcvWscale;
  }
  if (cfg.sack && p.sack) tcb.flags |= F_SACK;
  if (cfg.timestamps && p.timestamps) {
    tcb.flags |= F_TS;
    tcb.tsRecent = p.tsRecent | 0;
    tcb.tsRecentAt = Math.floor(now);
  }
  updateMss(tcb);
  tcb.sndWnd = p.synWindow;
  tcb.maxSndWnd = p.synWindow;
  tcb.sndWl1 = p.irs;
  tcb.sndWl2 = p.iss;
  tcb.lastRcvAt = Math.floor(now);
  tcb.rcvAdv = seqAdd(tcb.rcvNxt, p.rcvWnd);
  tcb.lastAckSent = tcb.rcvNxt;
  tcb.rttAt = Math.floor(p.synAckAt);
  if (p.rtt === 'timed') tcb.flags |= F_RTT_TIMING;
  else if (p.rtt === 'retransmitted') tcb.flags |= F_SYN_RTX;
  if (p.reported) adoptState(tcb, 'SYN-RECEIVED', p.cause, p.synAt);
  else transition(tcb, 'SYN-RECEIVED', p.cause, now, sink);
}

/** The SYN (or SYN-ACK) was acknowledged: RTT sample (Karn), RTO per RFC 6298 5.7, cwnd. */
function handshakeAcked(tcb: Tcb, seg: TcpSegment, now: number): void {
  tcb.flags |= F_SYN_ACKED;
  const ts = seg.options.timestamps;
  if ((tcb.flags & F_TS) !== 0 && ts !== undefined && ts.echo !== 0) {
    rttSample(tcb, (tsValue(tcb, now) - ts.echo) >>> 0);
  } else if ((tcb.flags & (F_RTT_TIMING | F_SYN_RTX)) === F_RTT_TIMING) {
    rttSample(tcb, Math.floor(now) - tcb.rttAt);
  }
  tcb.flags &= ~F_RTT_TIMING;
  if ((tcb.flags & F_RTT_VALID) === 0) {
    tcb.rto = (tcb.flags & F_SYN_RTX) !== 0 ? SYN_FALLBACK_RTO_MS : tcb.cfg.rtoInitialMs;
  }
  tcb.retransmits = 0;
  tcb.backoff = 0;
  tcb.retransStamp = 0;
  initCongestion(tcb);
}

/**
 * RFC 9293 3.10.7.3: SEGMENT ARRIVES in SYN-SENT. Returns the verdict.
 * `processRest` is set when the segment carries text or FIN to be processed as in
 * ESTABLISHED (sixth step onwards).
 */
export function synSentArrives(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): string {
  const flags = seg.flags;
  const ack = seg.ack;
  // First: check the ACK bit.
  if (ack !== null) {
    if (seqLe(ack, tcb.iss) || seqGt(ack, tcb.sndNxt)) {
      // <SEQ=SEG.ACK><CTL=RST> unless the segment is itself a reset.
      if ((flags & RST) !== 0) return 'dropped: RST with unacceptable ACK';
      sink.send(tcb, {
        srcPort: tcb.localPort, dstPort: tcb.remotePort, seq: ack, ack: null, flags: RST,
        window: 0, urgent: null, options: {}, payload: EMPTY,
      });
      sink.count('OutRsts', 1);
      return 'rst: unacceptable ACK in SYN-SENT';
    }
  }
  // Second: the RST bit (RFC 5961 3.2 / RFC 9293: acceptable only if it acknowledges the SYN).
  if ((flags & RST) !== 0) {
    if (ack === null) return 'dropped: RST without ACK in SYN-SENT';
    closeTcb(tcb, 'rcv RST', now, sink, 'ECONNREFUSED');
    return 'accepted: connection refused';
  }
  // Fourth: the SYN bit.
  if ((flags & SYN) === 0) return 'dropped: no SYN or RST in SYN-SENT';
  tcb.irs = seg.seq;
  tcb.rcvNxt = seqAdd(seg.seq, 1);
  tcb.lastRcvAt = Math.floor(now);
  negotiate(tcb, seg.options, now);
  if (ack !== null) {
    tcb.sndUna = ack;
    // RFC 7323 2.2: the window of a SYN-ACK is never scaled.
    tcb.sndWnd = seg.window;
    tcb.maxSndWnd = seg.window;
    tcb.sndWl1 = seg.seq;
    tcb.sndWl2 = ack;
  }
  if (seqGt(tcb.sndUna, tcb.iss)) {
    // Our SYN is acknowledged: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    handshakeAcked(tcb, seg, now);
    cancelTimer(tcb, 'retransmit', sink);
    transition(tcb, 'ESTABLISHED', 'rcv SYN-ACK', now, sink);
    armKeepalive(tcb, now, sink);
    tcb.rcvAdv = tcb.rcvNxt;
    tcb.flags |= F_ACK_NOW;
    sink.connected(tcb);
    return 'accepted';
  }
  // Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
  tcb.sndWnd = seg.window;
  tcb.maxSndWnd = seg.window;
  tcb.sndWl1 = seg.seq;
  transition(tcb, 'SYN-RECEIVED', 'rcv SYN (simultaneous open)', now, sink);
  sendSynAck(tcb, now, sink);
  if ((flags & FIN) !== 0 || seg.payload.length > 0) return 'accepted (text and FIN in the SYN ignored)';
  return 'accepted';
}

/** SO_KEEPALIVE set before the connection was established: start the idle timer now (Linux tcp_finish_connect). */
function armKeepalive(tcb: Tcb, now: number, sink: TcpSink): void {
  if ((tcb.flags & F_KEEPALIVE) !== 0 && tcb.tKeep === 0) {
    setTimer(tcb, 'keepalive', now, tcb.keepIdleMs > 0 ? tcb.keepIdleMs : tcb.cfg.keepIdleMs, sink);
  }
}

/** SND.UNA < SEG.ACK <= SND.NXT in SYN-RECEIVED: the ACK completes the handshake. */
export function ackCompletesHandshake(tcb: Tcb, ack: Seq): boolean {
  return seqGt(ack, tcb.sndUna) && seqLe(ack, tcb.sndNxt);
}

/** RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: enter ESTABLISHED with SND.WND = SEG.WND (scaled). */
export function completeHandshake(tcb: Tcb, seg: TcpSegment, now: number, sink: TcpSink): void {
  const ack = seg.ack as Seq;
  handshakeAcked(tcb, seg, now);
  cancelTimer(tcb, 'syn-ack', sink);
  tcb.sndUna = ack;
  tcb.sndWnd = seg.window << tcb.sndWscale;
  tcb.maxSndWnd = tcb.sndWnd;
  tcb.sndWl1 = seg.seq;
  tcb.sndWl2 = ack;
  transition(tcb, 'ESTABLISHED', 'rcv ACK', now, sink);
  armKeepalive(tcb, now, sink);
  if ((tcb.flags & F_PASSIVE) !== 0) sink.enqueueAccept(tcb);
  else sink.connected(tcb);
}
