// The stack: IPv4 in and out, ICMP echo and destination-unreachable, TCP demultiplexing by
// 4-tuple (numeric keys), listeners, ephemeral ports, the RSTs of RFC 9293 3.10.7.1 for
// segments that match no connection, sockets, knobs, counters, events and snapshots.
// It is the TcpSink of every TCB: effects of the state machine land here and are acted on
// at once (segments are encoded into packets, timers go into the timer queue, events into
// the ring). User-visible callbacks run after the packet batch (no re-entrancy).
import type { Link } from '../link/link.ts';
import { ListenQueue, acceptQueueFull, effectiveBacklog, pushAcceptQueue, takeAccepted } from '../listen/listener.ts';
import type { ListenLimits, SynDefence } from '../listen/listener.ts';
import type { SynRequest } from '../listen/request.ts';
import { userAbort, userClose, userShutdown } from '../tcp/close.ts';
import { defaultTcpConfig } from '../tcp/config.ts';
import type { TcpConfig } from '../tcp/config.ts';
import type { SocketErrorCode, TcpSink, TimerName } from '../tcp/effects.ts';
import { openActive, updateMss } from '../tcp/handshake.ts';
import { computeIsn } from '../tcp/isn.ts';
import { advMss, rcvWnd, unreadBytes } from '../tcp/receiver.ts';
import { output, unackedBytes } from '../tcp/sender.ts';
import { countsAsEstablished } from '../tcp/state.ts';
import type { TcpState } from '../tcp/state.ts';
import { sackedBytes } from '../tcp/sack.ts';
import { onSegment } from '../tcp/step.ts';
import {
  F_ACK_DEFERRED, F_ACK_NOW, F_ACK_PENDING, F_EOF_SIGNALED, F_FIN_RCVD, F_KEEPALIVE, F_NODELAY, F_ORPHAN, F_RECOVERY, F_SACK, F_TS, F_WSCALE,
  historyEntry, INFINITE_SSTHRESH, Tcb,
} from '../tcp/tcb.ts';
import { keepCnt, keepIdle, keepIntvl, onTimer, rearmKeepalive, setKeepalive } from '../tcp/timeouts.ts';
import { dueTimer, earliestDeadline, rtxTimerName, twoMslTimerName, timerValue } from '../tcp/timers.ts';
import { setNodelay, userDiscard, userReceive, userSend } from '../tcp/user.ts';
import { buildEchoReply, ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, parseIcmp } from '../wire/icmp.ts';
import { emitIpv4Header, formatAddress, IPPROTO_ICMP, IPPROTO_TCP, parseIpv4 } from '../wire/ipv4.ts';
import type { Ipv4Packet } from '../wire/ipv4.ts';
import { formatIcmp } from '../wire/pretty.ts';
import { seq, seqAdd, seqGe, seqGt, seqLe } from '../wire/seq.ts';
import { emitTcp, FIN, parseTcp, RST, SYN, tcpHeaderLength } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import { NO_OPTIONS } from '../wire/tcp-options.ts';
import type { Clock } from './clock.ts';
import { ConnTable } from './conn-table.ts';
import { C_InDelivers, C_InReceives, C_InSegs, C_OutRequests, C_OutSegs, Counters } from './counters.ts';
import { EventRing } from './events.ts';
import type { EventLog } from './events.ts';
import { applyKnobs, defaultKnobs, isnClockOf, KNOBS, validateKnob } from './knobs.ts';
import type { Knobs } from './knobs.ts';
import type { Random } from './random.ts';
import { HALF_OPEN_SHOWN, Passive } from './passive.ts';
import type { PassiveHost, PassiveOptions } from './passive.ts';
import type { ConnectionRow, HalfOpenView, HistoryEntry, ListenerRow, SocketInfo, StackSnapshot, TimerInfo } from './snapshot.ts';
import { Listener, Socket, StackError } from './socket.ts';
import type { ListenerHost, SocketHost, SocketOptions } from './socket.ts';
import { TimerQueue } from './timer-queue.ts';

export interface StackOptions {
  /** Our IPv4 address (u32). */
  address: number;
  clock: Clock;
  random: Random;
  /** Default 1500. */
  mtu?: number;
  knobs?: Partial<Knobs>;
  /** Where IPv4 packets go (each is a fresh buffer the callee may keep); or use attach(link). */
  output?: (packet: Uint8Array) => void;
  /** Capacity of the event ring (default 16384 events). */
  eventRingSize?: number;
  /** How many closed connections keep their state history (default 1024). */
  closedHistory?: number;
  /** SYN cookies: the keyed hash and the secrets (default HalfSipHash-2-4, secrets derived from the ISN secret). */
  cookies?: PassiveOptions;
}

const EMPTY = new Uint8Array(0);
const IP_HEADER = 20;

// Deferred notifications.
const N_READABLE = 0, N_DRAIN = 1, N_CONNECT = 2, N_CLOSE = 3, N_ERROR = 4;

interface ListenerEntry {
  queue: ListenQueue;
  api: Listener;
}

export class Stack implements TcpSink, SocketHost, ListenerHost {
  readonly address: number;
  readonly clock: Clock;
  readonly random: Random;
  readonly mtu: number;
  readonly counters = new Counters();
  readonly events: EventLog;
  private readonly ring: EventRing;
  private readonly knobs: Knobs;
  /** The shared configuration every TCB reads. */
  readonly cfg: TcpConfig;
  private readonly limits: ListenLimits = { somaxconn: 4096, maxSynBacklog: 1024, abortOnOverflow: false, syncookies: 1, mode: 'queue' };
  private readonly conns = new ConnTable(64);
  private readonly byId = new Map<number, Tcb>();
  private readonly listeners = new Map<number, ListenerEntry>();
  private readonly timers = new TimerQueue();
  private nextConnId = 1;
  private nextListenerId = 1;
  private readonly secret0: number;
  private readonly secret1: number;
  /** Half-open requests, SYN cookies, the SYN cache (core/stack/passive.ts). */
  private readonly passive: Passive;
  private ipId = 0;
  private outputFn: ((packet: Uint8Array) => void) | null;
  private link: Link | null = null;
  private readonly pool: Uint8Array[] = [];
  private poolUsed = 0;
  private depth = 0;
  private readonly nTcb: Tcb[] = [];
  private readonly nKind: number[] = [];
  private readonly nListeners: Listener[] = [];
  private curSegEvent = -1;
  private curTimer: TimerName | null = null;
  private readonly closedHistories = new Map<number, readonly number[]>();
  private readonly closedHistoryMax: number;

  constructor(opts: StackOptions) {
    this.address = opts.address >>> 0;
    this.clock = opts.clock;
    this.random = opts.random;
    this.mtu = opts.mtu ?? 1500;
    this.outputFn = opts.output ?? null;
    this.ring = new EventRing(opts.eventRingSize ?? 16384);
    this.events = this.ring;
    this.closedHistoryMax = opts.closedHistory ?? 1024;
    this.knobs = defaultKnobs();
    this.cfg = defaultTcpConfig({ mtu: this.mtu });
    for (const [k, v] of Object.entries(opts.knobs ?? {})) {
      if (v === undefined) continue;
      const err = validateKnob(k, v);
      if (err !== null) throw new StackError('EINVAL', err);
      this.knobs[k] = v;
    }
    this.secret0 = this.random.u32();
    this.secret1 = this.random.u32();
    this.passive = new Passive(this.passiveHost(), this.secret0, this.secret1, opts.cookies);
    this.applyKnobs();
  }

  private applyKnobs(): void {
    const k = this.knobs;
    applyKnobs(k, this.cfg);
    this.limits.somaxconn = k.somaxconn as number;
    this.limits.maxSynBacklog = k.tcp_max_syn_backlog as number;
    this.limits.abortOnOverflow = k.tcp_abort_on_overflow === 1;
    this.limits.syncookies = k.tcp_syncookies as number;
    this.limits.mode = k.syn_defence as SynDefence;
    this.passive.configure({
      hashSize: k.syncache_hashsize as number, bucketLimit: k.syncache_bucketlimit as number,
      cacheLimit: k.syncache_cachelimit as number, cookiePeriodMs: (k.syncookie_period_s as number) * 1000,
    });
  }

  /** What the passive-open code (passive.ts) may do with this stack. */
  private passiveHost(): PassiveHost {
    return {
      address: this.address, cfg: this.cfg, limits: this.limits, counters: this.counters, ring: this.ring, sink: this,
      segEvent: () => this.curSegEvent,
      nextConnId: () => this.nextConnId++,
      isn: (localPort, remoteAddr, remotePort, now) =>
        computeIsn(now, isnClockOf(this.knobs), this.secret0, this.secret1, this.address, localPort, remoteAddr, remotePort),
      randomU32: () => this.random.u32(),
      send: (remoteAddr, seg, conn, state, verdict) => this.sendSegment(this.address, remoteAddr, seg, conn, state, verdict),
      reset: (remoteAddr, seg, conn) => this.sendReset(this.address, remoteAddr, seg, conn),
      listenerBuffers: (q) => {
        const o = this.listeners.get(q.port)?.api.opts ?? {};
        return { rcvBuf: o.rcvbuf !== undefined ? Math.max(2048, Math.floor(o.rcvbuf)) : this.cfg.rcvbuf, userMss: o.mss !== undefined ? Math.max(88, Math.floor(o.mss)) : 0 };
      },
      child: (q, remoteAddr, remotePort, id) => this.childTcb(q, remoteAddr, remotePort, id),
      process: (tcb, seg, now) => {
        const verdict = onSegment(tcb, seg, now, this);
        if (tcb.state !== 'CLOSED') this.timers.update(tcb);
        return verdict;
      },
    };
  }

  // ---- knobs ---------------------------------------------------------------------------

  setKnob(name: string, value: number | string): { ok: true } | { ok: false; error: string } {
    const err = validateKnob(name, value);
    if (err !== null) return { ok: false, error: err };
    const next = { ...this.knobs, [name]: value };
    if ((next.ip_local_port_low as number) > (next.ip_local_port_high as number)) {
      return { ok: false, error: 'ip_local_port_low must be <= ip_local_port_high' };
    }
    this.knobs[name] = value;
    this.applyKnobs();
    return { ok: true };
  }

  getKnobs(): Knobs {
    return { ...this.knobs };
  }

  static readonly KNOBS = KNOBS;

  // ---- links and output ----------------------------------------------------------------

  attach(link: Link): void {
    this.link = link;
    link.onReceive((packets) => {
      this.enter();
      this.linkBatch = true;
      try {
        for (const p of packets) this.inputOne(p);
      } finally {
        this.linkBatch = false;
        this.leave();
      }
    });
  }

  // ---- GRO-like ACK coalescing ---------------------------------------------------------

  /** True while a batch of packets from the link is being processed. */
  private linkBatch = false;
  private readonly deferredAcks: Tcb[] = [];

  /** TcpSink: take over an in-order data ACK until the end of the link batch. */
  deferAck(tcb: Tcb): boolean {
    if (!this.linkBatch) return false;
    if ((tcb.flags & F_ACK_DEFERRED) === 0) {
      tcb.flags |= F_ACK_DEFERRED;
      this.deferredAcks.push(tcb);
    }
    return true;
  }

  /**
   * One ACK per connection for what the batch delivered, after the user had the data (so the
   * ACK carries the window the reads opened); nothing when a segment already carried it.
   */
  private sendDeferredAcks(): void {
    const list = this.deferredAcks;
    if (list.length === 0) return;
    const now = this.clock.now();
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      t.flags &= ~F_ACK_DEFERRED;
      if (t.state === 'CLOSED' || (t.flags & F_ACK_PENDING) === 0 || t.rcvNxt === t.lastAckSent) continue;
      t.flags |= F_ACK_NOW;
      output(t, now, this);
      this.timers.update(t);
    }
    list.length = 0;
  }

  private enter(): void {
    this.depth++;
  }

  private leave(): void {
    if (this.depth > 1) {
      this.depth--;
      return;
    }
    try {
      this.flushLink();
      this.flushNotifications();
      this.sendDeferredAcks();
    } finally {
      this.depth--;
      this.flushLink();
      if (this.afterBatch !== null) this.afterBatch();
    }
  }

  private afterBatch: (() => void) | null = null;

  /** Called after every batch of work (input, timers, user calls): a real-time Runtime re-arms here. */
  onAfterBatch(cb: (() => void) | null): void {
    this.afterBatch = cb;
  }

  private flushLink(): void {
    if (this.link !== null && this.poolUsed > 0) {
      this.link.flush();
      this.poolUsed = 0;
    }
  }

  private packetBuffer(size: number): Uint8Array {
    if (this.outputFn !== null || this.link === null) return new Uint8Array(size);
    if (this.poolUsed >= 256) {
      this.link.flush();
      this.poolUsed = 0;
    }
    let b = this.pool[this.poolUsed];
    if (b === undefined || b.length < size) {
      b = new Uint8Array(Math.max(size, this.mtu));
      this.pool[this.poolUsed] = b;
    }
    this.poolUsed++;
    return b.length === size ? b : b.subarray(0, size);
  }

  private emitPacket(p: Uint8Array): void {
    this.counters.inc(C_OutRequests);
    if (this.outputFn !== null) this.outputFn(p);
    if (this.link !== null) {
      this.link.write(p);
      if (this.depth === 0) this.flushLink();
    }
  }

  private sendSegment(src: number, dst: number, seg: TcpSegment, conn: number | null, state: TcpState | null, verdict: string): void {
    const tcpLen = tcpHeaderLength(seg) + seg.payload.length;
    const buf = this.packetBuffer(IP_HEADER + tcpLen);
    emitIpv4Header({ src, dst, protocol: IPPROTO_TCP, ttl: this.knobs.ip_default_ttl as number, id: this.ipId, dontFragment: true }, tcpLen, buf, 0);
    this.ipId = (this.ipId + 1) & 0xffff;
    emitTcp(seg, src, dst, buf, IP_HEADER);
    this.counters.inc(C_OutSegs);
    this.ring.segment(this.clock.now(), conn, 'out', src, dst, seg, verdict, state);
    this.emitPacket(buf);
  }

  // ---- TcpSink -------------------------------------------------------------------------

  send(tcb: Tcb, seg: TcpSegment): void {
    this.sendSegment(tcb.localAddr, tcb.remoteAddr, seg, tcb.id, tcb.state, 'sent');
  }

  timer(tcb: Tcb, timer: TimerName, action: 'set' | 'cancel' | 'fire', deadline: number): void {
    this.ring.timer(this.clock.now(), tcb.id, timer, action, deadline);
    if (action === 'set') this.timers.update(tcb);
  }

  state(tcb: Tcb, from: TcpState, to: TcpState, cause: string): void {
    const c = this.counters;
    this.ring.state(this.clock.now(), tcb.id, from, to, cause, this.curSegEvent, this.curTimer);
    if (from === 'CLOSED' && to === 'SYN-SENT') c.add('ActiveOpens');
    if (to === 'CLOSED') {
      if (from === 'SYN-SENT' || from === 'SYN-RECEIVED') c.add('AttemptFails');
      if (from === 'ESTABLISHED' || from === 'CLOSE-WAIT') c.add('EstabResets');
      if (from === 'TIME-WAIT' && cause === 'timer TIME-WAIT') c.add('TW');
    }
    if (countsAsEstablished(from) !== countsAsEstablished(to)) c.add('CurrEstab', countsAsEstablished(to) ? 1 : -1);
  }

  readable(tcb: Tcb): void {
    this.notify(tcb, N_READABLE);
  }

  writable(tcb: Tcb): void {
    this.notify(tcb, N_DRAIN);
  }

  connected(tcb: Tcb): void {
    this.notify(tcb, N_CONNECT);
  }

  enqueueAccept(tcb: Tcb): void {
    const entry = this.listenerOf(tcb);
    this.counters.add('PassiveOpens');
    if (entry === null) return;
    const q = entry.queue;
    pushAcceptQueue(q, tcb);
    this.ring.queue(this.clock.now(), q.id, q.port, 'accept', 'add', q.acceptLength, effectiveBacklog(q, this.limits) + 1, tcb.id);
    this.nListeners.push(entry.api);
  }

  error(tcb: Tcb, code: SocketErrorCode): void {
    this.ring.error(this.clock.now(), tcb.id, code);
    this.notify(tcb, N_ERROR);
  }

  release(tcb: Tcb): void {
    this.conns.remove(tcb);
    this.byId.delete(tcb.id);
    this.timers.forget(tcb);
    this.closedHistories.set(tcb.id, tcb.history);
    if (this.closedHistories.size > this.closedHistoryMax) {
      const oldest = this.closedHistories.keys().next().value as number;
      this.closedHistories.delete(oldest);
    }
    this.notify(tcb, N_CLOSE);
  }

  count(name: string, n: number): void {
    this.counters.add(name, n);
  }

  private listenerOf(tcb: Tcb): ListenerEntry | null {
    return (tcb.listener as ListenerEntry | null) ?? null;
  }

  // ---- notifications (after the batch) ------------------------------------------------

  private notify(tcb: Tcb, kind: number): void {
    if (tcb.socket === null) return;
    this.nTcb.push(tcb);
    this.nKind.push(kind);
  }

  private flushNotifications(): void {
    for (let guard = 0; guard < 1000 && (this.nTcb.length > 0 || this.nListeners.length > 0); guard++) {
      const tcbs = this.nTcb.splice(0);
      const kinds = this.nKind.splice(0);
      for (let i = 0; i < tcbs.length; i++) this.deliver(tcbs[i], kinds[i]);
      const ls = this.nListeners.splice(0);
      for (const l of ls) l.emitAcceptable();
    }
  }

  private deliver(tcb: Tcb, kind: number): void {
    const sock = tcb.socket as Socket | null;
    if (sock === null) return;
    switch (kind) {
      case N_READABLE:
        if (unreadBytes(tcb) > 0) sock.emit('readable');
        if ((tcb.flags & F_EOF_SIGNALED) === 0 && unreadBytes(tcb) === 0 && ((tcb.flags & F_FIN_RCVD) !== 0 || tcb.state === 'CLOSED')) {
          tcb.flags |= F_EOF_SIGNALED;
          sock.emit('end');
        }
        return;
      case N_DRAIN:
        sock.emit('drain');
        return;
      case N_CONNECT:
        sock.emit('connect');
        return;
      case N_CLOSE:
        sock.emit('close');
        return;
      case N_ERROR:
        if (tcb.error !== null) sock.emitError(tcb.error);
        return;
    }
  }

  // ---- input ---------------------------------------------------------------------------

  /** One IPv4 packet (its bytes are only read during the call). */
  input(packet: Uint8Array): void {
    this.enter();
    try {
      this.inputOne(packet);
    } finally {
      this.leave();
    }
  }

  private inputOne(packet: Uint8Array): void {
    const now = this.clock.now();
    this.counters.inc(C_InReceives);
    let r;
    try {
      r = parseIpv4(packet);
    } catch (e) {
      this.dropMalformed(now, 'ip-parse-exception', e);
      return;
    }
    if (!r.ok) {
      if (r.error === 'ip-fragment') {
        this.counters.add('ReasmReqds');
        this.counters.add('ReasmFails');
      } else this.counters.add('InHdrErrors');
      this.ring.drop(now, r.error, `${packet.length} bytes`);
      return;
    }
    const ip = r.value;
    if (ip.header.dst !== this.address) {
      this.counters.add('InAddrErrors');
      this.ring.drop(now, 'not our address', formatAddress(ip.header.dst));
      return;
    }
    try {
      switch (ip.header.protocol) {
        case IPPROTO_TCP:
          this.counters.inc(C_InDelivers);
          this.inputTcp(ip, now);
          return;
        case IPPROTO_ICMP:
          this.counters.inc(C_InDelivers);
          this.inputIcmp(ip, now);
          return;
        default:
          this.counters.add('InUnknownProtos');
          this.ring.drop(now, 'unknown protocol', String(ip.header.protocol));
      }
    } catch (e) {
      // Never let a packet throw out of the stack: count it, log it, carry on.
      this.dropMalformed(now, 'exception while processing', e);
    } finally {
      this.curSegEvent = -1;
    }
  }

  private dropMalformed(now: number, reason: string, e: unknown): void {
    this.counters.add('InErrs');
    this.ring.drop(now, reason, e instanceof Error ? e.message : String(e));
  }

  private inputTcp(ip: Ipv4Packet, now: number): void {
    const src = ip.header.src;
    const dst = ip.header.dst;
    this.counters.inc(C_InSegs);
    const r = parseTcp(ip.payload, src, dst);
    if (!r.ok) {
      this.counters.add('InErrs');
      if (r.error === 'tcp-bad-checksum') this.counters.add('InCsumErrors');
      this.ring.drop(now, r.error, `${formatAddress(src)} > ${formatAddress(dst)}, ${ip.payload.length} bytes`);
      return;
    }
    const seg = r.value;
    let tcb = this.conns.get(src, seg.srcPort, seg.dstPort);
    const ev = this.ring.segmentPending(now, tcb === null ? null : tcb.id, src, dst, seg);
    this.curSegEvent = ev;
    let recycled = false;
    if (tcb !== null && tcb.state === 'TIME-WAIT' && this.synReopensTimeWait(tcb, seg)) {
      // RFC 6191 / Linux: a new SYN beyond the old connection ends TIME-WAIT and goes to the listener.
      this.counters.add('TWRecycled');
      userAbort(tcb, now, this, 'rcv SYN in TIME-WAIT (new connection)');
      tcb = null;
      recycled = true;
    }
    if (tcb !== null) {
      const verdict = onSegment(tcb, seg, now, this);
      this.ring.finishSegment(ev, tcb.id, verdict, tcb.state);
      this.timers.update(tcb);
      return;
    }
    // A half-open request (Linux finds request socks in the established hash too).
    const req = this.passive.lookup(src, seg.srcPort, seg.dstPort);
    if (req !== null) {
      const a = this.passive.requestArrives(req, seg, src, now);
      this.ring.finishSegment(ev, a.conn, a.verdict, a.state);
      return;
    }
    const entry = this.listeners.get(seg.dstPort);
    if (entry !== undefined && !entry.queue.closed) {
      const a = this.listenArrives(entry, seg, src, now, recycled);
      this.ring.finishSegment(ev, a.conn, a.verdict, a.state);
      return;
    }
    this.ring.finishSegment(ev, null, this.closedArrives(seg, src, dst), null);
  }

  private synReopensTimeWait(tcb: Tcb, seg: TcpSegment): boolean {
    if ((seg.flags & (SYN | RST)) !== SYN || seg.ack !== null) return false;
    if (!this.listeners.has(tcb.localPort)) return false;
    const ts = seg.options.timestamps;
    if ((tcb.flags & F_TS) !== 0 && ts !== undefined) return ((ts.value - tcb.tsRecent) | 0) > 0;
    return seqGt(seg.seq, tcb.rcvNxt);
  }

  /** RFC 9293 3.10.7.2: SEGMENT ARRIVES in LISTEN. */
  private listenArrives(entry: ListenerEntry, seg: TcpSegment, src: number, now: number, recycled: boolean): { verdict: string; conn: number | null; state: TcpState | null } {
    const q = entry.queue;
    // First: an RST is ignored.
    if ((seg.flags & RST) !== 0) return { verdict: 'dropped: RST to LISTEN', conn: null, state: 'LISTEN' };
    // Second: any ACK is bad: <SEQ=SEG.ACK><CTL=RST>. Linux first checks an ACK without SYN
    // for a SYN cookie (cookie_v4_check).
    if (seg.ack !== null) {
      let why = 'ACK to LISTEN';
      if ((seg.flags & SYN) === 0) {
        const c = this.passive.cookieAck(q, seg, src, now);
        if ('done' in c) return c.done;
        if (c.failure !== null) why = c.failure;
      }
      this.sendReset(this.address, src, seg, null);
      return { verdict: `rst: ${why}`, conn: null, state: 'LISTEN' };
    }
    // Fourth: neither SYN nor RST: drop.
    if ((seg.flags & SYN) === 0) return { verdict: 'dropped: no SYN to LISTEN', conn: null, state: 'LISTEN' };
    // Third: SYN. The queues decide (Linux tcp_conn_request).
    return this.passive.synArrives(q, seg, src, now, recycled);
  }

  /** The TCB of a completed passive open (its request's id, the listener's socket options). */
  private childTcb(q: ListenQueue, remoteAddr: number, remotePort: number, id: number): Tcb {
    const entry = this.listeners.get(q.port) as ListenerEntry;
    const t = new Tcb(id, this.cfg, this.address, q.port, remoteAddr, remotePort);
    this.conns.add(t);
    this.byId.set(id, t);
    this.applySocketOptions(t, entry.api.opts, null);
    t.listener = entry;
    return t;
  }

  /** RFC 9293 3.10.7.1: no connection. An RST is dropped; anything else gets an RST. */
  private closedArrives(seg: TcpSegment, src: number, dst: number): string {
    if ((seg.flags & RST) !== 0) return 'dropped: RST for no connection';
    this.sendReset(dst, src, seg, null);
    return this.listeners.has(seg.dstPort) ? 'rst: no connection' : 'rst: port closed';
  }

  /**
   * RFC 9293 3.10.7.1: if the ACK bit is off, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>;
   * if it is on, <SEQ=SEG.ACK><CTL=RST>.
   */
  private sendReset(src: number, dst: number, seg: TcpSegment, conn: number | null): void {
    const len = seg.payload.length + ((seg.flags & SYN) !== 0 ? 1 : 0) + ((seg.flags & FIN) !== 0 ? 1 : 0);
    const rst: TcpSegment = seg.ack !== null
      ? { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: seg.ack, ack: null, flags: RST, window: 0, urgent: null, options: NO_OPTIONS, payload: EMPTY }
      : { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: seq(0), ack: seqAdd(seg.seq, len), flags: RST, window: 0, urgent: null, options: NO_OPTIONS, payload: EMPTY };
    this.counters.add('OutRsts');
    this.sendSegment(src, dst, rst, conn, null, 'sent');
  }

  private inputIcmp(ip: Ipv4Packet, now: number): void {
    this.counters.add('InMsgs');
    const r = parseIcmp(ip.payload);
    if (!r.ok) {
      this.counters.add('InErrors');
      this.ring.drop(now, r.error, formatAddress(ip.header.src));
      return;
    }
    const m = r.value;
    this.ring.icmp(now, 'in', `${formatAddress(ip.header.src)} > ${formatAddress(ip.header.dst)}: ${formatIcmp(m, ip.payload.length)}`, null);
    if (m.kind === 'echo-request') {
      this.counters.add('InEchos');
      const reply = buildEchoReply(ip, this.address);
      if (reply === null) return;
      this.counters.add('OutEchoReps');
      this.counters.add('OutMsgs');
      this.ring.icmp(now, 'out', `${formatAddress(this.address)} > ${formatAddress(ip.header.src)}: ICMP echo reply, id ${m.identifier}, seq ${m.sequence}, length ${ip.payload.length}`, null);
      const buf = this.packetBuffer(reply.length);
      buf.set(reply);
      this.emitPacket(buf);
      return;
    }
    if (m.kind === 'destination-unreachable') {
      this.counters.add('InDestUnreachs');
      if (m.quoted.protocol !== IPPROTO_TCP || m.tcp === null || m.quoted.src !== this.address) return;
      const tcb = this.conns.get(m.quoted.dst, m.tcp.dstPort, m.tcp.srcPort);
      if (tcb === null) return;
      this.icmpUnreachable(tcb, m.code, m.tcp.seq, now);
    }
  }

  /**
   * ICMP destination unreachable for one of our connections (RFC 9293 3.9 / RFC 1122 4.2.3.9,
   * RFC 5927 check: the quoted sequence number must be in flight). As Linux's tcp_v4_err:
   * during the handshake (SYN-SENT, or an active SYN-RECEIVED) the connection fails with the
   * mapped error; once established the error is only remembered as a soft error, reported
   * if the connection later times out. Fragmentation-needed is counted and ignored (no PMTUD).
   */
  private icmpUnreachable(tcb: Tcb, code: number, quotedSeq: number, now: number): void {
    if (!(seqGe(quotedSeq as never, tcb.sndUna) && seqLe(quotedSeq as never, tcb.sndMax))) return;
    if (code === ICMP_FRAG_NEEDED) return;
    const err: SocketErrorCode =
      code === ICMP_NET_UNREACH ? 'ENETUNREACH'
        : code === ICMP_HOST_UNREACH ? 'EHOSTUNREACH'
          : code === ICMP_PORT_UNREACH || code === ICMP_PROT_UNREACH ? 'ECONNREFUSED' : 'EHOSTUNREACH';
    this.enter();
    try {
      if (tcb.state === 'SYN-SENT' || (tcb.state === 'SYN-RECEIVED' && tcb.listener === null)) {
        userAbort(tcb, now, this, `rcv ICMP unreachable (${err})`);
        if (tcb.error === null) {
          tcb.error = err;
          this.error(tcb, err);
        }
      } else {
        tcb.softError = err;
      }
    } finally {
      this.leave();
    }
  }

  // ---- timers --------------------------------------------------------------------------

  nextDeadline(): number | null {
    const t = this.timers.peek();
    const r = this.passive.nextDeadline();
    if (t === null) return r;
    return r === null || t <= r ? t : r;
  }

  runTimers(): void {
    const now = this.clock.now();
    this.enter();
    try {
      for (let t = this.timers.popDue(now); t !== null; t = this.timers.popDue(now)) {
        for (let name = dueTimer(t, now); name !== null; name = dueTimer(t, now)) {
          this.curTimer = name;
          onTimer(t, name, now, this);
        }
        this.curTimer = null;
        if (t.state !== 'CLOSED') this.timers.update(t);
      }
      this.passive.runTimers(now);
    } finally {
      this.curTimer = null;
      this.leave();
    }
  }

  // ---- connections and listeners -------------------------------------------------------

  private newTcb(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): Tcb {
    const t = new Tcb(this.nextConnId++, this.cfg, localAddr, localPort, remoteAddr, remotePort);
    this.conns.add(t);
    this.byId.set(t.id, t);
    return t;
  }

  listen(port: number, backlog: number, opts: SocketOptions = {}): Listener {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StackError('EINVAL', `bad port ${port}`);
    const old = this.listeners.get(port);
    if (old !== undefined && !old.queue.closed) throw new StackError('EADDRINUSE', `port ${port} is already listening`);
    const q = new ListenQueue(this.nextListenerId++, port, Math.max(0, Math.floor(backlog)));
    const api = new Listener(this, q, { ...opts });
    this.listeners.set(port, { queue: q, api });
    return api;
  }

  connect(remoteAddr: number, remotePort: number, opts: SocketOptions & { localPort?: number } = {}): Socket {
    if (!Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) throw new StackError('EINVAL', `bad port ${remotePort}`);
    const localPort = opts.localPort ?? this.ephemeralPort(remoteAddr >>> 0, remotePort);
    if (this.conns.has(remoteAddr >>> 0, remotePort, localPort)) throw new StackError('EADDRINUSE', `${localPort} -> ${formatAddress(remoteAddr)}:${remotePort} exists`);
    const now = this.clock.now();
    const tcb = this.newTcb(this.address, localPort, remoteAddr >>> 0, remotePort);
    const sock = new Socket(this, tcb);
    tcb.socket = sock;
    this.applySocketOptions(tcb, opts, sock);
    const iss = computeIsn(now, isnClockOf(this.knobs), this.secret0, this.secret1, tcb.localAddr, tcb.localPort, tcb.remoteAddr, tcb.remotePort);
    this.enter();
    try {
      openActive(tcb, iss, this.random.u32(), now, this);
      this.timers.update(tcb);
    } finally {
      this.leave();
    }
    return sock;
  }

  private ephemeralPort(remoteAddr: number, remotePort: number): number {
    const low = this.knobs.ip_local_port_low as number;
    const high = this.knobs.ip_local_port_high as number;
    const n = high - low + 1;
    const start = this.random.u32() % n;
    for (let i = 0; i < n; i++) {
      const p = (low + ((start + i) % n)) | 0;
      if (!this.listeners.has(p) && !this.conns.has(remoteAddr, remotePort, p)) return p;
    }
    throw new StackError('EADDRNOTAVAIL', 'no free ephemeral port');
  }

  connection(id: number): Socket | undefined {
    const t = this.byId.get(id);
    if (t === undefined) return undefined;
    if (t.socket === null) t.socket = new Socket(this, t);
    return t.socket as Socket;
  }

  /** The compact state history of a live or recently closed connection. */
  history(id: number): HistoryEntry[] {
    const h = this.byId.get(id)?.history ?? this.closedHistories.get(id);
    if (h === undefined) return this.requestHistory(id);
    const out: HistoryEntry[] = [];
    for (const e of h) out.push(historyEntry(e));
    return out;
  }

  /** A live half-open request's history: it entered SYN-RECEIVED with its SYN. */
  private requestHistory(id: number): HistoryEntry[] {
    for (const { queue: q } of this.listeners.values()) {
      for (let r = q.synHead; r !== null; r = r.next) if (r.id === id) return [{ at: Math.floor(r.createdAt), state: 'SYN-RECEIVED', cause: 'rcv SYN' }];
    }
    return [];
  }

  private applySocketOptions(t: Tcb, o: SocketOptions, sock: Socket | null): void {
    const now = this.clock.now();
    if (o.rcvbuf !== undefined) t.rcvBuf = Math.max(2048, Math.floor(o.rcvbuf));
    if (o.sndbuf !== undefined) t.sndBuf = Math.max(2048, Math.floor(o.sndbuf));
    if (o.mss !== undefined) {
      t.userMss = Math.max(88, Math.floor(o.mss));
      if (t.state !== 'CLOSED') updateMss(t);
    }
    if (o.keepIntvl !== undefined) t.keepIntvlMs = o.keepIntvl * 1000;
    if (o.keepCnt !== undefined) t.keepCnt = o.keepCnt;
    if (o.nodelay !== undefined) setNodelay(t, o.nodelay, now, this);
    if (o.keepalive !== undefined) setKeepalive(t, o.keepalive, now, this);
    if (o.keepIdle !== undefined) {
      t.keepIdleMs = o.keepIdle * 1000;
      rearmKeepalive(t, now, this);
    }
    if (o.linger !== undefined && sock !== null) sock.linger = o.linger.onoff ? o.linger.seconds : -1;
    this.timers.update(t);
  }

  // ---- SocketHost ----------------------------------------------------------------------

  sockWrite(t: Tcb, data: Uint8Array): number {
    this.enter();
    try {
      const r = userSend(t, data, this.clock.now(), this);
      this.timers.update(t);
      if (typeof r === 'string') throw new StackError(r);
      return r;
    } finally {
      this.leave();
    }
  }

  sockRead(t: Tcb, max: number): Uint8Array | null {
    this.enter();
    try {
      const r = userReceive(t, max, this.clock.now(), this);
      if (r === null && t.state === 'CLOSED') return EMPTY;
      if (r !== null && r.length > 0 && (t.flags & F_FIN_RCVD) !== 0 && unreadBytes(t) === 0) this.notify(t, N_READABLE);
      this.timers.update(t);
      return r;
    } finally {
      this.leave();
    }
  }

  sockDiscard(t: Tcb, max: number): number {
    this.enter();
    try {
      const n = userDiscard(t, max, this.clock.now(), this);
      if (n > 0 && (t.flags & F_FIN_RCVD) !== 0 && unreadBytes(t) === 0) this.notify(t, N_READABLE);
      this.timers.update(t);
      return n;
    } finally {
      this.leave();
    }
  }

  sockShutdown(t: Tcb): void {
    this.userCall(t, 'shutdown');
  }

  sockClose(t: Tcb, sock: Socket): void {
    if (sock.linger === 0 && t.state !== 'CLOSED') {
      // SO_LINGER with a zero timeout: close() resets the connection (Linux TCPAbortOnData).
      this.counters.add('TCPAbortOnData');
      this.userCall(t, 'abort');
      return;
    }
    this.userCall(t, 'close');
  }

  sockAbort(t: Tcb): void {
    this.userCall(t, 'abort');
  }

  private userCall(t: Tcb, op: 'shutdown' | 'close' | 'abort'): void {
    if (t.state === 'CLOSED') return;
    this.enter();
    try {
      const now = this.clock.now();
      if (op === 'shutdown') userShutdown(t, now, this);
      else if (op === 'close') userClose(t, now, this);
      else userAbort(t, now, this);
      if ((t.state as TcpState) !== 'CLOSED') this.timers.update(t);
    } finally {
      this.leave();
    }
  }

  sockSetOption(t: Tcb, sock: Socket, opts: SocketOptions): void {
    this.enter();
    try {
      this.applySocketOptions(t, opts, sock);
    } finally {
      this.leave();
    }
  }

  sockReadable(t: Tcb): number {
    return unreadBytes(t);
  }

  sockWritable(t: Tcb): number {
    return unackedBytes(t);
  }

  sockInfo(t: Tcb): SocketInfo {
    return this.info(t);
  }

  // ---- ListenerHost --------------------------------------------------------------------

  listenerAccept(l: Listener): Socket | null {
    const t = takeAccepted(l.queue);
    if (t === null) return null;
    const q = l.queue;
    this.ring.queue(this.clock.now(), q.id, q.port, 'accept', 'remove', q.acceptLength, effectiveBacklog(q, this.limits) + 1, t.id);
    // connection(id) may already have made the Socket (a UI looked at it before accept()).
    const sock = (t.socket as Socket | null) ?? new Socket(this, t);
    t.socket = sock;
    t.listener = null;
    return sock;
  }

  listenerSetBacklog(l: Listener, backlog: number): void {
    l.queue.requestedBacklog = Math.max(0, Math.floor(backlog));
  }

  /**
   * Closing a listener resets the connections still in its accept queue (Linux
   * inet_csk_listen_stop) and the half-open ones in its SYN queue (Linux lets those expire
   * and answers their ACK with an RST; the lab resets them at once).
   */
  listenerClose(l: Listener): void {
    const q = l.queue;
    if (q.closed) return;
    q.closed = true;
    this.enter();
    try {
      const now = this.clock.now();
      for (let t = takeAccepted(q); t !== null; t = takeAccepted(q)) {
        t.listener = null;
        userAbort(t, now, this, 'listener closed');
      }
      this.passive.listenerClosed(q, now);
      if (this.listeners.get(q.port)?.queue === q) this.listeners.delete(q.port);
    } finally {
      this.leave();
    }
  }

  // ---- views ---------------------------------------------------------------------------

  private timersOf(t: Tcb, now: number): TimerInfo[] {
    const out: TimerInfo[] = [];
    const add = (name: TimerName): void => {
      const d = timerValue(t, name);
      if (d !== 0) out.push({ name, deadline: d, expiresIn: Math.max(0, d - now) });
    };
    add(rtxTimerName(t));
    add('persist');
    add('delack');
    add('keepalive');
    add(twoMslTimerName(t));
    out.sort((a, b) => a.deadline - b.deadline);
    return out;
  }

  info(t: Tcb): SocketInfo {
    const now = this.clock.now();
    const mss = t.mss;
    const flight = (t.sndMax - t.sndUna) >>> 0;
    return {
      id: t.id, state: t.state, rto: t.rto * 2 ** t.backoff > t.cfg.rtoMaxMs ? t.cfg.rtoMaxMs : t.rto * 2 ** t.backoff,
      srtt: t.srtt, rttvar: t.rttvar, cwnd: t.cwnd, cwndSegments: Math.floor(t.cwnd / mss),
      ssthresh: t.ssthresh, ssthreshSegments: t.ssthresh >= INFINITE_SSTHRESH ? INFINITE_SSTHRESH : Math.floor(t.ssthresh / mss),
      mss, advMss: advMss(t), rcvMss: t.rcvMss, peerMss: t.peerMss, sndWscale: t.sndWscale, rcvWscale: t.rcvWscale,
      timestamps: (t.flags & F_TS) !== 0, sack: (t.flags & F_SACK) !== 0, wscaleOk: (t.flags & F_WSCALE) !== 0,
      nodelay: (t.flags & F_NODELAY) !== 0, keepalive: (t.flags & F_KEEPALIVE) !== 0,
      iss: t.iss, irs: t.irs, sndUna: t.sndUna, sndNxt: t.sndNxt, sndMax: t.sndMax, sndWnd: t.sndWnd,
      rcvNxt: t.rcvNxt, rcvWnd: rcvWnd(t), unacked: flight === 0 ? 0 : Math.ceil(flight / mss),
      retransmits: t.retransmits, backoff: t.backoff, totalRetrans: t.totalRetrans, probes: t.probes,
      recvQ: unreadBytes(t), sendQ: unackedBytes(t), outOfOrder: t.ooo === null ? 0 : t.ooo.bytes, sacked: sackedBytes(t),
      urgentPointer: t.rcvUp < 0 ? null : t.rcvUp, inRecovery: (t.flags & F_RECOVERY) !== 0, dupAcks: t.dupAcks,
      timers: this.timersOf(t, now), error: t.error, softError: t.softError,
    };
  }

  private row(t: Tcb, now: number): ConnectionRow {
    const timers = this.timersOf(t, now);
    return {
      id: t.id, local: `${formatAddress(t.localAddr)}:${t.localPort}`, remote: `${formatAddress(t.remoteAddr)}:${t.remotePort}`,
      state: t.state, recvQ: unreadBytes(t), sendQ: unackedBytes(t), timer: timers.length > 0 ? timers[0] : null,
      rto: Math.min(t.cfg.rtoMaxMs, t.rto * 2 ** t.backoff), rtt: t.srtt, rttvar: t.rttvar,
      cwnd: Math.floor(t.cwnd / t.mss), cwndBytes: t.cwnd,
      ssthresh: t.ssthresh >= INFINITE_SSTHRESH ? null : Math.floor(t.ssthresh / t.mss), mss: t.mss,
      sndWscale: t.sndWscale, rcvWscale: t.rcvWscale, sndUna: t.sndUna, sndNxt: t.sndNxt, sndWnd: t.sndWnd,
      rcvNxt: t.rcvNxt, rcvWnd: rcvWnd(t), iss: t.iss, irs: t.irs, retransmits: t.retransmits,
      listener: this.listenerOf(t)?.queue.id ?? null, orphan: (t.flags & F_ORPHAN) !== 0,
      stateSince: t.history.length > 0 ? historyEntry(t.history[t.history.length - 1]).at : 0,
      sndBuf: t.sndBuf, rcvBuf: t.rcvBuf, urgentPointer: t.rcvUp < 0 ? null : t.rcvUp,
    };
  }

  /** A half-open request as an ss row (Linux ss shows request socks as SYN-RECV). */
  private requestRow(r: SynRequest, q: ListenQueue, now: number): ConnectionRow {
    const timer: TimerInfo | null = r.deadline !== 0 ? { name: 'syn-ack', deadline: r.deadline, expiresIn: Math.max(0, r.deadline - now) } : null;
    const sndNxt = seqAdd(r.iss, 1);
    const mss = Math.min(r.peerMss, this.mtu - 40);
    return {
      id: r.id, local: `${formatAddress(r.localAddr)}:${r.localPort}`, remote: `${formatAddress(r.remoteAddr)}:${r.remotePort}`,
      state: 'SYN-RECEIVED', recvQ: 0, sendQ: 0, timer, rto: Math.min(this.cfg.rtoMaxMs, this.cfg.rtoInitialMs * 2 ** r.numTimeout),
      rtt: 0, rttvar: 0, cwnd: 0, cwndBytes: 0, ssthresh: null, mss, sndWscale: r.sndWscale, rcvWscale: r.rcvWscale,
      sndUna: r.iss, sndNxt, sndWnd: r.synWindow, rcvNxt: r.rcvNxt, rcvWnd: r.rcvWnd, iss: r.iss, irs: r.irs,
      retransmits: r.numRetrans, listener: q.id, orphan: false, stateSince: Math.floor(r.createdAt),
      sndBuf: this.cfg.sndbuf, rcvBuf: this.cfg.rcvbuf, urgentPointer: null,
    };
  }

  private halfOpen(q: ListenQueue, now: number): HalfOpenView[] {
    return q.oldestRequests(HALF_OPEN_SHOWN).map((r) => ({
      remote: `${formatAddress(r.remoteAddr)}:${r.remotePort}`, age: now - r.createdAt, synAckRetries: r.numRetrans,
      nextRetryIn: r.deadline !== 0 ? Math.max(0, r.deadline - now) : null,
    }));
  }

  snapshot(): StackSnapshot {
    const now = this.clock.now();
    const connections: ConnectionRow[] = [];
    for (const t of this.byId.values()) connections.push(this.row(t, now));
    const listeners: ListenerRow[] = [];
    for (const { queue: q } of this.listeners.values()) {
      for (let r = q.synHead; r !== null; r = r.next) connections.push(this.requestRow(r, q, now));
      if (q.closed) continue;
      const backlog = effectiveBacklog(q, this.limits);
      listeners.push({
        id: q.id, local: `${formatAddress(this.address)}:${q.port}`, state: 'LISTEN', acceptQueue: q.acceptLength,
        acceptQueueLimit: backlog + 1, synQueue: q.synLength, synQueueLimit: this.passive.synLimit(q),
        backlog: q.requestedBacklog, drops: { syn: q.dropsSyn, accept: q.dropsAccept },
        cookies: { sent: q.cookiesSent, recv: q.cookiesRecv, failed: q.cookiesFailed }, halfOpen: this.halfOpen(q, now),
      });
    }
    return { at: now, address: formatAddress(this.address), connections, listeners, counters: this.counters.all(), knobs: this.getKnobs() };
  }

  /** Half-open requests in all SYN queues and the SYN cache. */
  get halfOpenCount(): number {
    return this.passive.live;
  }

  /** Number of live connections (all states but CLOSED). */
  get connectionCount(): number {
    return this.byId.size;
  }

  /** keepalive parameters in force for a socket (per-socket option or knob), seconds. */
  keepaliveOf(sock: Socket): { idle: number; intvl: number; cnt: number } {
    const t = sock.tcb;
    return { idle: keepIdle(t) / 1000, intvl: keepIntvl(t) / 1000, cnt: keepCnt(t) };
  }

  /** For tests and tools: the earliest deadline of one connection (0: none). */
  deadlineOf(sock: Socket): number {
    return earliestDeadline(sock.tcb);
  }

  /** @internal accept-queue state of a listener, for tools. */
  acceptQueueFull(l: Listener): boolean {
    return acceptQueueFull(l.queue, this.limits);
  }
}

export { StackError, Socket, Listener };
export type { SocketOptions };
