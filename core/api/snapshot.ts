// The snapshot: the whole observable lab as plain JSON data (connections with the ss columns,
// listeners with their queues, counters, knobs, faults). Streams send it once, then diffs.
import type { Responder, TcpState, TimerName } from './names.ts';
import type { FaultStatus } from './fault-schemas.ts';

/** The running timer shown in `ss -o` style: timer:(on,200ms,0). */
export interface TimerView {
  name: TimerName;
  expiresInMs: number;
  retries: number;
}

/** One connection: the columns of `ss -tanoi` (and tcp_info), our names. */
export interface ConnectionRow {
  id: number;
  state: TcpState;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  recvQ: number;                // bytes received, not yet read
  sendQ: number;                // bytes not yet acknowledged
  listener: number | null;      // the listener it came through (passive open); null for active opens
  accepted: boolean;            // taken from the accept queue (by the user or a responder)
  responder: Responder | null;
  timer: TimerView | null;
  rtoMs: number;
  srttMs: number | null;        // null until the first RTT sample
  rttvarMs: number | null;
  mss: number;
  cwnd: number;                 // segments
  ssthresh: number | null;      // null while "infinite"
  sndWscale: number | null;     // null when window scaling is off
  rcvWscale: number | null;
  sackOk: boolean;
  tsOk: boolean;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  iss: number;
  irs: number | null;           // null before the peer's SYN
  retransmits: number;
  backoff: number;
  bytesSent: number;
  bytesAcked: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
  error: string | null;         // SO_ERROR, e.g. 'ECONNRESET'
  openedAt: number;             // lab time, ms
  stateSince: number;           // lab time of the last transition, ms
}

/** A half-open request waiting in a listener's SYN queue. */
export interface HalfOpenView {
  remoteAddr: string;
  remotePort: number;
  ageMs: number;
  synAckRetries: number;
  nextRetryInMs: number | null;
}

export interface QueueView {
  length: number;
  limit: number;
  drops: number;
}

export interface ListenerRow {
  id: number;
  localAddr: string;
  port: number;
  backlog: number;
  responder: Responder;
  paused: boolean;              // accepting paused (the accept queue fills on purpose)
  synQueue: QueueView;
  acceptQueue: QueueView;
  cookies: { sent: number; recv: number; failed: number };
  halfOpen: HalfOpenView[];     // the oldest few, bounded by the lab
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
