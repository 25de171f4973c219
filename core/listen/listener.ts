// A listening socket's two queues, as Linux keeps them: the SYN queue (half-open
// connections in SYN-RECEIVED) and the accept queue (ESTABLISHED, waiting for accept()).
// The limits follow Linux's tcp_conn_request / tcp_check_req without SYN cookies:
//  - backlog is capped by somaxconn;
//  - the accept queue is full when it holds MORE than backlog entries (sk_acceptq_is_full
//    uses '>', so backlog + 1 connections fit);
//  - a SYN is dropped when the accept queue is full (ListenOverflows, ListenDrops), when the
//    SYN queue holds backlog entries (inet_csk_reqsk_queue_is_full), or when less than a
//    quarter of tcp_max_syn_backlog is left (the "kill this clause" rule);
//  - the ACK that completes a handshake while the accept queue is full is dropped
//    (tcp_abort_on_overflow=0: the SYN-ACK timer retries) or answered with RST (=1).
// Pure logic over the queues; the stack makes the TCBs and sends the segments. SYN cookies
// and a SYN cache plug in here (issue 3).
import type { Tcb } from '../tcp/tcb.ts';

export interface ListenLimits {
  somaxconn: number;
  maxSynBacklog: number;
  abortOnOverflow: boolean;
}

export class ListenQueue {
  readonly id: number;
  readonly port: number;
  /** The backlog as requested by listen(). */
  requestedBacklog: number;
  readonly synQueue = new Set<Tcb>();
  private readonly accepted: Tcb[] = [];
  private head = 0;
  closed = false;

  constructor(id: number, port: number, backlog: number) {
    this.id = id;
    this.port = port;
    this.requestedBacklog = backlog;
  }

  get synLength(): number {
    return this.synQueue.size;
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
}

/** listen(backlog): Linux caps it by somaxconn (and a negative/zero backlog still allows 1 after the '>' test). */
export function effectiveBacklog(q: ListenQueue, limits: ListenLimits): number {
  return Math.max(0, Math.min(q.requestedBacklog, limits.somaxconn));
}

/** Linux sk_acceptq_is_full: more than backlog entries. */
export function acceptQueueFull(q: ListenQueue, limits: ListenLimits): boolean {
  return q.acceptLength > effectiveBacklog(q, limits);
}

export type SynVerdict = 'accept' | 'drop: accept queue full' | 'drop: SYN queue full' | 'drop: SYN backlog 3/4 used';

/** Linux tcp_conn_request (SYN cookies off): may a new SYN create a half-open connection? */
export function admitSyn(q: ListenQueue, limits: ListenLimits): SynVerdict {
  if (q.synLength >= effectiveBacklog(q, limits)) return 'drop: SYN queue full';
  if (acceptQueueFull(q, limits)) return 'drop: accept queue full';
  const max = limits.maxSynBacklog;
  if (max - q.synLength < max >> 2) return 'drop: SYN backlog 3/4 used';
  return 'accept';
}

export function addHalfOpen(q: ListenQueue, t: Tcb): void {
  q.synQueue.add(t);
}

export function removeHalfOpen(q: ListenQueue, t: Tcb): boolean {
  return q.synQueue.delete(t);
}

/** What to do with a handshake-completing ACK: enqueue, or (queue full) drop it or reset. */
export function admitEstablished(q: ListenQueue, limits: ListenLimits): 'enqueue' | 'drop' | 'reset' {
  if (!acceptQueueFull(q, limits)) return 'enqueue';
  return limits.abortOnOverflow ? 'reset' : 'drop';
}

/** The handshake completed: from the SYN queue to the accept queue. */
export function moveToAcceptQueue(q: ListenQueue, t: Tcb): void {
  q.synQueue.delete(t);
  q.pushAccepted(t);
}

/** accept(): the oldest established connection, or null (EAGAIN). */
export function takeAccepted(q: ListenQueue): Tcb | null {
  return q.shiftAccepted();
}
