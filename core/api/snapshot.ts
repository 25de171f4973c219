// The snapshot: the whole observable lab as plain JSON data (connections with the ss columns,
// listeners with their queues, counters, knobs, faults). Streams send it once, then diffs.
import type { Responder, TcpState, TimerName } from './names.ts';
import type { FaultStatus } from './fault-schemas.ts';

/** A running timer, as ss's timer:(on,200ms,0) shows it. */
export interface TimerView {
  name: TimerName;
  deadline: number;             // lab time, ms
  expiresIn: number;            // ms from the snapshot's time
}

/**
 * One connection: the columns of `ss -tanoi` (and tcp_info). The stack's own row
 * (core/stack/snapshot.ts) under the same names, plus what the lab adds (split addresses,
 * responder, accepted); test/core/api/stack-fit.test.ts keeps the two in step.
 */
export interface ConnectionRow {
  id: number;
  state: TcpState;
  local: string;                // '10.77.0.2:80', as ss prints it
  remote: string;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  recvQ: number;                // bytes received, not yet read
  sendQ: number;                // bytes not yet acknowledged
  timer: TimerView | null;      // the earliest running timer
  rto: number;                  // ms
  rtt: number;                  // smoothed RTT, ms
  rttvar: number;               // ms
  cwnd: number;                 // segments
  cwndBytes: number;
  ssthresh: number | null;      // segments; null while "infinite"
  mss: number;
  sndWscale: number;
  rcvWscale: number;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  iss: number;
  irs: number;
  retransmits: number;
  listener: number | null;      // the listener it came through (passive open); null for active opens
  orphan: boolean;              // closed by the user, still finishing
  accepted: boolean;            // taken from the accept queue (by the user or a responder)
  responder: Responder | null;
}

/** A half-open request waiting in a listener's SYN queue. */
export interface HalfOpenView {
  remote: string;
  age: number;                  // ms
  synAckRetries: number;
  nextRetryIn: number | null;   // ms
}

/**
 * One listener: ss shows the accept queue length as Recv-Q and the backlog as Send-Q. The
 * stack's row under the same names, plus the lab's; the optional parts come with the
 * listen-queue work (drops, cookies, half-open requests).
 */
export interface ListenerRow {
  id: number;
  state: 'LISTEN';
  local: string;
  localAddr: string;
  port: number;
  backlog: number;
  acceptQueue: number;
  acceptQueueLimit: number;
  synQueue: number;
  synQueueLimit: number;
  responder: Responder;
  paused: boolean;              // accepting paused (the accept queue fills on purpose)
  drops?: { syn: number; accept: number };
  cookies?: { sent: number; recv: number; failed: number };
  halfOpen?: HalfOpenView[];    // the oldest few, bounded by the lab
}

export interface PcapStatus {
  running: boolean;
  packets: number;
  bytes: number;
  maxPackets: number;
  maxBytes: number;
}

export interface ScenarioStatus {
  name: string;
  running: boolean;
  step: string;
}

/** Facts about the lab itself, so every UI can say plainly what is in force. */
export interface LabInfo {
  device: string | null;        // TUN name, or null on the simulated wire
  simulated: boolean;
  labAddr: string;
  kernelAddr: string;
  timeScale: number;            // 1 = real time
}

export interface Snapshot {
  version: number;              // grows with every change the lab makes visible
  at: number;                   // lab time of that change, ms (a snapshot of an idle lab stays the same)
  lastEventSeq: number;         // the newest event this snapshot reflects
  info: LabInfo;
  connections: ConnectionRow[];
  listeners: ListenerRow[];
  counters: Record<string, number>;
  knobs: Record<string, number | string>;
  faults: FaultStatus;
  pcap: PcapStatus;
  scenario: ScenarioStatus | null;
}
