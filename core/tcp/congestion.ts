// Congestion control: NewReno (RFC 5681 slow start, congestion avoidance, fast retransmit and
// fast recovery; RFC 6582 partial ACKs; RFC 3042 limited transmit; RFC 6928 initial window).
// cwnd and ssthresh are in bytes inside the TCB; the snapshot shows them in segments too.
import { seqDiff, seqGe } from '../wire/seq.ts';
import { F_RECOVERY, INFINITE_SSTHRESH } from './tcb.ts';
import type { Tcb } from './tcb.ts';

/** RFC 5681 3.2 DupThresh. */
export const DUP_THRESH = 3;

export function initCongestion(tcb: Tcb): void {
  // RFC 6928: IW = 10 segments (Linux TCP_INIT_CWND, knob initcwnd).
  tcb.cwnd = tcb.cfg.initCwnd * tcb.mss;
  tcb.ssthresh = INFINITE_SSTHRESH;
  tcb.recover = tcb.iss;
  tcb.dupAcks = 0;
  tcb.caAcked = 0;
}

export function flightSize(tcb: Tcb): number {
  return seqDiff(tcb.sndMax, tcb.sndUna);
}

/** RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
function halveSsthresh(tcb: Tcb): void {
  tcb.ssthresh = Math.max(Math.floor(flightSize(tcb) / 2), 2 * tcb.mss);
}

/**
 * The largest cwnd (bytes), as Linux's snd_cwnd_clamp: far above any window (scaled windows
 * end near 1 GiB) and below 2^31, where sequence arithmetic on SND.UNA + cwnd would wrap.
 */
export const CWND_MAX = 1 << 30;

/**
 * Whether the flight before this ACK used the window, so cwnd may grow (RFC 7661's intent, as
 * Linux's tcp_is_cwnd_limited): in slow start while cwnd < 2 * flight, in congestion avoidance
 * while the flight filled cwnd. A sender limited by the application or the peer's window does
 * not grow cwnd without bound.
 */
function cwndLimited(tcb: Tcb, flightBefore: number): boolean {
  if (tcb.cwnd < tcb.ssthresh) return tcb.cwnd < 2 * flightBefore;
  return flightBefore + tcb.mss >= tcb.cwnd;
}

/** New data acknowledged outside fast recovery: slow start or congestion avoidance. */
export function congestionOnAck(tcb: Tcb, acked: number): void {
  if (!cwndLimited(tcb, flightSize(tcb) + acked)) return;
  if (tcb.cwnd < tcb.ssthresh) {
    // RFC 5681 3.1 eq. 2 with RFC 3465 byte counting (L = 2*SMSS), close to Linux's
    // per-packet growth under delayed ACKs.
    tcb.cwnd = Math.min(CWND_MAX, tcb.cwnd + Math.min(acked, 2 * tcb.mss));
  } else {
    // RFC 5681 3.1 eq. 3 as byte counting (RFC 3465 2.1): one SMSS per cwnd acknowledged.
    tcb.caAcked += acked;
    if (tcb.caAcked >= tcb.cwnd) {
      tcb.caAcked -= tcb.cwnd;
      tcb.cwnd = Math.min(CWND_MAX, tcb.cwnd + tcb.mss);
    }
  }
}

/**
 * RFC 6582 3.2 step 2: the third duplicate ACK. Returns true when fast retransmit starts
 * (the caller retransmits the first unacknowledged segment).
 */
export function enterFastRecovery(tcb: Tcb): boolean {
  // RFC 6582 3.2 step 2: only if the cumulative ACK covers more than `recover`.
  if (!seqGe(tcb.sndUna, tcb.recover)) return false;
  tcb.recover = tcb.sndMax;
  halveSsthresh(tcb);
  // RFC 5681 3.2 step 3: cwnd = ssthresh + 3*SMSS (inflated by the segments that left).
  tcb.cwnd = tcb.ssthresh + DUP_THRESH * tcb.mss;
  tcb.flags |= F_RECOVERY;
  return true;
}

/** RFC 5681 3.2 step 4: each further duplicate ACK in recovery inflates cwnd by SMSS. */
export function inflateOnDupAck(tcb: Tcb): void {
  tcb.cwnd += tcb.mss;
}

/**
 * An ACK of new data during recovery. Returns true for a partial ACK (the caller retransmits
 * the next unacknowledged segment), false when recovery ended (full ACK).
 */
export function recoveryOnAck(tcb: Tcb, acked: number): boolean {
  if (seqGe(tcb.sndUna, tcb.recover)) {
    // RFC 6582 3.2 step 3 (full acknowledgment), option (1): cwnd = min(ssthresh, FlightSize + SMSS).
    tcb.cwnd = Math.min(tcb.ssthresh, Math.max(flightSize(tcb), tcb.mss) + tcb.mss);
    tcb.flags &= ~F_RECOVERY;
    tcb.dupAcks = 0;
    return false;
  }
  // RFC 6582 3.2 step 4 (partial acknowledgment): deflate by the amount acked, add back one SMSS.
  tcb.cwnd = Math.max(tcb.cwnd - acked, 0) + (acked >= tcb.mss ? tcb.mss : 0);
  if (tcb.cwnd < tcb.mss) tcb.cwnd = tcb.mss;
  return true;
}

/** RFC 5681 3.1 eq. 4 and 5: on a retransmission timeout, ssthresh halves, cwnd = 1 SMSS (LW). */
export function congestionOnRto(tcb: Tcb): void {
  if (tcb.retransmits === 0 || (tcb.flags & F_RECOVERY) !== 0) halveSsthresh(tcb);
  tcb.cwnd = tcb.mss;
  tcb.caAcked = 0;
  tcb.dupAcks = 0;
  tcb.flags &= ~F_RECOVERY;
  // RFC 6582 3.2 step 1 (after a timeout): recover = highest sequence transmitted.
  tcb.recover = tcb.sndMax;
}

/**
 * RFC 5681 4.1 restart after idle, as Linux's tcp_cwnd_restart: when new data goes out after
 * more than an RTO without sending, cwnd halves once per RTO idle, down to the initial window.
 */
export function restartAfterIdle(tcb: Tcb, now: number): void {
  if (!tcb.cfg.slowStartAfterIdle || tcb.lastSendAt < 0) return;
  let idle = Math.floor(now) - tcb.lastSendAt;
  if (idle <= tcb.rto) return;
  const restart = Math.min(tcb.cfg.initCwnd * tcb.mss, tcb.cwnd);
  // Linux tcp_current_ssthresh: remember 3/4 of the window we had.
  tcb.ssthresh = Math.max(tcb.ssthresh, (tcb.cwnd >> 1) + (tcb.cwnd >> 2));
  let cwnd = tcb.cwnd;
  while ((idle -= tcb.rto) > 0 && cwnd > restart) cwnd >>= 1;
  tcb.cwnd = Math.max(cwnd, restart);
}

/** The congestion window in force for sending, including RFC 3042 limited transmit. */
export function sendCwnd(tcb: Tcb): number {
  if ((tcb.flags & F_RECOVERY) === 0 && tcb.dupAcks > 0 && tcb.dupAcks < DUP_THRESH) {
    return tcb.cwnd + tcb.dupAcks * tcb.mss;
  }
  return tcb.cwnd;
}
