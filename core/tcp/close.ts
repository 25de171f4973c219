// Closing a connection: the user's CLOSE, SHUTDOWN (half-close) and ABORT calls
// (RFC 9293 3.10.4, 3.10.5), an arriving FIN (3.10.7.4 eighth), an arriving acceptable RST
// (3.10.7.4 second), TIME-WAIT (2*MSL, restarted by a retransmitted FIN) and the FIN-WAIT-2
// timeout of orphaned connections (Linux tcp_fin_timeout).
import { seqAdd } from '../wire/seq.ts';
import type { SocketErrorCode, TcpSink } from './effects.ts';
import { sendRst, output } from './sender.ts';
import { F_ACK_NOW, F_FIN_QUEUED, F_FIN_RCVD, F_ORPHAN, F_PASSIVE, F_SHUT_RD } from './tcb.ts';
import type { Tcb } from './tcb.ts';
import { cancelTimer, rtxTimerName, setTimer } from './timers.ts';
import { closeTcb, transition } from './transition.ts';
import { unreadBytes } from './receiver.ts';

export type CloseResult = 'ok' | SocketErrorCode;

function queueFin(tcb: Tcb): void {
  if ((tcb.flags & F_FIN_QUEUED) !== 0) return;
  tcb.flags |= F_FIN_QUEUED;
}

/** SHUTDOWN(SHUT_WR): a FIN after the queued data; the receive side stays open. */
export function userShutdown(tcb: Tcb, now: number, sink: TcpSink): CloseResult {
  switch (tcb.state) {
    case 'CLOSED':
    case 'LISTEN':
      return 'ENOTCONN';
    case 'SYN-SENT':
      // Linux (tcp_close_state): SYN-SENT goes straight to CLOSED, nothing is sent.
      closeTcb(tcb, 'user shutdown', now, sink);
      return 'ok';
    case 'SYN-RECEIVED':
    case 'ESTABLISHED':
      // RFC 9293 3.10.4: queue the FIN after preceding SENDs; enter FIN-WAIT-1.
      queueFin(tcb);
      transition(tcb, 'FIN-WAIT-1', 'user shutdown', now, sink);
      output(tcb, now, sink);
      return 'ok';
    case 'CLOSE-WAIT':
      // RFC 9293 3.10.4: send the FIN when the data is out; enter LAST-ACK.
      queueFin(tcb);
      transition(tcb, 'LAST-ACK', 'user shutdown', now, sink);
      output(tcb, now, sink);
      return 'ok';
    case 'FIN-WAIT-1':
    case 'FIN-WAIT-2':
    case 'CLOSING':
    case 'LAST-ACK':
    case 'TIME-WAIT':
      return 'ok'; // already shut down for writing
  }
}

/**
 * CLOSE: shut down both directions and give up the socket (it becomes an orphan). With unread
 * received data the connection is reset instead (RFC 2525 2.17, Linux TCPAbortOnClose).
 */
export function userClose(tcb: Tcb, now: number, sink: TcpSink): CloseResult {
  if (tcb.state === 'CLOSED') return 'ENOTCONN';
  tcb.flags |= F_ORPHAN | F_SHUT_RD;
  if (unreadBytes(tcb) > 0 && tcb.state !== 'SYN-SENT') {
    sink.count('TCPAbortOnClose', 1);
    return userAbort(tcb, now, sink, 'user close with unread data');
  }
  const r = userShutdown(tcb, now, sink);
  armFinWait2(tcb, now, sink);
  return r;
}

/**
 * ABORT (RFC 9293 3.10.5): in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2 and CLOSE-WAIT send a
 * reset; in every state delete the TCB.
 */
export function userAbort(tcb: Tcb, now: number, sink: TcpSink, cause = 'user abort'): CloseResult {
  switch (tcb.state) {
    case 'CLOSED':
    case 'LISTEN':
      return 'ENOTCONN';
    case 'SYN-RECEIVED':
    case 'ESTABLISHED':
    case 'FIN-WAIT-1':
    case 'FIN-WAIT-2':
    case 'CLOSE-WAIT':
      sendRst(tcb, now, sink);
      closeTcb(tcb, cause, now, sink);
      return 'ok';
    case 'SYN-SENT':
    case 'CLOSING':
    case 'LAST-ACK':
    case 'TIME-WAIT':
      closeTcb(tcb, cause, now, sink);
      return 'ok';
  }
}

/** Linux tcp_fin_timeout: an orphaned connection waits at most this long in FIN-WAIT-2. */
export function armFinWait2(tcb: Tcb, now: number, sink: TcpSink): void {
  if (tcb.state === 'FIN-WAIT-2' && (tcb.flags & F_ORPHAN) !== 0 && tcb.t2msl === 0) {
    setTimer(tcb, 'fin-wait-2', now, tcb.cfg.finTimeoutMs, sink);
  }
}

/** Enter TIME-WAIT: every other timer stops, the 2*MSL timer starts. */
export function enterTimeWait(tcb: Tcb, cause: string, now: number, sink: TcpSink): void {
  cancelTimer(tcb, rtxTimerName(tcb), sink);
  cancelTimer(tcb, 'persist', sink);
  cancelTimer(tcb, 'keepalive', sink);
  cancelTimer(tcb, 'fin-wait-2', sink);
  transition(tcb, 'TIME-WAIT', cause, now, sink);
  setTimer(tcb, 'time-wait', now, tcb.cfg.timeWaitMs, sink);
}

/**
 * RFC 9293 3.10.7.4 eighth: the FIN is in order. Advance RCV.NXT over it, signal end of
 * stream, ACK it, and change state. `ourFinAcked` tells FIN-WAIT-1 whether this segment
 * (or an earlier one) acknowledged our FIN.
 */
export function finArrives(tcb: Tcb, ourFinAcked: boolean, now: number, sink: TcpSink): void {
  if ((tcb.flags & F_FIN_RCVD) === 0) {
    tcb.rcvNxt = seqAdd(tcb.rcvNxt, 1);
    tcb.flags |= F_FIN_RCVD;
    sink.readable(tcb);
  }
  // BSD ACKs a FIN at once; Linux schedules a delayed ACK in CLOSE-WAIT. The lab ACKs at once.
  tcb.flags |= F_ACK_NOW;
  switch (tcb.state) {
    case 'SYN-RECEIVED':
    case 'ESTABLISHED':
      transition(tcb, 'CLOSE-WAIT', 'rcv FIN', now, sink);
      return;
    case 'FIN-WAIT-1':
      if (ourFinAcked) enterTimeWait(tcb, 'rcv FIN (our FIN acked)', now, sink);
      else transition(tcb, 'CLOSING', 'rcv FIN (simultaneous close)', now, sink);
      return;
    case 'FIN-WAIT-2':
      enterTimeWait(tcb, 'rcv FIN', now, sink);
      return;
    case 'TIME-WAIT':
      // Remain; restart the 2 MSL time-wait timeout.
      setTimer(tcb, 'time-wait', now, tcb.cfg.timeWaitMs, sink);
      sink.count('TCPTimeWaitFinRetrans', 1);
      return;
    case 'CLOSE-WAIT':
    case 'CLOSING':
    case 'LAST-ACK':
      return; // remain
    case 'CLOSED':
    case 'LISTEN':
    case 'SYN-SENT':
      return; // not reached: the caller handles these states
  }
}

/**
 * RFC 9293 3.10.7.4 second (after the RFC 5961 check: SEG.SEQ = RCV.NXT): the reset is
 * accepted. Errors as Linux's tcp_reset: ECONNREFUSED in SYN-SENT/SYN-RECEIVED (active),
 * EPIPE in CLOSE-WAIT, ECONNRESET otherwise.
 */
export function rstArrives(tcb: Tcb, now: number, sink: TcpSink): string {
  switch (tcb.state) {
    case 'SYN-RECEIVED':
      if ((tcb.flags & F_PASSIVE) !== 0) {
        // Passive OPEN: "return this connection to LISTEN" (the listener lives on; this TCB goes).
        closeTcb(tcb, 'rcv RST', now, sink);
        return 'accepted: reset (back to LISTEN)';
      }
      closeTcb(tcb, 'rcv RST', now, sink, 'ECONNREFUSED');
      return 'accepted: connection refused';
    case 'ESTABLISHED':
    case 'FIN-WAIT-1':
    case 'FIN-WAIT-2':
      closeTcb(tcb, 'rcv RST', now, sink, 'ECONNRESET');
      return 'accepted: reset';
    case 'CLOSE-WAIT':
      closeTcb(tcb, 'rcv RST', now, sink, 'EPIPE');
      return 'accepted: reset';
    case 'TIME-WAIT':
      if (tcb.cfg.rfc1337) return 'dropped: RST in TIME-WAIT (RFC 1337)';
      closeTcb(tcb, 'rcv RST', now, sink);
      return 'accepted: reset';
    case 'CLOSING':
    case 'LAST-ACK':
      closeTcb(tcb, 'rcv RST', now, sink);
      return 'accepted: reset';
    case 'CLOSED':
    case 'LISTEN':
    case 'SYN-SENT':
      return 'dropped';
  }
}
