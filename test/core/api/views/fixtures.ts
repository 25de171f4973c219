// Plain data for the view-model tests: rows, listeners and events as the Lab API sends them.
import type { LabEvent, SegmentEvent, SegmentSummary, StateEvent, TimerEvent } from '../../../../core/api/events.ts';
import type { TcpState, TimerName } from '../../../../core/api/names.ts';
import type { ConnectionRow, ListenerRow } from '../../../../core/api/snapshot.ts';

export function conn(over: Partial<ConnectionRow> & { id: number }): ConnectionRow {
  const localPort = over.localPort ?? 80;
  const remotePort = over.remotePort ?? 40000 + over.id;
  return {
    state: 'ESTABLISHED', local: `10.77.0.2:${localPort}`, remote: `10.77.0.1:${remotePort}`,
    localAddr: '10.77.0.2', localPort, remoteAddr: '10.77.0.1', remotePort, recvQ: 0, sendQ: 0, timer: null,
    rto: 204, rtt: 2.5, rttvar: 1.25, cwnd: 10, cwndBytes: 14600, ssthresh: null, mss: 1460, sndWscale: 7, rcvWscale: 7,
    sndUna: 1001, sndNxt: 1001, sndWnd: 64240, rcvNxt: 5001, rcvWnd: 65535, iss: 1000, irs: 5000, retransmits: 0,
    listener: 1, orphan: false, accepted: true, responder: 'echo', stateSince: 0, sndBuf: 0, rcvBuf: 0, urgentPointer: null,
    ...over,
  };
}

export function listener(over: Partial<ListenerRow> & { id: number }): ListenerRow {
  const port = over.port ?? 80;
  return {
    state: 'LISTEN', local: `10.77.0.2:${port}`, localAddr: '10.77.0.2', port, backlog: 4,
    acceptQueue: 0, acceptQueueLimit: 4, synQueue: 0, synQueueLimit: 1024, responder: 'echo', paused: false,
    ...over,
  };
}

let seq = 0;
export const resetSeq = (): void => { seq = 0; };

export function stateEv(c: number, at: number, from: TcpState, to: TcpState, cause: string, segment?: SegmentSummary): StateEvent {
  return { kind: 'state', seq: ++seq, at, conn: c, from, to, cause, ...(segment ? { segment } : {}) };
}

export function summary(dir: 'in' | 'out', flags: string, s: number, ack: number | null, len = 0, win = 65535): SegmentSummary {
  const [src, srcPort, dst, dstPort] = dir === 'in' ? ['10.77.0.1', 40001, '10.77.0.2', 80] : ['10.77.0.2', 80, '10.77.0.1', 40001];
  const text = `${src}.${srcPort} > ${dst}.${dstPort}: Flags [${flags}], seq ${s}${ack === null ? '' : `, ack ${ack}`}, win ${win}, length ${len}`;
  return { src, srcPort, dst, dstPort, flags, seq: s, ack, win, len, options: '', text };
}

export function segEv(c: number | null, at: number, dir: 'in' | 'out', flags: string, s: number, ack: number | null, len = 0, state?: TcpState, verdict = 'accepted'): SegmentEvent {
  return { kind: 'segment', seq: ++seq, at, conn: c, dir, segment: summary(dir, flags, s, ack, len), verdict, ...(state ? { state } : {}) };
}

export function timerEv(c: number, at: number, timer: TimerName, action: 'set' | 'fire' | 'cancel', deadline?: number): TimerEvent {
  return { kind: 'timer', seq: ++seq, at, conn: c, timer, action, ...(deadline === undefined ? {} : { deadline }) };
}

export type { LabEvent };
