// What happens when a timer fires (RFC 9293 3.10.8 and the timers of RFC 6298, RFC 1122
// 4.2.3.6 keepalive, 3.8.6.1 persist, RFC 1122 4.2.3.2 delayed ACK).
import { seqDiff } from '../wire/seq.ts';
import type { TcpSink, TimerName } from './effects.ts';
import { congestionOnRto } from './congestion.ts';
import { sendSyn, sendSynAck } from './handshake.ts';
import { currentRto, modelTimeout } from './rtt.ts';
import { persistDelay, retransmitHead, sendAck, sendProbe, sendRst, unackedBytes } from './sender.ts';
import { F_ACK_NOW, F_ACK_PENDING, F_KEEPALIVE, F_ORPHAN, F_PASSIVE, F_SYN_RTX, F_RTT_TIMING } from './tcb.ts';
import type { Tcb } from './tcb.ts';
import { clearFired, setTimer } from './timers.ts';
import { closeTcb } from './transition.ts';

/** Dispatch a fired timer. The caller has checked that it is due. */
export function onTimer(tcb: Tcb, name: TimerName, now: number, sink: TcpSink): void {
  clearFired(tcb, name, sink);
  switch (name) {
    case 'retransmit':
    case 'syn-ack':
      onRetransmitTimeout(tcb, now, sink);
      return;
    case 'delack':
      onDelayedAck(tcb, now, sink);
      return;
    case 'persist':
      onPersist(tcb, now, sink);
      return;
    case 'keepalive':
      onKeepalive(tcb, now, sink);
      return;
    case 'time-wait':
      // RFC 9293 3.10.8: TIME-WAIT TIMEOUT, delete the TCB.
      closeTcb(tcb, 'timer TIME-WAIT', now, sink);
      return;
    case 'fin-wait-2':
      // Linux: an orphaned FIN-WAIT-2 connection is dropped silently after tcp_fin_timeout.
      closeTcb(tcb, 'timer FIN-WAIT-2', now, sink);
      return;
  }
}

function onDelayedAck(tcb: Tcb, now: number, sink: TcpSink): void {
  if ((tcb.flags & (F_ACK_PENDING | F_ACK_NOW)) === 0 || tcb.state === 'CLOSED') return;
  sink.count('DelayedACKs', 1);
  sendAck(tcb, now, sink);
}

/** The limit of retransmissions: tcp_retries2, or tcp_orphan_retries (0 means 8) for orphans. */
function retryLimit(tcb: Tcb): number {
  if ((tcb.flags & F_ORPHAN) !== 0) return tcb.cfg.orphanRetries > 0 ? tcb.cfg.orphanRetries : 8;
  return tcb.cfg.retries2;
}

/** Linux tcp_write_timeout: has the connection retransmitted long enough to give up? */
function writeTimedOut(tcb: Tcb, now: number): boolean {
  const st = tcb.state;
  if (st === 'SYN-SENT') return tcb.retransmits >= tcb.cfg.synRetries;
  if (st === 'SYN-RECEIVED') return tcb.retransmits >= tcb.cfg.synackRetries;
  if (tcb.retransmits === 0) return false;
  const limit = modelTimeout(retryLimit(tcb), tcb.cfg.rtoMinMs, tcb.cfg.rtoMaxMs);
  return now - tcb.retransStamp >= limit;
}

/** RFC 6298 5.4-5.6: retransmit the earliest unacknowledged segment, back off, restart. */
function onRetransmitTimeout(tcb: Tcb, now: number, sink: TcpSink): void {
  const st = tcb.state;
  if (st === 'CLOSED' || st === 'TIME-WAIT') return;
  if (seqDiff(tcb.sndMax, tcb.sndUna) <= 0 && st !== 'SYN-SENT' && st !== 'SYN-RECEIVED') return;
  if (writeTimedOut(tcb, now)) {
    sink.count('TCPTimeouts', 1);
    if (st === 'SYN-RECEIVED' && (tcb.flags & F_PASSIVE) !== 0) {
      // Linux drops the request silently after tcp_synack_retries.
      closeTcb(tcb, 'timer SYN-ACK retries exhausted', now, sink);
      return;
    }
    sink.count('TCPAbortOnTimeout', 1);
    closeTcb(tcb, 'timer retransmit retries exhausted', now, sink, tcb.softError ?? 'ETIMEDOUT');
    return;
  }
  sink.count('TCPTimeouts', 1);
  if (tcb.retransmits === 0) tcb.retransStamp = Math.floor(now - currentRto(tcb));
  if (st === 'SYN-SENT' || st === 'SYN-RECEIVED') {
    tcb.flags |= F_SYN_RTX;
    tcb.flags &= ~F_RTT_TIMING;
    if (st === 'SYN-SENT') sendSyn(tcb, now, sink);
    else sendSynAck(tcb, now, sink);
    sink.count('RetransSegs', 1);
    tcb.totalRetrans++;
  } else {
    congestionOnRto(tcb);
    // Go back N: resend from SND.UNA; later ACKs clock out the rest (BSD's snd_max scheme).
    tcb.sndNxt = tcb.sndUna;
    retransmitHead(tcb, now, sink);
  }
  tcb.retransmits++;
  // RFC 6298 5.5: back off the timer (bounded by rto_max).
  if (tcb.rto * 2 ** tcb.backoff < tcb.cfg.rtoMaxMs) tcb.backoff++;
  setTimer(tcb, st === 'SYN-RECEIVED' ? 'syn-ack' : 'retransmit', now, currentRto(tcb), sink);
}

/**
 * RFC 9293 3.8.6.1 / RFC 1122 4.2.2.17: probe a zero window. The probes never give up while
 * the peer answers them (any ACK resets the count); unanswered, they end after tcp_retries2
 * (Linux tcp_probe_timer).
 */
function onPersist(tcb: Tcb, now: number, sink: TcpSink): void {
  if (tcb.state === 'CLOSED') return;
  if (seqDiff(tcb.sndMax, tcb.sndUna) > 0 || unackedBytes(tcb) === 0) {
    tcb.probes = 0;
    return;
  }
  if (tcb.probes >= retryLimit(tcb)) {
    sink.count('TCPAbortOnTimeout', 1);
    closeTcb(tcb, 'timer persist probes unanswered', now, sink, tcb.softError ?? 'ETIMEDOUT');
    return;
  }
  sink.count('TCPWinProbe', 1);
  sendProbe(tcb, now, sink);
  tcb.probes++;
  tcb.persistBackoff++;
  if (tcb.tRtx === 0) setTimer(tcb, 'persist', now, persistDelay(tcb), sink);
}

export function keepIdle(tcb: Tcb): number {
  return tcb.keepIdleMs > 0 ? tcb.keepIdleMs : tcb.cfg.keepIdleMs;
}
export function keepIntvl(tcb: Tcb): number {
  return tcb.keepIntvlMs > 0 ? tcb.keepIntvlMs : tcb.cfg.keepIntvlMs;
}
export function keepCnt(tcb: Tcb): number {
  return tcb.keepCnt > 0 ? tcb.keepCnt : tcb.cfg.keepCnt;
}

/**
 * RFC 1122 4.2.3.6 keepalive, as Linux's tcp_keepalive_timer: after keepIdle without
 * receiving anything, probe every keepIntvl; after keepCnt unanswered probes send an RST
 * and fail with ETIMEDOUT.
 */
function onKeepalive(tcb: Tcb, now: number, sink: TcpSink): void {
  const st = tcb.state;
  if ((tcb.flags & F_KEEPALIVE) === 0 || st === 'CLOSED' || st === 'SYN-SENT' || st === 'SYN-RECEIVED' || st === 'TIME-WAIT') return;
  if (seqDiff(tcb.sndMax, tcb.sndUna) > 0 || unackedBytes(tcb) > 0) {
    // Data in flight: the retransmission timer watches the peer.
    setTimer(tcb, 'keepalive', now, keepIntvl(tcb), sink);
    return;
  }
  const idle = keepIdle(tcb);
  const elapsed = now - tcb.lastRcvAt;
  if (elapsed < idle && tcb.probes === 0) {
    setTimer(tcb, 'keepalive', now, idle - elapsed, sink);
    return;
  }
  if (tcb.probes >= keepCnt(tcb)) {
    sink.count('TCPKeepAliveTimeouts', 1);
    sendRst(tcb, now, sink);
    closeTcb(tcb, 'timer keepalive probes unanswered', now, sink, tcb.softError ?? 'ETIMEDOUT');
    return;
  }
  sendProbe(tcb, now, sink);
  tcb.probes++;
  setTimer(tcb, 'keepalive', now, keepIntvl(tcb), sink);
}

/**
 * TCP_KEEPIDLE changed while keepalive is on: re-arm for the new idle time minus the time
 * already idle (Linux tcp_sock_set_keepidle_locked).
 */
export function rearmKeepalive(tcb: Tcb, now: number, sink: TcpSink): void {
  const st = tcb.state;
  if ((tcb.flags & F_KEEPALIVE) === 0 || st === 'CLOSED' || st === 'TIME-WAIT' || st === 'SYN-SENT' || st === 'SYN-RECEIVED') return;
  const elapsed = Math.floor(now) - tcb.lastRcvAt;
  setTimer(tcb, 'keepalive', now, Math.max(keepIdle(tcb) - elapsed, 0), sink);
}

/** Turns keepalive on or off (SO_KEEPALIVE). */
export function setKeepalive(tcb: Tcb, on: boolean, now: number, sink: TcpSink): void {
  if (on) {
    tcb.flags |= F_KEEPALIVE;
    const st = tcb.state;
    if (tcb.tKeep === 0 && st !== 'CLOSED' && st !== 'TIME-WAIT' && st !== 'SYN-SENT' && st !== 'SYN-RECEIVED') setTimer(tcb, 'keepalive', now, keepIdle(tcb), sink);
  } else {
    tcb.flags &= ~F_KEEPALIVE;
    if (tcb.tKeep !== 0) {
      tcb.tKeep = 0;
      sink.timer(tcb, 'keepalive', 'cancel', 0);
    }
  }
}
