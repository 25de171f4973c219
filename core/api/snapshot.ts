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
  stateSince: number;           // lab time the connection entered its current state, ms
  sndBuf: number;               // SO_SNDBUF / SO_RCVBUF in force (or tcp_wmem / tcp_rmem), bytes
  rcvBuf: number;
  urgentPointer: number | null; // the last urgent pointer seen (shown only), or null
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

/** Where a UI should look while a scenario runs: highlight that row / gauge / counter / knob / ladder row. */
export type ScenarioHintTarget =
  | { kind: 'connection'; conn: number; field?: string }   // a netstat row; field: a ConnectionRow key ('state', 'timer', 'rto', 'iss', ...)
  | { kind: 'listener'; listener: number; field?: 'acceptQueue' | 'synQueue' | 'drops' | 'cookies' | 'halfOpen' }
  | { kind: 'counter'; name: string }                      // 'ListenOverflows'
  | { kind: 'knob'; name: string }                         // 'msl'
  | { kind: 'segment'; seq: number }                       // the event seq of a segment event (a ladder row)
  | { kind: 'fault'; rule: string }                        // a fault rule id
  | { kind: 'time' };                                      // the lab clock / time scale

export interface ScenarioHint {
  target: ScenarioHintTarget;
  text: string;
  zh: string;
}

/** One observation of a scenario's check. */
export interface ScenarioCheck {
  what: string;
  zh: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export type ScenarioVerdict = 'pass' | 'fail' | 'refused' | 'stopped' | 'error';

/** Data a UI can plot (the isn scenario: ISN over time), points [x, y]. */
export interface ScenarioSeries {
  name: string;
  unit: string;
  points: [number, number][];
}

export interface ScenarioStatus {
  name: string;
  running: boolean;
  step: string;
  stepZh?: string;
  /** What to watch now (replaced at each step; at most 8). */
  hints?: ScenarioHint[];
  /** The checks, in the order made. */
  checks?: ScenarioCheck[];
  /** null while running; then how it ended (the last step says why). */
  verdict?: ScenarioVerdict | null;
  series?: ScenarioSeries[];
}

/** A packet from the wire waiting at the time gate while the lab side is paused. */
export interface HeldPacket {
  dir: 'in' | 'out';            // the gate holds packets from the wire ('in'); 'out' is kept for later
  at: number;                   // lab time it arrived, ms
  text: string;                 // tcpdump-like one-liner
}

/** Time control of the lab side (the kernel is never affected). */
export interface TimeStatus {
  paused: boolean;
  scale: number;                // lab time per real time; 1 on a manual clock
  slowMotionMs: number | null;  // while set, the paused lab takes one step every this many real ms
  held: number;                 // packets waiting at the gate
  next: HeldPacket[];           // the oldest of them (at most 16)
  nextTimerIn: number | null;   // lab ms to the lab side's next deadline
  droppedAtGate?: number;       // packets the full gate dropped
  realTime?: boolean;           // false on a manual clock (tests): scale does not apply
}

/** Set by a replay server (tcplab replay): the lab shown is a recording, read-only. */
export interface ReplayInfo {
  file: string;
  recordedAt?: string;          // ISO 8601 wall clock
  start?: number;               // the session's lab-time range, ms
  end?: number;
  at?: number;                  // where the replay stands
  playing?: boolean;
  speed?: number;
}

/** Facts about the lab itself, so every UI can say plainly what is in force. */
export interface LabInfo {
  device: string | null;        // TUN name, or null on the simulated wire
  simulated: boolean;
  labAddr: string;
  kernelAddr: string;
  timeScale: number;            // 1 = real time
  netns?: string | null;        // the network namespace holding the kernel side
  time?: TimeStatus;
  replay?: ReplayInfo | null;
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
