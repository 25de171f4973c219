// What the state machine asks its environment to do. `step` pushes effects into a sink
// (no per-packet arrays); the stack's sink acts on them at once, a RecordingSink turns
// them into plain data (tests, and `step()` in step.ts).
import type { TcpSegment } from '../wire/tcp.ts';
import type { TcpState } from './state.ts';
import type { Tcb } from './tcb.ts';

export type TimerName = 'retransmit' | 'delack' | 'persist' | 'keepalive' | 'time-wait' | 'fin-wait-2' | 'syn-ack';

export type SocketErrorCode =
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'ECONNREFUSED'
  | 'EPIPE'
  | 'ENOTCONN'
  | 'ECONNABORTED'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH';

export interface TcpSink {
  /** Send this segment from the TCB's local to its remote endpoint. Payload views are valid during the call only. */
  send(tcb: Tcb, seg: TcpSegment): void;
  /** A timer was set (deadline in ms), cancelled, or fired. The deadline itself lives in the TCB. */
  timer(tcb: Tcb, timer: TimerName, action: 'set' | 'cancel' | 'fire', deadline: number): void;
  /** State changed, with the cause ('rcv SYN', 'user close', 'timer TIME-WAIT', ...). */
  state(tcb: Tcb, from: TcpState, to: TcpState, cause: string): void;
  /** Data or end-of-stream became readable. */
  readable(tcb: Tcb): void;
  /** Send-buffer space was freed after a short write. */
  writable(tcb: Tcb): void;
  /** Active open completed (SYN-SENT/SYN-RECEIVED -> ESTABLISHED, not via a listener). */
  connected(tcb: Tcb): void;
  /** Passive open completed: put the connection on its listener's accept queue. */
  enqueueAccept(tcb: Tcb): void;
  /** The connection failed with this error (reported to the user as SO_ERROR). */
  error(tcb: Tcb, code: SocketErrorCode): void;
  /** The TCB is deleted (CLOSED): forget it (demux, timers). */
  release(tcb: Tcb): void;
  /** Counters (Linux names) the state machine bumps: 'RetransSegs', 'DelayedACKs', ... */
  count(name: string, n: number): void;
  /**
   * GRO-like ACK coalescing: while a batch of packets from the link is being processed, the
   * sink may take over an in-order data ACK and send one ACK for the connection at the end of
   * the batch (returns true), instead of one per two segments. Optional; absent or false: ACK now.
   */
  deferAck?(tcb: Tcb): boolean;
}

/** Effects as data, in the order they were pushed. */
export type Effect =
  | { kind: 'send'; segment: TcpSegment }
  | { kind: 'timer'; timer: TimerName; action: 'set' | 'cancel' | 'fire'; deadline: number }
  | { kind: 'state'; from: TcpState; to: TcpState; cause: string }
  | { kind: 'readable' }
  | { kind: 'writable' }
  | { kind: 'connected' }
  | { kind: 'enqueue-accept' }
  | { kind: 'error'; code: SocketErrorCode }
  | { kind: 'release' }
  | { kind: 'count'; name: string; n: number };

/** A sink that records effects as data; payloads are copied (they are views into buffers). */
export class RecordingSink implements TcpSink {
  effects: Effect[] = [];

  send(_tcb: Tcb, seg: TcpSegment): void {
    this.effects.push({ kind: 'send', segment: { ...seg, payload: seg.payload.slice() } });
  }
  timer(_tcb: Tcb, timer: TimerName, action: 'set' | 'cancel' | 'fire', deadline: number): void {
    this.effects.push({ kind: 'timer', timer, action, deadline });
  }
  state(_tcb: Tcb, from: TcpState, to: TcpState, cause: string): void {
    this.effects.push({ kind: 'state', from, to, cause });
  }
  readable(): void {
    this.effects.push({ kind: 'readable' });
  }
  writable(): void {
    this.effects.push({ kind: 'writable' });
  }
  connected(): void {
    this.effects.push({ kind: 'connected' });
  }
  enqueueAccept(): void {
    this.effects.push({ kind: 'enqueue-accept' });
  }
  error(_tcb: Tcb, code: SocketErrorCode): void {
    this.effects.push({ kind: 'error', code });
  }
  release(): void {
    this.effects.push({ kind: 'release' });
  }
  count(name: string, n: number): void {
    this.effects.push({ kind: 'count', name, n });
  }

  /** The segments sent, in order. */
  sent(): TcpSegment[] {
    const out: TcpSegment[] = [];
    for (const e of this.effects) if (e.kind === 'send') out.push(e.segment);
    return out;
  }

  take(): Effect[] {
    const e = this.effects;
    this.effects = [];
    return e;
  }
}
