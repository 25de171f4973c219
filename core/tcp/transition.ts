// State changes and deleting a TCB: the only places that assign tcb.state.
import type { SocketErrorCode, TcpSink } from './effects.ts';
import type { TcpState } from './state.ts';
import type { Tcb } from './tcb.ts';
import { cancelAllTimers } from './timers.ts';

export function transition(tcb: Tcb, to: TcpState, cause: string, now: number, sink: TcpSink): void {
  const from = tcb.state;
  if (from === to) return;
  tcb.state = to;
  tcb.noteHistory(now, to, cause);
  sink.state(tcb, from, to, cause);
}

/**
 * A TCB made for a state its connection is already in, which was reported when it was entered:
 * the child of a half-open request (core/listen) starts in SYN-RECEIVED, entered when the SYN
 * came (`at`). Records the history entry without a second state effect.
 */
export function adoptState(tcb: Tcb, to: TcpState, cause: string, at: number): void {
  tcb.state = to;
  tcb.noteHistory(at, to, cause);
}

/**
 * Deletes the TCB (RFC 9293: "enter the CLOSED state and delete the TCB"): timers stop,
 * buffers are released (unread received data stays readable for the user), the stack forgets it.
 */
export function closeTcb(tcb: Tcb, cause: string, now: number, sink: TcpSink, error: SocketErrorCode | null = null): void {
  if (tcb.state === 'CLOSED') return;
  cancelAllTimers(tcb, sink);
  if (error !== null && tcb.error === null) {
    tcb.error = error;
    sink.error(tcb, error);
  }
  tcb.sndQ = null;
  tcb.ooo = null;
  transition(tcb, 'CLOSED', cause, now, sink);
  sink.release(tcb);
  // Readers waiting on the socket learn about the end (EOF or error).
  sink.readable(tcb);
}
