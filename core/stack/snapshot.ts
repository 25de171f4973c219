// Plain-JSON views of the stack: tcp_info for one socket, ss/netstat rows for all of them.
import type { SocketErrorCode, TimerName } from '../tcp/effects.ts';
import type { TcpState } from '../tcp/state.ts';
import type { Knobs } from './knobs.ts';

export interface TimerInfo {
  name: TimerName;
  /** Absolute deadline (ms on the stack's clock). */
  deadline: number;
  /** ms until it fires. */
  expiresIn: number;
}

/** tcp_info-like (Linux names in comments). Times in ms. */
export interface SocketInfo {
  id: number;
  state: TcpState;
  rto: number;            // tcpi_rto
  srtt: number;           // tcpi_rtt
  rttvar: number;         // tcpi_rttvar
  cwnd: number;           // bytes
  cwndSegments: number;   // tcpi_snd_cwnd
  ssthresh: number;       // bytes (0x7fffffff = infinite)
  ssthreshSegments: number; // tcpi_snd_ssthresh
  mss: number;            // tcpi_snd_mss (without options)
  advMss: number;         // tcpi_advmss
  rcvMss: number;         // tcpi_rcv_mss (estimate of the peer's segment size)
  peerMss: number;
  sndWscale: number;      // tcpi_snd_wscale
  rcvWscale: number;      // tcpi_rcv_wscale
  timestamps: boolean;
  sack: boolean;
  wscaleOk: boolean;
  nodelay: boolean;
  keepalive: boolean;
  iss: number;
  irs: number;
  sndUna: number;
  sndNxt: number;
  sndMax: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  unacked: number;        // tcpi_unacked (segments in flight, estimated from bytes)
  retransmits: number;    // tcpi_retransmits
  backoff: number;        // tcpi_backoff
  totalRetrans: number;   // tcpi_total_retrans
  probes: number;         // tcpi_probes
  recvQ: number;
  sendQ: number;
  /** Bytes held out of order (reassembly). */
  outOfOrder: number;
  /** Bytes above SND.UNA the peer reports holding (SACK scoreboard). */
  sacked: number;
  /** Last urgent pointer seen (absolute sequence number), or null. Parsed and shown only. */
  urgentPointer: number | null;
  inRecovery: boolean;
  dupAcks: number;
  timers: TimerInfo[];
  error: SocketErrorCode | null;
  softError: SocketErrorCode | null;
}

/** One `ss -tanoi` row. */
export interface ConnectionRow {
  id: number;
  local: string;
  remote: string;
  state: TcpState;
  recvQ: number;
  sendQ: number;
  /** The earliest running timer, as ss's timer:(on,200ms,0). */
  timer: TimerInfo | null;
  rto: number;
  rtt: number;
  rttvar: number;
  cwnd: number;
  cwndBytes: number;
  ssthresh: number | null;
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
  listener: number | null;
  orphan: boolean;
  /** When the connection entered its current state (ms, whole). */
  stateSince: number;
  /** Buffer sizes in force (SO_SNDBUF / SO_RCVBUF or the tcp_wmem / tcp_rmem knobs). */
  sndBuf: number;
  rcvBuf: number;
  /** Last urgent pointer seen (parsed and shown only), or null. */
  urgentPointer: number | null;
}

/** A half-open request waiting in a listener's SYN queue (or the SYN cache). */
export interface HalfOpenView {
  /** The client, 'a.b.c.d:port'. */
  remote: string;
  /** ms since its SYN. */
  age: number;
  /** SYN-ACKs sent again (timer or retransmitted SYN). */
  synAckRetries: number;
  /** ms until the SYN-ACK timer fires (a retransmission, or the drop after the last). */
  nextRetryIn: number | null;
}

export interface ListenerRow {
  id: number;
  local: string;
  state: 'LISTEN';
  /** ss shows the accept queue length as Recv-Q and the backlog as Send-Q for listeners. */
  acceptQueue: number;
  acceptQueueLimit: number;
  /** Half-open requests, and how many fit before SYNs get cookies or are refused (SYN cache: its limit). */
  synQueue: number;
  synQueueLimit: number;
  backlog: number;
  /** Refusals: syn = SYNs refused by the SYN queue rules and SYN-cache evictions; accept = SYNs and ACKs refused by a full accept queue. */
  drops: { syn: number; accept: number };
  /** SYN cookies sent, validated and refused for this listener. */
  cookies: { sent: number; recv: number; failed: number };
  /** The oldest half-open requests (at most 32). */
  halfOpen: HalfOpenView[];
}

export interface StackSnapshot {
  at: number;
  address: string;
  connections: ConnectionRow[];
  listeners: ListenerRow[];
  counters: Record<string, number>;
  knobs: Knobs;
}

export interface HistoryEntry {
  at: number;
  state: TcpState;
  cause: string;
}
