// The Transmission Control Block (RFC 9293 3.3.1): every variable of one connection, as plain
// numeric fields (no closures, no Maps, no per-connection arrays besides the compact history).
// Buffers and the reassembly queue are allocated only while they hold bytes, so an idle
// ESTABLISHED connection costs one object of numbers. Timers are deadlines in this object
// (ms, 0 = not running); the stack turns the earliest one into a real timer.
import { seq, seqAdd, seqGt } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import type { ByteQueue } from './byte-queue.ts';
import type { TcpConfig } from './config.ts';
import type { SocketErrorCode } from './effects.ts';
import type { Reassembly } from './reassembly.ts';
import { stateIndex, TCP_STATES } from './state.ts';
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
/** The user asked for a FIN after the queued data (shutdown or close); its sequence number is the end of the queue. */
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
/** Our FIN has been acknowledged. */
export const F_FIN_ACKED = 1 << 21;
/** Our SYN has been acknowledged (SND.UNA is past the ISS for good, however far it travels). */
export const F_SYN_ACKED = 1 << 22;
/** The stack owes this connection an ACK at the end of the current link batch (coalesced). */
export const F_ACK_DEFERRED = 1 << 23;

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

/**
 * Rarely used per-connection variables, allocated on first use (an idle connection has none).
 * Tcb exposes them through accessors; reading an absent field gives its default.
 */
export class TcbExtra {
  dsackLeft: Seq;
  dsackRight: Seq;
  oooFinSeq: Seq;
  rcvUp: number;
  userMss: number;
  keepIdleMs: number;
  keepIntvlMs: number;
  keepCnt: number;
  softError: SocketErrorCode | null;
  lastOowAckAt: number;
  retransStamp: number;
  /** SACK scoreboard: sorted, disjoint [left, right) ranges above SND.UNA the peer holds (flat pairs). */
  sacked: Seq[] | null;
  /** Highest sequence number retransmitted in the current recovery (RFC 6675 HighRxt). */
  highRxt: Seq;
  constructor() {
    this.dsackLeft = seq(0);
    this.dsackRight = seq(0);
    this.oooFinSeq = seq(0);
    this.rcvUp = -1;
    this.userMss = 0;
    this.keepIdleMs = 0;
    this.keepIntvlMs = 0;
    this.keepCnt = 0;
    this.softError = null;
    this.lastOowAckAt = -1e9;
    this.retransStamp = 0;
    this.sacked = null;
    this.highRxt = seq(0);
  }
}

/**
 * All fields are assigned in the constructor (so V8 keeps them in the object, without a
 * separate property array). Times stored here are whole milliseconds and RTT estimates whole
 * microseconds, so they stay small integers (no boxed doubles); sequence numbers are u32.
 */
export class Tcb {
  id: number;
  cfg: TcpConfig;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  state: TcpState;
  flags: number;

  // Send sequence space (RFC 9293 3.3.1), plus BSD's snd_max (highest sequence sent).
  iss: Seq;
  sndUna: Seq;
  sndNxt: Seq;
  sndMax: Seq;
  /** Send window in bytes (already scaled). */
  sndWnd: number;
  sndWl1: Seq;
  sndWl2: Seq;
  /** Largest window the peer has offered (RFC 9293 3.8.6.2.1, RFC 5961 5.2). */
  maxSndWnd: number;
  /** Peer's window scale shift (applied to its window field). */
  sndWscale: number;
  /** End of the last small segment sent (Minshall's Nagle, as Linux). */
  sndSml: Seq;
  /** Unacknowledged and unsent bytes; byte 0 has sequence number sndQSeq. */
  sndQ: ByteQueue | null;
  sndBuf: number;

  // Receive sequence space.
  irs: Seq;
  rcvNxt: Seq;
  /** Right edge of the window we last advertised (RCV.NXT + RCV.WND at that time). */
  rcvAdv: Seq;
  /** Our window scale shift. */
  rcvWscale: number;
  rcvQ: ByteQueue | null;
  ooo: Reassembly | null;
  rcvBuf: number;

  // Options.
  /** MSS the peer announced (536 without the option). */
  peerMss: number;
  /** Effective send MSS for data (without options), as Linux's mss_cache. */
  mss: number;
  /** TS.Recent (stored as a signed 32-bit value; compare modulo 2^32). */
  tsRecent: number;
  /** When TS.Recent was set (ms). */
  tsRecentAt: number;
  /** Random offset of our TSval clock (signed 32-bit). */
  tsOffset: number;
  /** RCV.NXT carried by the last ACK we sent (RFC 7323 4.3 Last.ACK.sent). */
  lastAckSent: Seq;
  /** Estimate of the peer's segment size (Linux icsk_ack.rcv_mss), for the delayed-ACK rule. */
  rcvMss: number;

  // RTT and retransmission (RFC 6298).
  /** SRTT and RTTVAR in microseconds. */
  srttUs: number;
  rttvarUs: number;
  /** RTO without backoff (ms). */
  rto: number;
  rttSeq: Seq;
  /** When the timed segment was sent (ms). */
  rttAt: number;
  /** Retransmissions of the current head (icsk_retransmits). */
  retransmits: number;
  /** RTO doublings in force (icsk_backoff). */
  backoff: number;
  totalRetrans: number;

  // Congestion control (NewReno, RFC 5681 / 6582), bytes.
  cwnd: number;
  ssthresh: number;
  recover: Seq;
  dupAcks: number;
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465). */
  caAcked: number;

  // Timers: deadlines in ms, 0 = not running.
  tRtx: number;
  tPersist: number;
  tDelack: number;
  tKeep: number;
  /** TIME-WAIT or FIN-WAIT-2 timer. */
  t2msl: number;
  /** Owned by the stack's timer queue: the deadline under which this TCB is queued. */
  queuedAt: number;
  /** Unanswered persist or keepalive probes. */
  probes: number;
  persistBackoff: number;
  /** Last time a segment arrived (keepalive idle time, ms). */
  lastRcvAt: number;
  /** Last time new data was sent (ms; Linux lsndtime), for the restart after idle. */
  lastSendAt: number;

  error: SocketErrorCode | null;
  /** Rarely used variables (see TcbExtra), null while unused. */
  x: TcbExtra | null;
  /** Owned by the stack: the listener of a passive open, the socket object. */
  listener: unknown;
  socket: unknown;
  /** Compact state history: one number per change, ms * 4096 + (state | cause << 4). */
  history: readonly number[];

  constructor(id: number, cfg: TcpConfig, localAddr: number, localPort: number, remoteAddr: number, remotePort: number) {
    this.id = id;
    this.cfg = cfg;
    this.localAddr = localAddr;
    this.localPort = localPort | 0;
    this.remoteAddr = remoteAddr;
    this.remotePort = remotePort | 0;
    this.state = 'CLOSED';
    this.flags = cfg.nodelay ? F_NODELAY : 0;
    this.iss = seq(0);
    this.sndUna = seq(0);
    this.sndNxt = seq(0);
    this.sndMax = seq(0);
    this.sndWnd = 0;
    this.sndWl1 = seq(0);
    this.sndWl2 = seq(0);
    this.maxSndWnd = 0;
    this.sndWscale = 0;
    this.sndSml = seq(0);
    this.sndQ = null;
    this.sndBuf = cfg.sndbuf;
    this.irs = seq(0);
    this.rcvNxt = seq(0);
    this.rcvAdv = seq(0);
    this.rcvWscale = 0;
    this.rcvQ = null;
    this.ooo = null;
    this.rcvBuf = cfg.rcvbuf;
    this.peerMss = DEFAULT_PEER_MSS;
    this.mss = DEFAULT_PEER_MSS;
    this.tsRecent = 0;
    this.tsRecentAt = 0;
    this.tsOffset = 0;
    this.lastAckSent = seq(0);
    this.rcvMss = DEFAULT_PEER_MSS;
    this.srttUs = 0;
    this.rttvarUs = 0;
    this.rto = cfg.rtoInitialMs;
    this.rttSeq = seq(0);
    this.rttAt = 0;
    this.retransmits = 0;
    this.backoff = 0;
    this.totalRetrans = 0;
    this.cwnd = 0;
    this.ssthresh = INFINITE_SSTHRESH;
    this.recover = seq(0);
    this.dupAcks = 0;
    this.caAcked = 0;
    this.tRtx = 0;
    this.tPersist = 0;
    this.tDelack = 0;
    this.tKeep = 0;
    this.t2msl = 0;
    this.queuedAt = 0;
    this.probes = 0;
    this.persistBackoff = 0;
    this.lastRcvAt = 0;
    this.lastSendAt = -1;
    this.error = null;
    this.x = null;
    this.listener = null;
    this.socket = null;
    this.history = EMPTY_HISTORY;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** The TcbExtra, allocated on first use. */
  ext(): TcbExtra {
    return this.x ?? (this.x = new TcbExtra());
  }

  /** Sequence number of the first byte in sndQ: SND.UNA, or ISS+1 while the SYN is unacknowledged. */
  get sndQSeq(): Seq {
    // Not seqGt(SND.UNA, ISS) alone: after 2^31 bytes that modular comparison turns false and
    // the queue would be indexed from ISS+1 again (the sender stalled after 2 GiB).
    return (this.flags & F_SYN_ACKED) !== 0 || seqGt(this.sndUna, this.iss) ? this.sndUna : seqAdd(this.iss, 1);
  }

  /** Sequence number of our FIN (meaningful when F_FIN_QUEUED): the end of the queued data. */
  get finSeq(): Seq {
    return seqAdd(this.sndQSeq, this.sndQ === null ? 0 : this.sndQ.length);
  }

  /** SRTT and RTTVAR in ms. */
  get srtt(): number {
    return this.srttUs / 1000;
  }
  get rttvar(): number {
    return this.rttvarUs / 1000;
  }

  get dsackLeft(): Seq { return this.x === null ? seq(0) : this.x.dsackLeft; }
  set dsackLeft(v: Seq) { this.ext().dsackLeft = v; }
  get dsackRight(): Seq { return this.x === null ? seq(0) : this.x.dsackRight; }
  set dsackRight(v: Seq) { this.ext().dsackRight = v; }
  get oooFinSeq(): Seq { return this.x === null ? seq(0) : this.x.oooFinSeq; }
  set oooFinSeq(v: Seq) { this.ext().oooFinSeq = v; }
  /** Last urgent pointer seen, as a sequence number (-1: none). Parsed and shown only. */
  get rcvUp(): number { return this.x === null ? -1 : this.x.rcvUp; }
  set rcvUp(v: number) { this.ext().rcvUp = v; }
  /** TCP_MAXSEG set by the user (0: none). */
  get userMss(): number { return this.x === null ? 0 : this.x.userMss; }
  set userMss(v: number) { if (v !== 0 || this.x !== null) this.ext().userMss = v; }
  /** Per-socket keepalive settings (0: use the knob). */
  get keepIdleMs(): number { return this.x === null ? 0 : this.x.keepIdleMs; }
  set keepIdleMs(v: number) { if (v !== 0 || this.x !== null) this.ext().keepIdleMs = v; }
  get keepIntvlMs(): number { return this.x === null ? 0 : this.x.keepIntvlMs; }
  set keepIntvlMs(v: number) { if (v !== 0 || this.x !== null) this.ext().keepIntvlMs = v; }
  get keepCnt(): number { return this.x === null ? 0 : this.x.keepCnt; }
  set keepCnt(v: number) { if (v !== 0 || this.x !== null) this.ext().keepCnt = v; }
  /** Soft error from ICMP (reported instead of ETIMEDOUT, as Linux's sk_err_soft). */
  get softError(): SocketErrorCode | null { return this.x === null ? null : this.x.softError; }
  set softError(v: SocketErrorCode | null) { if (v !== null || this.x !== null) this.ext().softError = v; }
  /** Last challenge / out-of-window ACK (tcp_invalid_ratelimit), ms. */
  get lastOowAckAt(): number { return this.x === null ? -1e9 : this.x.lastOowAckAt; }
  set lastOowAckAt(v: number) { this.ext().lastOowAckAt = v; }
  /** When the first retransmission of the current head began (Linux retrans_stamp), ms. */
  get retransStamp(): number { return this.x === null ? 0 : this.x.retransStamp; }
  set retransStamp(v: number) { if (v !== 0 || this.x !== null) this.ext().retransStamp = v; }

  /** Records a state change in the compact history (keeps the first entries and the latest). */
  noteHistory(now: number, to: TcpState, cause: string): void {
    const entry = Math.floor(now) * 4096 + (stateIndex(to) | ((causeId(cause) & 0xff) << 4));
    const h = this.history;
    // Exact-size arrays (concat), so a short history costs a few words.
    this.history = h.length >= HISTORY_MAX ? h.slice(0, 4).concat(h.slice(5), entry) : h.concat(entry);
  }
}

const EMPTY_HISTORY: readonly number[] = Object.freeze([]);

/** Decodes one history entry. */
export function historyEntry(e: number): { at: number; state: TcpState; cause: string } {
  const code = e % 4096;
  return { at: Math.floor(e / 4096), state: TCP_STATES[code & 15], cause: causeName(code >>> 4) };
}
