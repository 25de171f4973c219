// The Transmission Control Block (RFC 9293 3.3.1): every variable of one connection, as plain
// numeric fields (no closures, no Maps, no per-connection arrays besides the compact history).
// Buffers and the reassembly queue are allocated only while they hold bytes, so an idle
// ESTABLISHED connection costs one object of numbers. Timers are deadlines in this object
// (ms, 0 = not running); the stack turns the earliest one into a real timer.
import { seq } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import type { ByteQueue } from './byte-queue.ts';
import type { TcpConfig } from './config.ts';
import type { SocketErrorCode } from './effects.ts';
import type { Reassembly } from './reassembly.ts';
import { stateIndex } from './state.ts';
import type { TcpState } from './state.ts';

// Bits of Tcb.flags.
export const F_NODELAY = 1 << 0;
export const F_KEEPALIVE = 1 << 1;
/** Timestamps negotiated (RFC 7323). */
export const F_TS = 1 << 2;
/** SACK-permitted negotiated (RFC 2018). */
export const F_SACK = 1 << 3;
/** Window scaling negotiated (RFC 7323 2). */
export const F_WSCALE = 1 << 4;
/** The user asked for a FIN after the queued data (shutdown or close); finSeq is valid. */
export const F_FIN_QUEUED = 1 << 5;
/** The peer's FIN has been received in order (end of stream). */
export const F_FIN_RCVD = 1 << 6;
/** The user called close(): no more reads; data arriving now gets an RST (Linux). */
export const F_ORPHAN = 1 << 7;
/** Created by a listener (passive open). */
export const F_PASSIVE = 1 << 8;
/** rttSeq/rttAt time one segment (Karn: only a segment sent once). */
export const F_RTT_TIMING = 1 << 9;
/** In NewReno fast recovery (RFC 6582). */
export const F_RECOVERY = 1 << 10;
/** A D-SACK block (dsackLeft/dsackRight) goes on the next ACK (RFC 2883). */
export const F_DSACK = 1 << 11;
/** A FIN was received out of order at oooFinSeq. */
export const F_OOO_FIN = 1 << 12;
/** Send an ACK at the end of this step. */
export const F_ACK_NOW = 1 << 13;
/** Our SYN (or SYN-ACK) was retransmitted (RFC 6298 5.7). */
export const F_SYN_RTX = 1 << 14;
/** A write was short: tell the user when space frees up. */
export const F_WANT_DRAIN = 1 << 15;
/** 'end' was reported. */
export const F_EOF_SIGNALED = 1 << 16;
/** An RTT sample has been taken (srtt valid). */
export const F_RTT_VALID = 1 << 17;
/** The user shut down reading (close()): no more data is delivered. */
export const F_SHUT_RD = 1 << 18;
/** Our FIN has been sent at least once. */
export const F_FIN_SENT = 1 << 19;
/** A delayed ACK is owed. */
export const F_ACK_PENDING = 1 << 20;

/** The default MSS when the peer sends no MSS option (RFC 9293 3.7.1). */
export const DEFAULT_PEER_MSS = 536;
/** Linux's TCP_INFINITE_SSTHRESH. */
export const INFINITE_SSTHRESH = 0x7fffffff;

// Causes of state changes, interned so a history entry is two numbers.
const causeIds = new Map<string, number>();
const causeNames: string[] = [];
export function causeId(cause: string): number {
  let id = causeIds.get(cause);
  if (id === undefined) {
    id = causeNames.length;
    causeNames.push(cause);
    causeIds.set(cause, id);
  }
  return id;
}
export function causeName(id: number): string {
  return causeNames[id] ?? '?';
}

/** Entries kept in a connection's own state history (first ones and the latest ones). */
export const HISTORY_MAX = 32;

export class Tcb {
  id: number;
  cfg: TcpConfig;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  state: TcpState = 'CLOSED';
  flags = 0;

  // Send sequence space (RFC 9293 3.3.1), plus BSD's snd_max (highest sequence sent).
  iss: Seq = seq(0);
  sndUna: Seq = seq(0);
  sndNxt: Seq = seq(0);
  sndMax: Seq = seq(0);
  /** Send window in bytes (already scaled). */
  sndWnd = 0;
  sndWl1: Seq = seq(0);
  sndWl2: Seq = seq(0);
  /** Largest window the peer has offered (RFC 9293 3.8.6.2.1, RFC 5961 5.2). */
  maxSndWnd = 0;
  /** Peer's window scale shift (applied to its window field). */
  sndWscale = 0;
  /** End of the last small segment sent (Minshall's Nagle, as Linux). */
  sndSml: Seq = seq(0);
  /** Unacknowledged and unsent bytes; byte 0 has sequence number sndQSeq. */
  sndQ: ByteQueue | null = null;
  sndQSeq: Seq = seq(0);
  /** Sequence number of our FIN (valid when F_FIN_QUEUED). */
  finSeq: Seq = seq(0);
  sndBuf: number;

  // Receive sequence space.
  irs: Seq = seq(0);
  rcvNxt: Seq = seq(0);
  /** Right edge of the window we last advertised (RCV.NXT + RCV.WND at that time). */
  rcvAdv: Seq = seq(0);
  /** Our window scale shift. */
  rcvWscale = 0;
  rcvQ: ByteQueue | null = null;
  ooo: Reassembly | null = null;
  oooFinSeq: Seq = seq(0);
  rcvBuf: number;
  /** Last urgent pointer seen, as a sequence number (-1: none). Parsed and shown only. */
  rcvUp = -1;

  // Options.
  /** MSS the peer announced (536 without the option). */
  peerMss = DEFAULT_PEER_MSS;
  /** TCP_MAXSEG set by the user (0: none). */
  userMss = 0;
  /** Effective send MSS for data (without options), as Linux's mss_cache. */
  mss = DEFAULT_PEER_MSS;
  tsRecent = 0;
  tsRecentAt = 0;
  /** Random offset of our TSval clock. */
  tsOffset = 0;
  /** RCV.NXT carried by the last ACK we sent (RFC 7323 4.3 Last.ACK.sent). */
  lastAckSent: Seq = seq(0);
  dsackLeft: Seq = seq(0);
  dsackRight: Seq = seq(0);
  /** Full-sized segments received since our last ACK. */
  ackSegs = 0;

  // RTT and retransmission (RFC 6298).
  srtt = 0;
  rttvar = 0;
  rto: number;
  rttSeq: Seq = seq(0);
  rttAt = 0;
  /** Retransmissions of the current head (icsk_retransmits). */
  retransmits = 0;
  /** RTO doublings in force (icsk_backoff). */
  backoff = 0;
  /** When the first retransmission of the current head began (Linux retrans_stamp). */
  retransStamp = 0;
  totalRetrans = 0;

  // Congestion control (NewReno, RFC 5681 / 6582), bytes.
  cwnd = 0;
  ssthresh = INFINITE_SSTHRESH;
  recover: Seq = seq(0);
  dupAcks = 0;
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465). */
  caAcked = 0;

  // Timers: deadlines in ms, 0 = not running.
  tRtx = 0;
  tPersist = 0;
  tDelack = 0;
  tKeep = 0;
  /** TIME-WAIT or FIN-WAIT-2 timer. */
  t2msl = 0;
  /** Owned by the stack's timer queue: the deadline under which this TCB is queued. */
  queuedAt = 0;
  /** Unanswered persist or keepalive probes. */
  probes = 0;
  persistBackoff = 0;
  /** Last time a segment arrived (keepalive idle time). */
  lastRcvAt = 0;
  /** Last challenge / out-of-window ACK (tcp_invalid_ratelimit). */
  lastOowAckAt = -1e9;

  // Per-socket options (0 = use the knob).
  keepIdleMs = 0;
  keepIntvlMs = 0;
  keepCnt = 0;

  error: SocketErrorCode | null = null;
  /** Soft error from ICMP (reported instead of ETIMEDOUT, as Linux's sk_err_soft). */
  softError: SocketErrorCode | null = null;
  /** Owned by the stack: the listener of a passive open, the socket object. */
  listener: unknown = null;
  socket: unknown = null;
  /** Compact state history: [time, stateIndex | causeId << 4, ...]. */
  history: number[];

  constructor(id: number, cfg: TcpConfig, localAddr: number, localPort: number, remoteAddr: number, remotePort: number) {
    this.id = id;
    this.cfg = cfg;
    this.localAddr = localAddr;
    this.localPort = localPort;
    this.remoteAddr = remoteAddr;
    this.remotePort = remotePort;
    this.sndBuf = cfg.sndbuf;
    this.rcvBuf = cfg.rcvbuf;
    this.rto = cfg.rtoInitialMs;
    this.history = [];
    if (cfg.nodelay) this.flags |= F_NODELAY;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** Records a state change in the compact history (keeps the first entries and the latest). */
  noteHistory(now: number, to: TcpState, cause: string): void {
    const h = this.history;
    if (h.length >= HISTORY_MAX * 2) h.splice(8, 2); // keep the first four transitions
    h.push(now, stateIndex(to) | (causeId(cause) << 4));
  }
}
