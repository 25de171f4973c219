// The eleven states of RFC 9293 3.3.2, named exactly as the RFC names them.

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECEIVED'
  | 'ESTABLISHED'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT';

export const TCP_STATES: readonly TcpState[] = Object.freeze([
  'CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1',
  'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
]);

/** Index of a state in TCP_STATES (compact storage in histories). */
export function stateIndex(s: TcpState): number {
  return TCP_STATES.indexOf(s);
}

/** RFC 9293 3.10.7.4: the synchronized states (a connection has been established). */
export function isSynchronized(s: TcpState): boolean {
  return s !== 'CLOSED' && s !== 'LISTEN' && s !== 'SYN-SENT' && s !== 'SYN-RECEIVED';
}

/** States in which we may still send data (our FIN not yet queued by the state machine). */
export function canSendData(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'CLOSE-WAIT';
}

/** States in which received text is delivered (RFC 9293 3.10.7.4 seventh). */
export function canReceiveData(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'FIN-WAIT-1' || s === 'FIN-WAIT-2';
}

/** Linux's CurrEstab counts ESTABLISHED and CLOSE-WAIT. */
export function countsAsEstablished(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'CLOSE-WAIT';
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
