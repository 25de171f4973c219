// The user calls of RFC 9293 3.10.2 (SEND) and 3.10.3 (RECEIVE), and socket options that
// change the state machine's behaviour (TCP_NODELAY, SO_KEEPALIVE, buffer sizes, TCP_MAXSEG).
// OPEN is in handshake.ts; CLOSE, SHUTDOWN and ABORT in close.ts.
import { acquireQueue } from './byte-queue.ts';
import type { SocketErrorCode, TcpSink } from './effects.ts';
import { discardBuffered, readBuffered, windowUpdateWanted } from './receiver.ts';
import { output, unackedBytes } from './sender.ts';
import { F_ACK_NOW, F_FIN_QUEUED, F_FIN_RCVD, F_NODELAY, F_WANT_DRAIN } from './tcb.ts';
import type { Tcb } from './tcb.ts';

/**
 * SEND: copies up to the free send-buffer space and sends what the windows allow.
 * Returns the bytes taken (0 when the buffer is full) or an error code.
 */
export function userSend(tcb: Tcb, data: Uint8Array, now: number, sink: TcpSink): number | SocketErrorCode {
  switch (tcb.state) {
    case 'CLOSED':
      return tcb.error ?? 'EPIPE';
    case 'LISTEN':
      return 'ENOTCONN';
    case 'SYN-SENT':
    case 'SYN-RECEIVED':
    case 'ESTABLISHED':
    case 'CLOSE-WAIT':
      if ((tcb.flags & F_FIN_QUEUED) !== 0) return 'EPIPE';
      break;
    case 'FIN-WAIT-1':
    case 'FIN-WAIT-2':
    case 'CLOSING':
    case 'LAST-ACK':
    case 'TIME-WAIT':
      // RFC 9293 3.10.2: "error: connection closing".
      return 'EPIPE';
  }
  const room = tcb.sndBuf - unackedBytes(tcb);
  const n = Math.max(0, Math.min(room, data.length));
  if (n < data.length) tcb.flags |= F_WANT_DRAIN;
  if (n === 0) return 0;
  // The queue starts at the first unacknowledged data byte (Tcb.sndQSeq).
  if (tcb.sndQ === null) tcb.sndQ = acquireQueue(Math.min(tcb.sndBuf, Math.max(n, 4096)));
  tcb.sndQ.append(data, 0, n);
  output(tcb, now, sink);
  return n;
}

/**
 * RECEIVE: up to max bytes, an empty array at end of stream, or null when nothing is
 * buffered yet. A read that opens the window a lot sends a window update (Linux).
 */
export function userReceive(tcb: Tcb, max: number, now: number, sink: TcpSink): Uint8Array | null {
  const data = readBuffered(tcb, max);
  if (data === null) return (tcb.flags & F_FIN_RCVD) !== 0 ? new Uint8Array(0) : null;
  if (tcb.state !== 'CLOSED' && tcb.state !== 'TIME-WAIT' && (tcb.flags & F_FIN_RCVD) === 0 && windowUpdateWanted(tcb)) {
    tcb.flags |= F_ACK_NOW;
    output(tcb, now, sink);
  }
  return data;
}

/**
 * RECEIVE without the data: drops up to max bytes (0 when nothing is buffered); the window
 * opens exactly as after a read.
 */
export function userDiscard(tcb: Tcb, max: number, now: number, sink: TcpSink): number {
  const n = discardBuffered(tcb, max);
  if (n > 0 && tcb.state !== 'CLOSED' && tcb.state !== 'TIME-WAIT' && (tcb.flags & F_FIN_RCVD) === 0 && windowUpdateWanted(tcb)) {
    tcb.flags |= F_ACK_NOW;
    output(tcb, now, sink);
  }
  return n;
}

/** TCP_NODELAY: on means Nagle off; turning it on pushes what Nagle held (Linux). */
export function setNodelay(tcb: Tcb, on: boolean, now: number, sink: TcpSink): void {
  if (on) {
    tcb.flags |= F_NODELAY;
    if (tcb.state !== 'CLOSED') output(tcb, now, sink);
  } else {
    tcb.flags &= ~F_NODELAY;
  }
}
