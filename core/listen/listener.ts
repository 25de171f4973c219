// A listening socket's two queues, as Linux keeps them: the SYN queue (half-open requests,
// core/listen/request.ts, no TCB yet) and the accept queue (ESTABLISHED connections waiting for
// accept()). The admission rules are Linux's tcp_conn_request (net/ipv4/tcp_input.c):
//  - backlog is capped by somaxconn (__sys_listen); Linux calls the result sk_max_ack_backlog;
//  - the SYN queue is full when it holds backlog requests (inet_csk_reqsk_queue_is_full); a
//    SYN then gets a cookie (tcp_syncookies=1: TCPReqQFullDoCookies) or is dropped
//    (tcp_syncookies=0: TCPReqQFullDrop); with tcp_syncookies=2 every SYN gets a cookie;
//  - then, cookie or not, a SYN is dropped while the accept queue is full (ListenOverflows);
//    the accept queue is full when it holds MORE than backlog connections (sk_acceptq_is_full
//    uses '>', so backlog + 1 fit);
//  - without cookies (tcp_syncookies=0) a SYN is also dropped when less than a quarter of
//    tcp_max_syn_backlog is left (the "kill this clause" rule; Linux still admits peers it has
//    seen alive, tcp_peer_is_proven: the lab has no such memory);
//  - every drop counts ListenDrops (tcp_listendrop).
// In SYN-cache mode (syn_defence=cache) the requests sit in the SYN cache instead (syn-cache.ts,
// bounded by its own limits, oldest first out); the accept-queue rule and cookies stay.
// Pure logic over the queues; the stack sends the segments and makes the TCBs.
import type { Tcb } from '../tcp/tcb.ts';
import { R_YOUNG } from './request.ts';
import type { SynRequest } from './request.ts';

export type SynDefence = 'queue' | 'cache';

export interface ListenLimits {
  somaxconn: number;
  maxSynBacklog: number;
  abortOnOverflow: boolean;
  /** tcp_syncookies: 0 off, 1 when the SYN queue is full, 2 always. */
  syncookies: number;
  /** syn_defence: the plain SYN queue (Linux) or the SYN cache (FreeBSD-like). */
  mode: SynDefence;
}

export class ListenQueue {
  readonly id: number;
  readonly port: number;
  /** The backlog as requested by listen(). */
  requestedBacklog: number;
  /** The SYN queue: half-open requests, oldest first. */
  synHead: SynRequest | null = null;
  synTail: SynRequest | null = null;
  synLength = 0;
  /** Requests that have not had a SYN-ACK timeout yet (Linux queue->young). */
  young = 0;
  private readonly accepted: Tcb[] = [];
  private head = 0;
  closed = false;
  // Per listener: what was refused and the cookies (the stack counts the Linux totals too).
  /** SYNs refused because of the SYN queue (full, the 3/4 rule) and requests evicted from the SYN cache. */
  dropsSyn = 0;
  /** SYNs refused and handshake-completing ACKs dropped or reset because the accept queue was full. */
  dropsAccept = 0;
  cookiesSent = 0;
  cookiesRecv = 0;
  cookiesFailed = 0;
  /** When a cookie was last sent or a SYN-cache entry evicted (Linux tcp_synq_overflow), ms. */
  lastOverflowAt = -Infinity;

  constructor(id: number, port: number, backlog: number) {
    this.id = id;
    this.port = port;
    this.requestedBacklog = backlog;
  }

  get acceptLength(): number {
    return this.accepted.length - this.head;
  }

  acceptEntries(): Tcb[] {
    return this.accepted.slice(this.head);
  }

  pushAccepted(t: Tcb): void {
    this.accepted.push(t);
  }

  shiftAccepted(): Tcb | null {
    if (this.head >= this.accepted.length) return null;
    const t = this.accepted[this.head];
    this.head++;
    if (this.head > 64 && this.head * 2 > this.accepted.length) {
      this.accepted.splice(0, this.head);
      this.head = 0;
    }
    return t;
  }

  /** The oldest `max` half-open requests. */
  oldestRequests(max: number): SynRequest[] {
    const out: SynRequest[] = [];
    for (let r = this.synHead; r !== null && out.length < max; r = r.next) out.push(r);
    return out;
  }
}

/** listen(backlog): Linux caps it by somaxconn (sk_max_ack_backlog). */
export function effectiveBacklog(q: ListenQueue, limits: ListenLimits): number {
  return Math.max(0, Math.min(q.requestedBacklog, limits.somaxconn));
}

/** Linux sk_acceptq_is_full: more than backlog entries. */
export function acceptQueueFull(q: ListenQueue, limits: ListenLimits): boolean {
  return q.acceptLength > effectiveBacklog(q, limits);
}

/** Linux inet_csk_reqsk_queue_is_full: backlog requests or more. */
export function synQueueFull(q: ListenQueue, limits: ListenLimits): boolean {
  return q.synLength >= effectiveBacklog(q, limits);
}

/** The "kill this clause" rule: less than a quarter of tcp_max_syn_backlog left (cookies off). */
export function synBacklogReserve(q: ListenQueue, limits: ListenLimits): boolean {
  const max = limits.maxSynBacklog;
  return max - q.synLength < max >> 2;
}

/** How many requests the SYN queue can hold before SYNs are refused or get cookies. */
export function synQueueLimit(q: ListenQueue, limits: ListenLimits): number {
  if (limits.syncookies === 2) return 0;
  const backlog = effectiveBacklog(q, limits);
  if (limits.syncookies !== 0) return backlog;
  // Admitted while max - qlen >= max / 4, so the queue can reach max - max/4 + 1.
  const max = limits.maxSynBacklog;
  return Math.min(backlog, max - (max >> 2) + 1);
}

/**
 * What tcp_conn_request does with a SYN (the rule that decided; the stack counts, sends and
 * says why). `recycled`: the SYN ended a TIME-WAIT connection (Linux tcp_tw_isn: such SYNs
 * skip the SYN queue checks, "the peer is evidently real").
 */
export type SynAdmit =
  | 'request'
  | 'cookie: SYN queue full'
  | 'cookie: tcp_syncookies=2'
  | 'drop: SYN queue full'
  | 'drop: accept queue full'
  | 'drop: tcp_max_syn_backlog';

export function admitSyn(q: ListenQueue, limits: ListenLimits, recycled = false): SynAdmit {
  const cache = limits.mode === 'cache';
  let cookie: SynAdmit | null = null;
  if (!recycled) {
    if (limits.syncookies === 2) cookie = 'cookie: tcp_syncookies=2';
    else if (!cache && synQueueFull(q, limits)) {
      if (limits.syncookies === 0) return 'drop: SYN queue full';
      cookie = 'cookie: SYN queue full';
    }
  }
  if (acceptQueueFull(q, limits)) return 'drop: accept queue full';
  if (cookie !== null) return cookie;
  if (!recycled && !cache && limits.syncookies === 0 && synBacklogReserve(q, limits)) return 'drop: tcp_max_syn_backlog';
  return 'request';
}

/** What to do with a handshake-completing ACK: enqueue, or (queue full) drop it or reset. */
export function admitEstablished(q: ListenQueue, limits: ListenLimits): 'enqueue' | 'drop' | 'reset' {
  if (!acceptQueueFull(q, limits)) return 'enqueue';
  return limits.abortOnOverflow ? 'reset' : 'drop';
}

/** Appends a request to the SYN queue (it is the youngest). */
export function addRequest(q: ListenQueue, r: SynRequest): void {
  r.owner = q;
  r.prev = q.synTail;
  r.next = null;
  if (q.synTail !== null) q.synTail.next = r;
  else q.synHead = r;
  q.synTail = r;
  q.synLength++;
  if ((r.flags & R_YOUNG) !== 0) q.young++;
}

/** Takes a request out of the SYN queue (Linux reqsk_queue_removed). */
export function removeRequest(q: ListenQueue, r: SynRequest): void {
  if (r.prev !== null) r.prev.next = r.next;
  else q.synHead = r.next;
  if (r.next !== null) r.next.prev = r.prev;
  else q.synTail = r.prev;
  r.prev = null;
  r.next = null;
  q.synLength--;
  if ((r.flags & R_YOUNG) !== 0) {
    r.flags &= ~R_YOUNG;
    q.young--;
  }
}

/** The first SYN-ACK timeout of a request: it is no longer young. */
export function requestAged(q: ListenQueue, r: SynRequest): void {
  if ((r.flags & R_YOUNG) === 0) return;
  r.flags &= ~R_YOUNG;
  q.young--;
}

/** The handshake completed: the connection joins the accept queue. */
export function pushAcceptQueue(q: ListenQueue, t: Tcb): void {
  q.pushAccepted(t);
}

/** accept(): the oldest established connection, or null (EAGAIN). */
export function takeAccepted(q: ListenQueue): Tcb | null {
  return q.shiftAccepted();
}

/**
 * Linux tcp_synq_no_recent_overflow, inverted: has this listener sent a cookie (or evicted a
 * SYN-cache entry) recently enough that an ACK without a request may carry a valid cookie?
 * Recent = from 1 s before the last overflow to MAX_SYNCOOKIE_AGE periods after it.
 */
export function recentOverflow(q: ListenQueue, now: number, validMs: number): boolean {
  return now >= q.lastOverflowAt - 1000 && now <= q.lastOverflowAt + validMs;
}
