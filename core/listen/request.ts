// A half-open connection request, as Linux's request_sock (struct tcp_request_sock): the
// 4-tuple, both ISNs, what the SYN negotiated (MSS, window scale, SACK, timestamps), the
// SYN-ACK retry count and deadline. It is all a listener keeps between the SYN and the ACK
// that completes the handshake; the full TCB (core/tcp) is made only then (Linux
// tcp_create_openreq_child). Requests live in their listener's SYN queue (a list, oldest
// first) and in a lookup table (the stack's request table, or the SYN cache).
import { seqAdd, seqGt, seqLt } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import { SYN } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import type { TcpOptions } from '../wire/tcp-options.ts';

/** Bits of SynRequest.flags. */
export const R_TS = 1 << 0;
export const R_SACK = 1 << 1;
export const R_WSCALE = 1 << 2;
/** The ISN is a SYN cookie (SYN cache with tcp_syncookies=1): it can complete even if evicted. */
export const R_COOKIE = 1 << 3;
/** An ACK for it met a full accept queue (Linux inet_rsk(req)->acked). */
export const R_ACKED = 1 << 4;
/** Still counted as young (no SYN-ACK timeout yet; Linux queue->young). */
export const R_YOUNG = 1 << 5;

/** The largest window scale shift (RFC 7323 2.3). */
const MAX_WSCALE = 14;
/** The MSS assumed without the option (RFC 9293 3.7.1). */
const DEFAULT_MSS = 536;
const EMPTY = new Uint8Array(0);

/** The listener-side facts a request is made with. */
export interface RequestParams {
  id: number;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  iss: Seq;
  /** Offset of our TS clock for this request (its TSval = ms + offset). */
  tsOffset: number;
  /** The MSS we announce. */
  ourMss: number;
  /** The window of our SYN-ACK. */
  rcvWnd: number;
  /** Our window scale shift when scaling is on. */
  rcvWscale: number;
  /** Which options we accept (tcp_timestamps, tcp_sack, tcp_window_scaling). */
  timestamps: boolean;
  sack: boolean;
  windowScaling: boolean;
}

export class SynRequest {
  id: number;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  iss: Seq;
  /** The client's ISN (Linux rcv_isn). */
  irs: Seq;
  flags: number;
  /** The MSS the client announced (536 without the option). */
  peerMss: number;
  /** The client's window scale shift (when R_WSCALE). */
  sndWscale: number;
  /** Ours. */
  rcvWscale: number;
  /** The MSS we announce. */
  ourMss: number;
  /** The window field of the client's SYN (never scaled). */
  synWindow: number;
  /** The window of our SYN-ACK. */
  rcvWnd: number;
  /** TS.Recent: the client's latest TSval (when R_TS). */
  tsRecent: number;
  tsOffset: number;
  /** A fixed TSval for our SYN-ACKs (a cookie timestamp), or -1: the clock's. */
  tsVal: number;
  /** When the SYN came, when the last SYN-ACK went (ms). */
  createdAt: number;
  synAckAt: number;
  /** SYN-ACK timer expiries (Linux num_timeout) and SYN-ACKs resent for any reason (num_retrans). */
  numTimeout: number;
  numRetrans: number;
  /** When the SYN-ACK timer fires (ms), 0 when none. */
  deadline: number;
  /** Last ACK or SYN-ACK sent for an out-of-window or retransmitted segment (tcp_invalid_ratelimit). */
  lastOowAt: number;
  /** Still in its listener and lookup table. */
  live: boolean;
  /** The listener's queue (typed loosely to keep this file free of the listener). */
  owner: unknown;
  /** The listener's SYN queue list, oldest first. */
  prev: SynRequest | null;
  next: SynRequest | null;
  /** The SYN cache's bucket list, newest first, and the bucket (-1: not in the cache). */
  bprev: SynRequest | null;
  bnext: SynRequest | null;
  bucket: number;

  constructor(p: RequestParams, syn: TcpSegment, now: number) {
    this.id = p.id;
    this.localAddr = p.localAddr;
    this.localPort = p.localPort;
    this.remoteAddr = p.remoteAddr;
    this.remotePort = p.remotePort;
    this.iss = p.iss;
    this.irs = syn.seq;
    this.flags = R_YOUNG;
    this.peerMss = DEFAULT_MSS;
    this.sndWscale = 0;
    this.rcvWscale = 0;
    this.ourMss = p.ourMss;
    this.synWindow = syn.window;
    this.rcvWnd = p.rcvWnd;
    this.tsRecent = 0;
    this.tsOffset = p.tsOffset | 0;
    this.tsVal = -1;
    this.createdAt = now;
    this.synAckAt = now;
    this.numTimeout = 0;
    this.numRetrans = 0;
    this.deadline = 0;
    this.lastOowAt = -1e9;
    this.live = true;
    this.owner = null;
    this.prev = null;
    this.next = null;
    this.bprev = null;
    this.bnext = null;
    this.bucket = -1;
    negotiateRequest(this, syn.options, p);
  }

  /** RCV.NXT of the request: the client's ISN + 1. */
  get rcvNxt(): Seq {
    return seqAdd(this.irs, 1);
  }
}

/** The options of the client's SYN, as Linux's tcp_openreq_init: only what both sides allow. */
function negotiateRequest(r: SynRequest, o: TcpOptions, p: RequestParams): void {
  r.peerMss = o.mss !== undefined && o.mss > 0 ? o.mss : DEFAULT_MSS;
  if (p.windowScaling && o.wscale !== undefined) {
    r.flags |= R_WSCALE;
    // RFC 7323 2.3: a shift above 14 is used as 14.
    r.sndWscale = Math.min(o.wscale, MAX_WSCALE);
    r.rcvWscale = p.rcvWscale;
  }
  if (p.sack && o.sackPermitted === true) r.flags |= R_SACK;
  if (p.timestamps && o.timestamps !== undefined) {
    r.flags |= R_TS;
    r.tsRecent = o.timestamps.value | 0;
  }
}

/** Our TSval for the request's SYN-ACK at `now`. */
export function requestTsVal(r: SynRequest, now: number): number {
  return r.tsVal >= 0 ? (r.tsVal + r.tsOffset) >>> 0 : (Math.floor(now) + r.tsOffset) >>> 0;
}

/**
 * The SYN-ACK of a request: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, the window of our receive
 * space (never scaled, RFC 7323 2.2), and only the options the SYN offered, in Linux's order.
 */
export function synAckSegment(r: SynRequest, now: number): TcpSegment {
  const o: { mss: number; sackPermitted?: boolean; timestamps?: { value: number; echo: number }; wscale?: number } = { mss: r.ourMss };
  if ((r.flags & R_SACK) !== 0) o.sackPermitted = true;
  if ((r.flags & R_TS) !== 0) o.timestamps = { value: requestTsVal(r, now), echo: r.tsRecent >>> 0 };
  if ((r.flags & R_WSCALE) !== 0) o.wscale = r.rcvWscale;
  return {
    srcPort: r.localPort, dstPort: r.remotePort, seq: r.iss, ack: r.rcvNxt, flags: SYN,
    window: r.rcvWnd, urgent: null, options: o, payload: EMPTY,
  };
}

/**
 * An ACK from the request (Linux tcp_v4_reqsk_send_ack, for a segment out of its window):
 * <SEQ=ISS+1><ACK=RCV.NXT>, with timestamps if negotiated.
 */
export function requestAckSegment(r: SynRequest, now: number): TcpSegment {
  const options: TcpOptions = (r.flags & R_TS) !== 0 ? { timestamps: { value: requestTsVal(r, now), echo: r.tsRecent >>> 0 } } : {};
  return {
    srcPort: r.localPort, dstPort: r.remotePort, seq: seqAdd(r.iss, 1), ack: r.rcvNxt, flags: 0,
    window: r.rcvWnd, urgent: null, options, payload: EMPTY,
  };
}

/**
 * Linux reqsk_timeout: the SYN-ACK timer after `numTimeout` expiries, initial << numTimeout
 * (initial = TCP_TIMEOUT_INIT, 1 s), at most rto_max. With 5 retries: 1, 2, 4, 8, 16 s, and the
 * request is dropped 32 s after the last, 63 s after the SYN.
 */
export function requestTimeout(numTimeout: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** numTimeout, maxMs);
}

/**
 * Linux reqsk_timer_handler: how many SYN-ACK retries this request gets. When the SYN queue is
 * more than half full (qlen * 2 > max(8, backlog)), old requests get fewer ("we reserve half of
 * room for young embrions"): one retry less for each doubling of young requests missing, down to 2.
 */
export function synAckRetryLimit(maxRetries: number, qlen: number, young: number, backlog: number): number {
  let limit = maxRetries;
  if (qlen * 2 > Math.max(8, backlog)) {
    let y = young * 2;
    while (limit > 2) {
      if (qlen < y) break;
      limit--;
      y *= 2;
    }
  }
  return limit;
}

/** Linux tcp_in_window: is [seq, end) acceptable for a window starting at s of size w? */
export function requestInWindow(segSeq: Seq, endSeq: Seq, s: Seq, w: number): boolean {
  const e = seqAdd(s, w);
  if (segSeq === s) return true;
  if (seqGt(endSeq, s) && seqLt(segSeq, e)) return true;
  return segSeq === e && segSeq === endSeq;
}
