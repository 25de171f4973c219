// The event log: every state change, segment in and out (with its verdict), timer set, fire
// and cancel, drop, error and queue change, in one bounded ring. Events are stored as numbers
// in typed arrays (no objects on the hot path) and turned into plain-data StackEvents when
// read. A reader that falls behind loses the oldest events and sees the gap in `seq`.
import { formatAddress } from '../wire/ipv4.ts';
import { formatSegment, tcpFlagsString } from '../wire/pretty.ts';
import { seq as toSeq } from '../wire/seq.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import type { SackBlock, TcpOptions } from '../wire/tcp-options.ts';
import { formatOptions } from '../wire/tcp-options.ts';
import { ACK_BIT, SEGMENT_FLAGS_MASK, URG_BIT } from '../wire/tcp.ts';
import type { SocketErrorCode, TimerName } from '../tcp/effects.ts';
import { TCP_STATES } from '../tcp/state.ts';
import type { TcpState } from '../tcp/state.ts';

export interface SegmentSummary {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** tcpdump style: 'S', 'S.', '.', 'P.', 'F.', 'R', 'R.' */
  flags: string;
  seq: number;
  ack: number | null;
  win: number;
  len: number;
  options: string;
  /** The tcpdump-like one-liner. */
  text: string;
}

export type QueueName = 'syn' | 'accept';
export type QueueOp = 'add' | 'remove' | 'overflow' | 'drop';

export type StackEvent =
  | { kind: 'state'; seq: number; at: number; conn: number; from: TcpState; to: TcpState; cause: string; segment?: SegmentSummary; timer?: TimerName }
  | { kind: 'segment'; seq: number; at: number; conn: number | null; dir: 'in' | 'out'; segment: SegmentSummary; verdict: string; state?: TcpState }
  | { kind: 'timer'; seq: number; at: number; conn: number; timer: TimerName; action: 'set' | 'fire' | 'cancel'; deadline?: number }
  | { kind: 'drop'; seq: number; at: number; reason: string; detail?: string }
  | { kind: 'error'; seq: number; at: number; conn: number; code: SocketErrorCode }
  | { kind: 'queue'; seq: number; at: number; listener: number; port: number; queue: QueueName; op: QueueOp; length: number; limit: number; conn: number | null; detail?: string; segment?: SegmentSummary }
  | { kind: 'icmp'; seq: number; at: number; dir: 'in' | 'out'; text: string; conn: number | null };

export interface EventLog {
  since(seq: number): StackEvent[];
  forConnection(conn: number): StackEvent[];
  readonly lastSeq: number;
  subscribe(cb: (e: StackEvent) => void): () => void;
}

const K_STATE = 0, K_SEGMENT = 1, K_TIMER = 2, K_DROP = 3, K_ERROR = 4, K_QUEUE = 5, K_ICMP = 6;
const STRIDE = 27;
const TIMER_NAMES: readonly TimerName[] = ['retransmit', 'delack', 'persist', 'keepalive', 'time-wait', 'fin-wait-2', 'syn-ack'];
const TIMER_ACTIONS = ['set', 'fire', 'cancel'] as const;
const QUEUES: readonly QueueName[] = ['syn', 'accept'];
const QUEUE_OPS: readonly QueueOp[] = ['add', 'remove', 'overflow', 'drop'];

// Interned strings (verdicts, causes, reasons, error codes): a bounded set of literals.
const internIds = new Map<string, number>();
const internNames: string[] = [];
function intern(s: string): number {
  let id = internIds.get(s);
  if (id === undefined) {
    id = internNames.length;
    internNames.push(s);
    internIds.set(s, id);
  }
  return id;
}

const ZEROS = new Uint8Array(65536);

export class EventRing implements EventLog {
  readonly capacity: number;
  private readonly kind: Uint8Array;
  private readonly at: Float64Array;
  private readonly conn: Int32Array;
  private readonly num: Float64Array;
  private readonly str: (string | null)[];
  private next = 1;
  private readonly subscribers: ((e: StackEvent) => void)[] = [];

  constructor(capacity = 16384) {
    this.capacity = capacity;
    this.kind = new Uint8Array(capacity);
    this.at = new Float64Array(capacity);
    this.conn = new Int32Array(capacity);
    this.num = new Float64Array(capacity * STRIDE);
    this.str = new Array<string | null>(capacity).fill(null);
  }

  get lastSeq(): number {
    return this.next - 1;
  }

  /** The oldest sequence number still held. */
  get firstSeq(): number {
    return Math.max(1, this.next - this.capacity);
  }

  private begin(kind: number, at: number, conn: number | null): number {
    const s = this.next++;
    const i = s % this.capacity;
    this.kind[i] = kind;
    this.at[i] = at;
    this.conn[i] = conn === null ? -1 : conn;
    this.str[i] = null;
    return s;
  }

  private end(s: number): number {
    if (this.subscribers.length === 0) return s;
    if (this.pending !== 0) {
      // An arriving segment is still being processed: its event (earlier seq) goes first.
      this.held.push(s);
      return s;
    }
    this.publish(s);
    return s;
  }

  private publish(s: number): void {
    const e = this.read(s);
    if (e !== null) for (const cb of this.subscribers.slice()) cb(e);
  }

  /** Seq of a segment-in event whose verdict is not known yet (0: none), and events held behind it. */
  private pending = 0;
  private readonly held: number[] = [];

  state(at: number, conn: number, from: TcpState, to: TcpState, cause: string, segmentEventSeq: number, timer: TimerName | null): number {
    const s = this.begin(K_STATE, at, conn);
    const o = (s % this.capacity) * STRIDE;
    const n = this.num;
    n[o] = TCP_STATES.indexOf(from);
    n[o + 1] = TCP_STATES.indexOf(to);
    n[o + 2] = intern(cause);
    n[o + 3] = segmentEventSeq;
    n[o + 4] = timer === null ? -1 : TIMER_NAMES.indexOf(timer);
    return this.end(s);
  }

  segment(at: number, conn: number | null, dir: 'in' | 'out', src: number, dst: number, seg: TcpSegment, verdict: string, state: TcpState | null): number {
    const s = this.begin(K_SEGMENT, at, conn);
    this.fillSegment(s, dir, src, dst, seg, verdict, state);
    return this.end(s);
  }

  /** A segment-in event whose verdict is known only after processing: record now, set later. */
  segmentPending(at: number, conn: number | null, src: number, dst: number, seg: TcpSegment): number {
    const s = this.begin(K_SEGMENT, at, conn);
    this.fillSegment(s, 'in', src, dst, seg, '', null);
    if (this.subscribers.length > 0) this.pending = s;
    return s;
  }

  finishSegment(s: number, conn: number | null, verdict: string, state: TcpState | null): void {
    if (s > this.next - 1 - this.capacity) {
      const i = s % this.capacity;
      const o = i * STRIDE;
      this.conn[i] = conn === null ? -1 : conn;
      this.num[o + 16] = intern(verdict);
      this.num[o + 17] = state === null ? -1 : TCP_STATES.indexOf(state);
    }
    if (this.pending !== s) return;
    this.pending = 0;
    if (this.subscribers.length === 0) {
      this.held.length = 0;
      return;
    }
    this.publish(s);
    const held = this.held.splice(0);
    for (const h of held) this.publish(h);
  }

  private fillSegment(s: number, dir: 'in' | 'out', src: number, dst: number, seg: TcpSegment, verdict: string, state: TcpState | null): void {
    const o = (s % this.capacity) * STRIDE;
    const n = this.num;
    const opt = seg.options;
    n[o] = dir === 'in' ? 0 : 1;
    n[o + 1] = src;
    n[o + 2] = dst;
    n[o + 3] = seg.srcPort;
    n[o + 4] = seg.dstPort;
    n[o + 5] = seg.flags | (seg.ack !== null ? ACK_BIT : 0) | (seg.urgent !== null ? URG_BIT : 0);
    n[o + 6] = seg.seq;
    n[o + 7] = seg.ack === null ? -1 : seg.ack;
    n[o + 8] = seg.window;
    n[o + 9] = seg.payload.length;
    n[o + 10] = opt.mss ?? -1;
    n[o + 11] = opt.wscale ?? -1;
    n[o + 12] = opt.sackPermitted === true ? 1 : 0;
    n[o + 13] = opt.timestamps === undefined ? -1 : opt.timestamps.value;
    n[o + 14] = opt.timestamps === undefined ? -1 : opt.timestamps.echo;
    n[o + 15] = seg.urgent ?? -1;
    n[o + 16] = intern(verdict);
    n[o + 17] = state === null ? -1 : TCP_STATES.indexOf(state);
    const sack = opt.sack;
    const ns = sack === undefined ? 0 : Math.min(sack.length, 4);
    n[o + 18] = ns;
    for (let k = 0; k < ns; k++) {
      n[o + 19 + 2 * k] = (sack as readonly SackBlock[])[k].left;
      n[o + 20 + 2 * k] = (sack as readonly SackBlock[])[k].right;
    }
  }

  timer(at: number, conn: number, timer: TimerName, action: 'set' | 'fire' | 'cancel', deadline: number): number {
    const s = this.begin(K_TIMER, at, conn);
    const o = (s % this.capacity) * STRIDE;
    this.num[o] = TIMER_NAMES.indexOf(timer);
    this.num[o + 1] = TIMER_ACTIONS.indexOf(action);
    this.num[o + 2] = deadline;
    return this.end(s);
  }

  drop(at: number, reason: string, detail: string | null): number {
    const s = this.begin(K_DROP, at, null);
    this.num[(s % this.capacity) * STRIDE] = intern(reason);
    this.str[s % this.capacity] = detail;
    return this.end(s);
  }

  error(at: number, conn: number, code: SocketErrorCode): number {
    const s = this.begin(K_ERROR, at, conn);
    this.num[(s % this.capacity) * STRIDE] = intern(code);
    return this.end(s);
  }

  /**
   * A listen queue changed. `detail` names the rule that fired ('ACK dropped: accept queue full
   * (3/3), tcp_abort_on_overflow=0'); `segmentEventSeq` is the event of the segment that caused
   * it (attached when read), or -1.
   */
  queue(at: number, listener: number, port: number, queue: QueueName, op: QueueOp, length: number, limit: number, conn: number | null,
    detail: string | null = null, segmentEventSeq = -1): number {
    const s = this.begin(K_QUEUE, at, conn);
    const o = (s % this.capacity) * STRIDE;
    const n = this.num;
    n[o] = listener;
    n[o + 1] = port;
    n[o + 2] = QUEUES.indexOf(queue);
    n[o + 3] = QUEUE_OPS.indexOf(op);
    n[o + 4] = length;
    n[o + 5] = limit;
    n[o + 6] = segmentEventSeq;
    this.str[s % this.capacity] = detail;
    return this.end(s);
  }

  icmp(at: number, dir: 'in' | 'out', text: string, conn: number | null): number {
    const s = this.begin(K_ICMP, at, conn);
    this.num[(s % this.capacity) * STRIDE] = dir === 'in' ? 0 : 1;
    this.str[s % this.capacity] = text;
    return this.end(s);
  }

  /** The event with this sequence number, if still held. */
  read(s: number): StackEvent | null {
    if (s < this.firstSeq || s >= this.next) return null;
    const i = s % this.capacity;
    const o = i * STRIDE;
    const n = this.num;
    const at = this.at[i];
    const c = this.conn[i];
    switch (this.kind[i]) {
      case K_STATE: {
        const e: StackEvent = {
          kind: 'state', seq: s, at, conn: c, from: TCP_STATES[n[o]], to: TCP_STATES[n[o + 1]], cause: internNames[n[o + 2]],
        };
        const segRef = n[o + 3];
        if (segRef > 0) {
          const se = this.read(segRef);
          if (se !== null && se.kind === 'segment') e.segment = se.segment;
        }
        if (n[o + 4] >= 0) e.timer = TIMER_NAMES[n[o + 4]];
        return e;
      }
      case K_SEGMENT:
        return {
          kind: 'segment', seq: s, at, conn: c < 0 ? null : c, dir: n[o] === 0 ? 'in' : 'out',
          segment: this.summary(o), verdict: internNames[n[o + 16]],
          ...(n[o + 17] >= 0 ? { state: TCP_STATES[n[o + 17]] } : {}),
        };
      case K_TIMER: {
        const action = TIMER_ACTIONS[n[o + 1]];
        return {
          kind: 'timer', seq: s, at, conn: c, timer: TIMER_NAMES[n[o]], action,
          ...(action === 'cancel' ? {} : { deadline: n[o + 2] }),
        };
      }
      case K_DROP: {
        const detail = this.str[i];
        return { kind: 'drop', seq: s, at, reason: internNames[n[o]], ...(detail !== null ? { detail } : {}) };
      }
      case K_ERROR:
        return { kind: 'error', seq: s, at, conn: c, code: internNames[n[o]] as SocketErrorCode };
      case K_QUEUE: {
        const e: Extract<StackEvent, { kind: 'queue' }> = {
          kind: 'queue', seq: s, at, listener: n[o], port: n[o + 1], queue: QUEUES[n[o + 2]], op: QUEUE_OPS[n[o + 3]],
          length: n[o + 4], limit: n[o + 5], conn: c < 0 ? null : c,
        };
        const detail = this.str[i];
        if (detail !== null) e.detail = detail;
        const segRef = n[o + 6];
        if (segRef > 0 && segRef !== s) {
          const se = this.read(segRef);
          if (se !== null && se.kind === 'segment') e.segment = se.segment;
        }
        return e;
      }
      case K_ICMP:
        return { kind: 'icmp', seq: s, at, dir: n[o] === 0 ? 'in' : 'out', text: this.str[i] ?? '', conn: c < 0 ? null : c };
      default:
        return null;
    }
  }

  private summary(o: number): SegmentSummary {
    const n = this.num;
    const bits = n[o + 5];
    // The 16-bit fields are read back as small integers (`| 0`): values loaded from the Float64Array
    // are doubles, and a TcpSegment or options object built with double fields shares V8's hidden
    // class with the ones parseTcp builds on every packet, deprecating it; the hot path then
    // migrated every segment it parsed for as long as the lab ran (measured: the larger part of
    // what 20 watching clients cost a bulk transfer).
    const options: { -readonly [K in keyof TcpOptions]: TcpOptions[K] } = {};
    if (n[o + 10] >= 0) options.mss = n[o + 10] | 0;
    if (n[o + 12] === 1) options.sackPermitted = true;
    if (n[o + 13] >= 0) options.timestamps = { value: n[o + 13], echo: n[o + 14] };
    if (n[o + 11] >= 0) options.wscale = n[o + 11] | 0;
    const ns = n[o + 18];
    if (ns > 0) {
      const blocks: SackBlock[] = [];
      for (let k = 0; k < ns; k++) blocks.push({ left: toSeq(n[o + 19 + 2 * k]), right: toSeq(n[o + 20 + 2 * k]) });
      options.sack = blocks;
    }
    const len = n[o + 9];
    const seg: TcpSegment = {
      srcPort: n[o + 3] | 0, dstPort: n[o + 4] | 0, seq: toSeq(n[o + 6]), ack: (bits & ACK_BIT) !== 0 ? toSeq(n[o + 7]) : null,
      flags: bits & SEGMENT_FLAGS_MASK, window: n[o + 8] | 0, urgent: (bits & URG_BIT) !== 0 ? n[o + 15] | 0 : null,
      options, payload: len <= ZEROS.length ? ZEROS.subarray(0, len) : new Uint8Array(len),
    };
    return {
      src: formatAddress(n[o + 1]), srcPort: seg.srcPort, dst: formatAddress(n[o + 2]), dstPort: seg.dstPort,
      flags: tcpFlagsString(seg), seq: seg.seq, ack: seg.ack, win: seg.window, len,
      options: formatOptions(options), text: formatSegment(n[o + 1], n[o + 2], seg),
    };
  }

  since(s: number): StackEvent[] {
    const out: StackEvent[] = [];
    for (let k = Math.max(s + 1, this.firstSeq); k < this.next; k++) {
      const e = this.read(k);
      if (e !== null) out.push(e);
    }
    return out;
  }

  forConnection(connId: number): StackEvent[] {
    const out: StackEvent[] = [];
    for (let k = this.firstSeq; k < this.next; k++) {
      if (this.conn[k % this.capacity] === connId) {
        const e = this.read(k);
        if (e !== null) out.push(e);
      }
    }
    return out;
  }

  subscribe(cb: (e: StackEvent) => void): () => void {
    this.subscribers.push(cb);
    return () => {
      const i = this.subscribers.indexOf(cb);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }
}
