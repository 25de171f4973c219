// Lab events: plain data with a global sequence number `seq` and the lab time `at` (ms).
// The stack's events (core/stack/events.ts) pass through unchanged; the lab adds its own
// (fault, lab). test/core/api/stack-fit.test.ts keeps the two in step.
import type { EventKind, TcpState, TimerName } from './names.ts';
import type { Snapshot } from './snapshot.ts';

export interface SegmentSummary {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  flags: string;              // tcpdump style: 'S', 'S.', '.', 'P.', 'F.', 'R'
  seq: number;
  ack: number | null;
  win: number;
  len: number;
  options: string;            // 'mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7'
  text: string;               // the tcpdump-like one-liner
}

interface EventBase {
  seq: number;
  at: number;
}

export interface StateEvent extends EventBase {
  kind: 'state';
  conn: number;
  from: TcpState;
  to: TcpState;
  cause: string;              // 'rcv SYN', 'user close', 'timer TIME-WAIT', ...
  segment?: SegmentSummary;
  timer?: TimerName;
}

export interface SegmentEvent extends EventBase {
  kind: 'segment';
  conn: number | null;
  dir: 'in' | 'out';          // in: kernel -> lab
  segment: SegmentSummary;
  verdict: string;            // 'accepted', 'dropped: <reason>', 'rst: no connection', ...
  state?: TcpState;           // our state when it happened (for ladder diagrams)
}

export interface TimerEvent extends EventBase {
  kind: 'timer';
  conn: number;
  timer: TimerName;
  action: 'set' | 'fire' | 'cancel';
  deadline?: number;
}

export interface DropEvent extends EventBase {
  kind: 'drop';
  reason: string;
  detail?: string;
}

export interface ErrorEvent extends EventBase {
  kind: 'error';
  conn: number;
  code: string;               // 'ECONNRESET', 'ETIMEDOUT', ...
}

/** A listen queue changed: a request entered or left the SYN or accept queue, or was refused. */
export interface QueueEvent extends EventBase {
  kind: 'queue';
  listener: number;
  port: number;
  queue: 'syn' | 'accept';
  op: 'add' | 'remove' | 'overflow' | 'drop';
  length: number;
  limit: number;
  conn: number | null;
  detail?: string;            // names the rule that fired: 'ACK dropped: accept queue full (2/2), tcp_abort_on_overflow=0'
  segment?: SegmentSummary;   // the segment that caused it (a refused SYN or ACK)
}

export interface IcmpEvent extends EventBase {
  kind: 'icmp';
  dir: 'in' | 'out';
  text: string;
  conn: number | null;
}

/** A fault the injector applied (core/link FaultEvent). */
export interface FaultEvent extends EventBase {
  kind: 'fault';
  rule: string;               // the rule's id, or 'random'
  action: string;             // 'drop', 'delay 5000 ms', 'duplicate x2', 'corrupt checksum', 'reorder after 1'
  dir: 'in' | 'out';
  summary: string;            // the packet as tcpdump prints it
  conn?: number | null;
}

/** Things the lab itself did: knob changed, pcap started, scenario step, history cleared. */
export interface LabNoteEvent extends EventBase {
  kind: 'lab';
  topic: 'knob' | 'pcap' | 'scenario' | 'history' | 'fault-rule' | 'listener' | 'time';
  message: string;
  conn?: number | null;
}

export type LabEvent =
  | StateEvent | SegmentEvent | TimerEvent | DropEvent | ErrorEvent | QueueEvent | IcmpEvent | FaultEvent | LabNoteEvent;

// Keeps EVENT_KINDS and the union in step: this fails to compile when they differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const eventKindsMatch: Same<LabEvent['kind'], EventKind> = true;

/** The connection an event belongs to, if any. */
export function eventConn(e: LabEvent): number | null {
  return 'conn' in e && typeof e.conn === 'number' ? e.conn : null;
}

/**
 * What the event stream delivers: batches of events, or a gap when the client fell behind:
 * the events it missed are gone, `snapshot` is the lab as it is now (the server shares one
 * snapshot among clients for up to 1/60 s; null for a client that asked for gaps without one:
 * EventFilter.gapSnapshot), and events resume after it.
 */
export type EventMessage =
  | { kind: 'events'; events: LabEvent[] }
  | { kind: 'gap'; missed: number; snapshot: Snapshot | null };
