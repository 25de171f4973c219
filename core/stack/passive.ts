// Passive opens: what a listener does with a SYN, with the segments that reach its half-open
// requests, with an ACK that may carry a SYN cookie, and when a SYN-ACK timer fires. Linux's
// functions, in order: tcp_conn_request (a SYN), tcp_check_req + tcp_v4_syn_recv_sock (a segment
// for a request), cookie_v4_check (an ACK to the listener), reqsk_timer_handler (the SYN-ACK
// timer). The rules live in core/listen (listener.ts, request.ts, syn-cookies.ts, syn-cache.ts);
// this file counts, sends, records the events that name the rule, and makes the TCB (core/tcp)
// when a handshake completes.
import {
  acceptQueueFull, addRequest, admitEstablished, admitSyn, effectiveBacklog, recentOverflow, removeRequest, requestAged, synQueueLimit,
} from '../listen/listener.ts';
import type { ListenLimits, ListenQueue, SynAdmit } from '../listen/listener.ts';
import {
  R_ACKED, R_COOKIE, R_SACK, R_TS, R_WSCALE, requestAckSegment, requestInWindow, requestTimeout, SynRequest, synAckRetryLimit, synAckSegment,
} from '../listen/request.ts';
import { RequestTimers } from '../listen/request-timers.ts';
import { SynCache } from '../listen/syn-cache.ts';
import type { EvictReason } from '../listen/syn-cache.ts';
import { CookieCodec, cookieTimestamp, decodeCookieTimestamp, halfSipCookieHash, MAX_SYNCOOKIE_AGE, mssIndexFor, MSS_TABLE } from '../listen/syn-cookies.ts';
import type { CookieHash, CookieTsOptions } from '../listen/syn-cookies.ts';
import type { TcpConfig } from '../tcp/config.ts';
import type { TcpSink } from '../tcp/effects.ts';
import { openPassiveChild } from '../tcp/handshake.ts';
import type { TcpState } from '../tcp/state.ts';
import type { Tcb } from '../tcp/tcb.ts';
import { deadlineAfter } from '../tcp/timers.ts';
import { seq, seqAdd, seqLe } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';
import { FIN, RST, SYN } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import { ConnTable } from './conn-table.ts';
import type { Counters } from './counters.ts';
import type { EventRing, QueueName, QueueOp } from './events.ts';

/** What the passive-open code needs from its stack. */
export interface PassiveHost {
  readonly address: number;
  readonly cfg: TcpConfig;
  readonly limits: ListenLimits;
  readonly counters: Counters;
  readonly ring: EventRing;
  readonly sink: TcpSink;
  /** The arriving segment's event (-1 outside input). */
  segEvent(): number;
  nextConnId(): number;
  isn(localPort: number, remoteAddr: number, remotePort: number, now: number): Seq;
  randomU32(): number;
  /** Sends a segment from our address. */
  send(remoteAddr: number, seg: TcpSegment, conn: number | null, state: TcpState | null, verdict: string): void;
  /** The RST of RFC 9293 3.10.7.1 answering `seg`. */
  reset(remoteAddr: number, seg: TcpSegment, conn: number | null): void;
  /** The listener's SO_RCVBUF (or the default) and TCP_MAXSEG (0: none). */
  listenerBuffers(q: ListenQueue): { rcvBuf: number; userMss: number };
  /** A new TCB on the listener (demultiplexed, the listener's socket options applied). */
  child(q: ListenQueue, remoteAddr: number, remotePort: number, id: number): Tcb;
  /** Processes a segment on a TCB (the state machine), returns its verdict. */
  process(tcb: Tcb, seg: TcpSegment, now: number): string;
}

export interface PassiveOptions {
  /** The keyed hash of SYN cookies (default HalfSipHash-2-4; Linux SipHash). */
  cookieHash?: CookieHash;
  /** Four u32: the two cookie keys (default: derived from the ISN secret). */
  cookieSecrets?: readonly [number, number, number, number];
}

export interface Arrival {
  verdict: string;
  conn: number | null;
  state: TcpState | null;
}

/** How many half-open requests a listener row shows. */
export const HALF_OPEN_SHOWN = 32;

const arrival = (verdict: string, conn: number | null, state: TcpState | null): Arrival => ({ verdict, conn, state });

export class Passive {
  /** Requests of the SYN queues, by 4-tuple (Linux keeps them in the established hash). */
  private readonly table = new ConnTable<SynRequest>(64);
  readonly cache: SynCache;
  private readonly timers = new RequestTimers();
  readonly codec: CookieCodec;
  private readonly hash: CookieHash;
  private readonly tsKey: readonly [number, number];
  /** Live requests (SYN queues and SYN cache). */
  live = 0;

  constructor(private readonly host: PassiveHost, secret0: number, secret1: number, opts: PassiveOptions = {}) {
    this.hash = opts.cookieHash ?? halfSipCookieHash;
    // Secrets derived from the ISN secret unless given (no extra random draws).
    const derive = (i: number): number => halfSipCookieHash(secret0, secret1, 0x636f6f6b, 0x69657321, i, 0);
    const s = opts.cookieSecrets ?? [derive(1), derive(2), derive(3), derive(4)];
    this.codec = new CookieCodec(this.hash, [s[0], s[1], s[2], s[3]]);
    this.tsKey = [derive(5), derive(6)];
    const bucketKey = [derive(7), derive(8)] as const;
    this.cache = new SynCache(
      (remoteAddr, remotePort, localPort) => halfSipCookieHash(bucketKey[0], bucketKey[1], remoteAddr, remotePort, localPort, 0),
      { hashSize: 512, bucketLimit: 30, cacheLimit: 15360 },
    );
  }

  /** Knob changes: SYN cache limits and the cookie clock. */
  configure(k: { hashSize: number; bucketLimit: number; cacheLimit: number; cookiePeriodMs: number }): void {
    this.cache.configure({ hashSize: k.hashSize, bucketLimit: k.bucketLimit, cacheLimit: k.cacheLimit });
    this.codec.periodMs = k.cookiePeriodMs;
  }

  /** The request for a 4-tuple, if any. */
  lookup(remoteAddr: number, remotePort: number, localPort: number): SynRequest | null {
    if (this.live === 0) return null;
    const r = this.table.size > 0 ? this.table.get(remoteAddr, remotePort, localPort) : null;
    if (r !== null) return r;
    return this.cache.count > 0 ? this.cache.get(remoteAddr, remotePort, localPort) : null;
  }

  // ---- limits and events ------------------------------------------------------------------

  /** How many half-open requests fit before SYNs get cookies or are refused (the SYN cache: its limit). */
  synLimit(q: ListenQueue): number {
    const l = this.host.limits;
    return l.mode === 'cache' ? this.cache.limits.cacheLimit : synQueueLimit(q, l);
  }

  private queueEvent(now: number, q: ListenQueue, queue: QueueName, op: QueueOp, conn: number | null, detail: string | null, withSegment = true): void {
    const len = queue === 'syn' ? q.synLength : q.acceptLength;
    const limit = queue === 'syn' ? this.synLimit(q) : effectiveBacklog(q, this.host.limits) + 1;
    this.host.ring.queue(now, q.id, q.port, queue, op, len, limit, conn, detail, withSegment ? this.host.segEvent() : -1);
  }

  private count(name: string): void {
    this.host.counters.add(name);
  }

  // ---- a SYN to a listener (tcp_conn_request) ---------------------------------------------

  /** `recycled`: the SYN ended a TIME-WAIT connection (it skips the SYN queue checks, as Linux's tcp_tw_isn). */
  synArrives(q: ListenQueue, seg: TcpSegment, src: number, now: number, recycled: boolean): Arrival {
    const limits = this.host.limits;
    const admit = admitSyn(q, limits, recycled);
    switch (admit) {
      case 'request':
        return limits.mode === 'cache' ? this.cacheRequest(q, seg, src, now) : this.queueRequest(q, seg, src, now);
      case 'cookie: SYN queue full':
      case 'cookie: tcp_syncookies=2':
        // Linux tcp_syn_flood_action counts TCPReqQFullDoCookies for both.
        this.count('TCPReqQFullDoCookies');
        return this.sendCookie(q, seg, src, now, this.cookieReason(q, admit));
      case 'drop: SYN queue full':
      case 'drop: accept queue full':
      case 'drop: tcp_max_syn_backlog':
        return this.refuseSyn(q, admit, now);
      default: {
        const never: never = admit;
        return never;
      }
    }
  }

  private cookieReason(q: ListenQueue, admit: SynAdmit): string {
    if (admit === 'cookie: tcp_syncookies=2') return 'tcp_syncookies=2';
    return `SYN queue full (${q.synLength}/${effectiveBacklog(q, this.host.limits)}), tcp_syncookies=1`;
  }

  /** A SYN refused: counted and reported with the rule that fired (Linux tcp_listendrop). */
  private refuseSyn(q: ListenQueue, admit: Exclude<SynAdmit, 'request' | `cookie: ${string}`>, now: number): Arrival {
    const l = this.host.limits;
    const backlog = effectiveBacklog(q, l);
    this.count('ListenDrops');
    switch (admit) {
      case 'drop: SYN queue full':
        this.count('TCPReqQFullDrop');
        q.dropsSyn++;
        this.queueEvent(now, q, 'syn', 'drop', null, `SYN dropped: SYN queue full (${q.synLength}/${backlog}), tcp_syncookies=0`);
        return arrival('dropped: SYN queue full (tcp_syncookies=0)', null, 'LISTEN');
      case 'drop: accept queue full':
        this.count('ListenOverflows');
        q.dropsAccept++;
        this.queueEvent(now, q, 'accept', 'drop', null, `SYN dropped: accept queue full (${q.acceptLength}/${backlog + 1})`);
        return arrival('dropped: accept queue full', null, 'LISTEN');
      case 'drop: tcp_max_syn_backlog':
        q.dropsSyn++;
        this.queueEvent(now, q, 'syn', 'drop', null,
          `SYN dropped: less than a quarter of tcp_max_syn_backlog left (${q.synLength} of ${l.maxSynBacklog} used), tcp_syncookies=0`);
        return arrival('dropped: tcp_max_syn_backlog 3/4 used (tcp_syncookies=0)', null, 'LISTEN');
      default: {
        const never: never = admit;
        return never;
      }
    }
  }

  /** The listener's MSS, window and options for a new request (or cookie). */
  private newRequest(q: ListenQueue, seg: TcpSegment, src: number, now: number, iss: Seq, tsOffset: number): SynRequest {
    const h = this.host;
    const cfg = h.cfg;
    const { rcvBuf, userMss } = h.listenerBuffers(q);
    const adv = cfg.mtu - 40;
    return new SynRequest({
      id: h.nextConnId(), localAddr: h.address, localPort: seg.dstPort, remoteAddr: src, remotePort: seg.srcPort, iss, tsOffset,
      ourMss: userMss > 0 ? Math.min(adv, userMss) : adv, rcvWnd: Math.min(cfg.synWindow, 65535, rcvBuf), rcvWscale: cfg.wscale,
      timestamps: cfg.timestamps, sack: cfg.sack, windowScaling: cfg.windowScaling,
    }, seg, now);
  }

  /** A request in the listener's SYN queue (Linux inet_csk_reqsk_queue_hash_add). */
  private queueRequest(q: ListenQueue, seg: TcpSegment, src: number, now: number): Arrival {
    const iss = this.host.isn(seg.dstPort, src, seg.srcPort, now);
    const r = this.newRequest(q, seg, src, now, iss, this.host.randomU32());
    this.table.add(r);
    return this.started(q, r, now);
  }

  /**
   * A request in the SYN cache (syn_defence=cache): room is made by evicting the oldest of its
   * bucket. With tcp_syncookies on, its ISN is a cookie (FreeBSD's syncache does the same), so
   * an evicted request still completes when its ACK comes.
   */
  private cacheRequest(q: ListenQueue, seg: TcpSegment, src: number, now: number): Arrival {
    const room = this.cache.makeRoom(src, seg.srcPort, seg.dstPort);
    for (const e of room.evict) this.evict(e.request, e.reason, now);
    if (!room.room) {
      // Its bucket is empty but the cache is full: FreeBSD answers with a cookie or drops.
      const why = `SYN cache full (${this.cache.count}/${this.cache.limits.cacheLimit})`;
      if (this.host.limits.syncookies !== 0) {
        this.count('TCPReqQFullDoCookies');
        return this.sendCookie(q, seg, src, now, `${why}, tcp_syncookies=1`);
      }
      this.count('TCPReqQFullDrop');
      this.count('ListenDrops');
      q.dropsSyn++;
      this.queueEvent(now, q, 'syn', 'drop', null, `SYN dropped: ${why}, tcp_syncookies=0`);
      return arrival('dropped: SYN cache full (tcp_syncookies=0)', null, 'LISTEN');
    }
    const cfg = this.host.cfg;
    const o = seg.options;
    const ts = cfg.timestamps && o.timestamps !== undefined;
    // A cookie can carry window scaling and SACK only in a timestamp (cookie_init_timestamp).
    const cookieOk = this.host.limits.syncookies !== 0 && (ts || ((!cfg.windowScaling || o.wscale === undefined) && (!cfg.sack || o.sackPermitted !== true)));
    let r: SynRequest;
    if (cookieOk) {
      const mss = this.clientMss(q, seg);
      const iss = seq(this.codec.encode(src, this.host.address, seg.srcPort, seg.dstPort, seg.seq, mssIndexFor(mss), now));
      r = this.newRequest(q, seg, src, now, iss, this.cookieTsOffset(src));
      r.flags |= R_COOKIE;
      if ((r.flags & R_TS) !== 0) r.tsVal = cookieTimestamp(Math.floor(now), this.tsOptionsOf(r));
    } else {
      r = this.newRequest(q, seg, src, now, this.host.isn(seg.dstPort, src, seg.srcPort, now), this.host.randomU32());
    }
    this.cache.insert(r);
    this.count('SyncacheAdded');
    return this.started(q, r, now);
  }

  private tsOptionsOf(r: SynRequest): CookieTsOptions {
    return { wscale: (r.flags & R_WSCALE) !== 0 ? r.sndWscale : null, sack: (r.flags & R_SACK) !== 0 };
  }

  /** A new request joins its listener's SYN queue list: SYN-RECEIVED, the SYN-ACK, its timer. */
  private started(q: ListenQueue, r: SynRequest, now: number): Arrival {
    const h = this.host;
    addRequest(q, r);
    this.live++;
    this.queueEvent(now, q, 'syn', 'add', r.id, null, false);
    h.ring.state(now, r.id, 'CLOSED', 'SYN-RECEIVED', 'rcv SYN', h.segEvent(), null);
    h.send(r.remoteAddr, synAckSegment(r, now), r.id, 'SYN-RECEIVED', 'sent');
    r.synAckAt = now;
    this.arm(r, now, requestTimeout(0, h.cfg.rtoInitialMs, h.cfg.rtoMaxMs));
    return arrival('accepted: SYN-RECEIVED', r.id, 'SYN-RECEIVED');
  }

  private arm(r: SynRequest, now: number, delayMs: number): void {
    r.deadline = deadlineAfter(now, delayMs);
    this.timers.schedule(r);
    this.host.ring.timer(now, r.id, 'syn-ack', 'set', r.deadline);
  }

  /** The MSS the client may send, as tcp_parse_options clamps it (536 without the option, TCP_MAXSEG). */
  private clientMss(q: ListenQueue, seg: TcpSegment): number {
    let mss = seg.options.mss !== undefined && seg.options.mss > 0 ? seg.options.mss : 536;
    const user = this.host.listenerBuffers(q).userMss;
    if (user > 0 && user < mss) mss = user;
    return mss;
  }

  /** Our TS offset towards a host, for cookie connections (Linux secure_tcp_ts_off: a keyed hash of the addresses). */
  private cookieTsOffset(remoteAddr: number): number {
    return this.hash(this.tsKey[0], this.tsKey[1], this.host.address, remoteAddr, 0, 0) | 0;
  }

  /**
   * A SYN cookie SYN-ACK and no state (Linux cookie_v4_init_sequence): the ISN encodes the
   * MSS index and the time; without timestamps the SYN-ACK offers no window scaling and no SACK
   * (tcp_clear_options), with them the TSval carries both (cookie_init_timestamp).
   */
  private sendCookie(q: ListenQueue, seg: TcpSegment, src: number, now: number, why: string): Arrival {
    const h = this.host;
    const cfg = h.cfg;
    const mss = this.clientMss(q, seg);
    const index = mssIndexFor(mss);
    const iss = seq(this.codec.encode(src, h.address, seg.srcPort, seg.dstPort, seg.seq, index, now));
    const { rcvBuf, userMss } = h.listenerBuffers(q);
    const adv = cfg.mtu - 40;
    const o = seg.options;
    const ts = cfg.timestamps && o.timestamps !== undefined;
    const opts: { mss: number; sackPermitted?: boolean; timestamps?: { value: number; echo: number }; wscale?: number } = {
      mss: userMss > 0 ? Math.min(adv, userMss) : adv,
    };
    if (ts) {
      const sack = cfg.sack && o.sackPermitted === true;
      const wscale = cfg.windowScaling && o.wscale !== undefined ? Math.min(o.wscale, 14) : null;
      if (sack) opts.sackPermitted = true;
      const value = (cookieTimestamp(Math.floor(now), { wscale, sack }) + this.cookieTsOffset(src)) >>> 0;
      opts.timestamps = { value, echo: (o.timestamps as { value: number }).value >>> 0 };
      if (wscale !== null) opts.wscale = cfg.wscale;
    }
    const synAck: TcpSegment = {
      srcPort: seg.dstPort, dstPort: seg.srcPort, seq: iss, ack: seqAdd(seg.seq, 1), flags: SYN,
      window: Math.min(cfg.synWindow, 65535, rcvBuf), urgent: null, options: opts, payload: seg.payload.subarray(0, 0),
    };
    this.count('SyncookiesSent');
    q.cookiesSent++;
    // Linux tcp_synq_overflow: from now on ACKs to this listener are checked for cookies.
    q.lastOverflowAt = now;
    h.send(src, synAck, null, 'LISTEN', 'sent');
    return arrival(`accepted: SYN cookie sent (mss ${MSS_TABLE[index]}; ${why})`, null, 'LISTEN');
  }

  // ---- an ACK to a listener: a SYN cookie? (cookie_v4_check) ------------------------------

  /**
   * An ACK (no SYN, no RST) for which no connection or request exists: `done` when it was a
   * valid cookie (a connection, or dropped by a full accept queue); otherwise the caller answers
   * it with an RST, as Linux's listener does, and `failure` says why when it was checked as a
   * cookie (null: not checked, as cookies are off or none was sent recently: Linux
   * tcp_synq_no_recent_overflow).
   */
  cookieAck(q: ListenQueue, seg: TcpSegment, src: number, now: number): { done: Arrival } | { failure: string | null } {
    const h = this.host;
    if (h.limits.syncookies === 0 || seg.ack === null) return { failure: null };
    if (!recentOverflow(q, now, MAX_SYNCOOKIE_AGE * this.codec.periodMs)) return { failure: null };
    const cookie = (seg.ack - 1) >>> 0;
    const clientIsn = (seg.seq - 1) >>> 0;
    const check = this.codec.decode(cookie, src, h.address, seg.srcPort, seg.dstPort, clientIsn, now);
    if (!check.ok) {
      const stale = check.reason === 'stale';
      const why = stale
        ? `too old: made ${check.age} cookie periods ago (${this.codec.periodMs / 1000} s each), valid for less than ${MAX_SYNCOOKIE_AGE}`
        : 'hash mismatch: not a cookie of ours for this 4-tuple';
      this.cookieFailed(q, now, why);
      return { failure: `invalid SYN cookie (${stale ? 'too old' : 'hash mismatch'})` };
    }
    // Linux counts SyncookiesRecv once the cookie itself checks out, before looking at options.
    this.count('SyncookiesRecv');
    q.cookiesRecv++;
    const ts = seg.options.timestamps;
    let tsOpts: CookieTsOptions = { wscale: null, sack: false };
    if (ts !== undefined) {
      // cookie_timestamp_decode: the options come back in TSecr, less our offset; refused if
      // they were turned off since (the listener then answers the ACK with an RST).
      tsOpts = decodeCookieTimestamp((ts.echo - this.cookieTsOffset(src)) >>> 0);
      const off = !h.cfg.timestamps ? 'tcp_timestamps=0' : tsOpts.sack && !h.cfg.sack ? 'tcp_sack=0'
        : tsOpts.wscale !== null && !h.cfg.windowScaling ? 'tcp_window_scaling=0' : null;
      if (off !== null) {
        this.queueEvent(now, q, 'syn', 'drop', null, `ACK refused: valid SYN cookie, but its options are off now (${off}); RST sent`);
        return { failure: `SYN cookie options off (${off})` };
      }
    }
    if (acceptQueueFull(q, h.limits)) {
      // tcp_get_cookie_sock -> tcp_v4_syn_recv_sock: no child; the ACK is dropped (no RST).
      this.count('ListenOverflows');
      this.count('ListenDrops');
      q.dropsAccept++;
      this.queueEvent(now, q, 'accept', 'overflow', null,
        `cookie ACK dropped: accept queue full (${q.acceptLength}/${effectiveBacklog(q, h.limits) + 1}); the cookie was valid`);
      return { done: arrival('dropped: valid SYN cookie, accept queue full', null, 'LISTEN') };
    }
    // A state-less request: ISS = the cookie, IRS = SEG.SEQ - 1 (cookie_v4_check -> tcp_get_cookie_sock).
    const { rcvBuf } = h.listenerBuffers(q);
    const tcb = h.child(q, src, seg.srcPort, h.nextConnId());
    openPassiveChild(tcb, {
      iss: seq(cookie), irs: seq(clientIsn), peerMss: check.mss, sndWscale: tsOpts.wscale ?? -1, rcvWscale: h.cfg.wscale,
      sack: tsOpts.sack, timestamps: ts !== undefined, tsRecent: ts?.value ?? 0, tsOffset: this.cookieTsOffset(src),
      synWindow: seg.window, rcvWnd: Math.min(h.cfg.synWindow, 65535, rcvBuf), synAt: now, synAckAt: now, rtt: 'none',
      reported: false, cause: `rcv ACK with a valid SYN cookie (mss ${check.mss})`,
    }, now, h.sink);
    return { done: arrival(h.process(tcb, seg, now), tcb.id, tcb.state) };
  }

  private cookieFailed(q: ListenQueue, now: number, why: string): void {
    this.count('SyncookiesFailed');
    q.cookiesFailed++;
    this.queueEvent(now, q, 'syn', 'drop', null, `ACK refused: invalid SYN cookie (${why}); RST sent`);
  }

  // ---- a segment for a half-open request (tcp_check_req) ----------------------------------

  requestArrives(r: SynRequest, seg: TcpSegment, src: number, now: number): Arrival {
    const h = this.host;
    const flags = seg.flags;
    const ts = seg.options.timestamps;
    const withTs = (r.flags & R_TS) !== 0 && ts !== undefined;
    // RFC 7323 5.3 (Linux tcp_paws_reject): an older TSval than TS.Recent, unless it is an RST.
    const pawsReject = withTs && (flags & RST) === 0 && ((ts.value - r.tsRecent) | 0) < 0;
    // A pure retransmission of the SYN: the SYN-ACK again (rate-limited), the timer restarted.
    if (seg.seq === r.irs && (flags & (SYN | RST)) === SYN && seg.ack === null && !pawsReject) return this.synAgain(r, now);
    // An ACK that does not acknowledge our SYN-ACK goes to the listener, which resets it.
    if (seg.ack !== null && seg.ack !== seqAdd(r.iss, 1)) {
      if ((flags & RST) !== 0) return arrival('dropped: RST with a wrong ACK (half-open request)', r.id, 'SYN-RECEIVED');
      h.reset(src, seg, r.id);
      return arrival('rst: ACK does not acknowledge our SYN-ACK', r.id, 'SYN-RECEIVED');
    }
    const segLen = seg.payload.length + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0);
    if (pawsReject || !requestInWindow(seg.seq, seqAdd(seg.seq, segLen), r.rcvNxt, r.rcvWnd)) return this.outOfWindow(r, seg, pawsReject, now);
    if (withTs && seqLe(seg.seq, r.rcvNxt)) r.tsRecent = ts.value | 0;
    // A SYN at the client's ISN is the old SYN again: only the rest of the segment counts.
    const syn = (flags & SYN) !== 0 && seg.seq !== r.irs;
    if ((flags & RST) !== 0 || syn) return this.embryonicReset(r, seg, src, (flags & RST) !== 0, now);
    if (seg.ack === null) return arrival('dropped: no ACK (half-open request)', r.id, 'SYN-RECEIVED');
    return this.ackArrives(r, seg, src, now);
  }

  /** Linux tcp_oow_rate_limited for requests (a SYN or an empty segment; data without SYN is never limited). */
  private rateLimited(r: SynRequest, seg: TcpSegment | null, now: number): boolean {
    if (seg !== null && seg.payload.length > 0 && (seg.flags & SYN) === 0) return false;
    if (now - r.lastOowAt < this.host.cfg.invalidRatelimitMs) {
      this.count('TCPACKSkippedSynRecv');
      return true;
    }
    r.lastOowAt = now;
    return false;
  }

  private synAgain(r: SynRequest, now: number): Arrival {
    const h = this.host;
    if (this.rateLimited(r, null, now)) {
      return arrival('dropped: retransmitted SYN, SYN-ACK rate-limited (tcp_invalid_ratelimit)', r.id, 'SYN-RECEIVED');
    }
    this.resendSynAck(r, now);
    // mod_timer_pending: the timer restarts with the current backoff.
    this.arm(r, now, requestTimeout(r.numTimeout, h.cfg.rtoInitialMs, h.cfg.rtoMaxMs));
    return arrival('accepted: retransmitted SYN, SYN-ACK resent', r.id, 'SYN-RECEIVED');
  }

  /** Linux inet_rtx_syn_ack -> tcp_rtx_synack. */
  private resendSynAck(r: SynRequest, now: number): void {
    this.count('RetransSegs');
    this.count('TCPSynRetrans');
    r.numRetrans++;
    r.synAckAt = now;
    this.host.send(r.remoteAddr, synAckSegment(r, now), r.id, 'SYN-RECEIVED', 'sent');
  }

  private outOfWindow(r: SynRequest, seg: TcpSegment, paws: boolean, now: number): Arrival {
    if ((seg.flags & RST) === 0 && !this.rateLimited(r, seg, now)) {
      this.host.send(r.remoteAddr, requestAckSegment(r, now), r.id, 'SYN-RECEIVED', 'sent');
    }
    if (paws) {
      this.count('PAWSEstabRejected');
      return arrival('dropped: PAWS (old timestamp, half-open request)', r.id, 'SYN-RECEIVED');
    }
    return arrival('dropped: out of window (half-open request)', r.id, 'SYN-RECEIVED');
  }

  /** An RST, or a new SYN in the window: the request is dropped (Linux embryonic_reset). */
  private embryonicReset(r: SynRequest, seg: TcpSegment, src: number, rst: boolean, now: number): Arrival {
    this.count('AttemptFails');
    this.count('EmbryonicRsts');
    if (!rst) this.host.reset(src, seg, r.id);
    this.drop(r, now, rst ? 'rcv RST' : 'rcv SYN in SYN-RECEIVED', rst ? 'request dropped: RST from the client' : 'request dropped: a new SYN in its window (RST sent)');
    return rst
      ? arrival('accepted: RST, half-open request dropped', r.id, 'CLOSED')
      : arrival('rst: SYN in SYN-RECEIVED, half-open request dropped', r.id, 'CLOSED');
  }

  /** The handshake-completing ACK: room in the accept queue (tcp_v4_syn_recv_sock), or the overflow rule. */
  private ackArrives(r: SynRequest, seg: TcpSegment, src: number, now: number): Arrival {
    const h = this.host;
    const q = r.owner as ListenQueue;
    const action = admitEstablished(q, h.limits);
    if (action === 'enqueue') return this.complete(r, seg, now);
    // sk_acceptq_is_full: ListenOverflows and ListenDrops (tcp_v4_syn_recv_sock exit_overflow).
    this.count('ListenOverflows');
    this.count('ListenDrops');
    q.dropsAccept++;
    const full = `accept queue full (${q.acceptLength}/${effectiveBacklog(q, h.limits) + 1})`;
    if (action === 'drop') {
      // listen_overflow with tcp_abort_on_overflow=0: the request stays, its SYN-ACK timer retries.
      r.flags |= R_ACKED;
      this.queueEvent(now, q, 'accept', 'overflow', r.id, `ACK dropped: ${full}, tcp_abort_on_overflow=0`);
      return arrival('dropped: accept queue full (tcp_abort_on_overflow=0)', r.id, 'SYN-RECEIVED');
    }
    this.queueEvent(now, q, 'accept', 'overflow', r.id, `ACK answered with RST: ${full}, tcp_abort_on_overflow=1`);
    this.count('EmbryonicRsts');
    h.reset(src, seg, r.id);
    this.drop(r, now, 'accept queue full (tcp_abort_on_overflow=1)', 'request dropped: accept queue full, tcp_abort_on_overflow=1 (RST sent)');
    return arrival('rst: accept queue full (tcp_abort_on_overflow=1)', r.id, 'CLOSED');
  }

  /** The TCB is made from the request and processes the segment (it enters ESTABLISHED and the accept queue). */
  private complete(r: SynRequest, seg: TcpSegment, now: number): Arrival {
    const h = this.host;
    const q = r.owner as ListenQueue;
    this.unlink(r);
    h.ring.timer(now, r.id, 'syn-ack', 'cancel', 0);
    this.queueEvent(now, q, 'syn', 'remove', r.id, null, false);
    const tcb = h.child(q, r.remoteAddr, r.remotePort, r.id);
    openPassiveChild(tcb, {
      iss: r.iss, irs: r.irs, peerMss: r.peerMss, sndWscale: (r.flags & R_WSCALE) !== 0 ? r.sndWscale : -1, rcvWscale: r.rcvWscale,
      sack: (r.flags & R_SACK) !== 0, timestamps: (r.flags & R_TS) !== 0, tsRecent: r.tsRecent, tsOffset: r.tsOffset,
      synWindow: r.synWindow, rcvWnd: r.rcvWnd, synAt: r.createdAt, synAckAt: r.synAckAt,
      rtt: r.numRetrans > 0 ? 'retransmitted' : 'timed', reported: true, cause: 'rcv SYN',
    }, now, h.sink);
    return arrival(h.process(tcb, seg, now), tcb.id, tcb.state);
  }

  // ---- removal ------------------------------------------------------------------------------

  /** Out of its listener's SYN queue and its lookup table. */
  private unlink(r: SynRequest): void {
    if (!r.live) return;
    if (r.bucket >= 0) this.cache.remove(r);
    else this.table.remove(r);
    removeRequest(r.owner as ListenQueue, r);
    r.live = false;
    r.deadline = 0;
    this.live--;
  }

  /** A request ends without a connection: SYN-RECEIVED -> CLOSED, and the queue event saying why. */
  private drop(r: SynRequest, now: number, cause: string, detail: string, op: QueueOp = 'remove', timer: 'syn-ack' | null = null): void {
    const h = this.host;
    const q = r.owner as ListenQueue;
    const armed = r.deadline !== 0;
    this.unlink(r);
    if (armed) h.ring.timer(now, r.id, 'syn-ack', 'cancel', 0);
    h.ring.state(now, r.id, 'SYN-RECEIVED', 'CLOSED', cause, timer === null ? h.segEvent() : -1, timer);
    this.queueEvent(now, q, 'syn', op, r.id, detail, timer === null);
  }

  private evict(r: SynRequest, reason: EvictReason, now: number): void {
    const q = r.owner as ListenQueue;
    const limit = reason === 'bucket full' ? this.cache.limits.bucketLimit : this.cache.limits.cacheLimit;
    const used = reason === 'bucket full' ? this.cache.bucketLength(r.bucket) : this.cache.count;
    this.count(reason === 'bucket full' ? 'SyncacheBucketOverflow' : 'SyncacheCacheOverflow');
    q.dropsSyn++;
    // FreeBSD sch_last_overflow: a cookie ACK may come for it now.
    if ((r.flags & R_COOKIE) !== 0) q.lastOverflowAt = now;
    const note = (r.flags & R_COOKIE) !== 0 ? '; its ISN is a SYN cookie, so its ACK can still complete it' : '';
    this.drop(r, now, `evicted from the SYN cache (${reason})`, `request evicted: SYN cache ${reason} (${used}/${limit}), oldest first${note}`, 'drop');
  }

  /** A listener closed: its half-open requests are dropped (Linux lets them expire; a later ACK gets an RST). */
  listenerClosed(q: ListenQueue, now: number): void {
    for (let r = q.synHead; r !== null; r = q.synHead) this.drop(r, now, 'listener closed', 'request dropped: listener closed', 'remove');
  }

  // ---- the SYN-ACK timer (reqsk_timer_handler) ----------------------------------------------

  nextDeadline(): number | null {
    return this.timers.peek();
  }

  runTimers(now: number): void {
    for (let r = this.timers.popDue(now); r !== null; r = this.timers.popDue(now)) this.synAckTimer(r, now);
    this.timers.compact(this.live);
  }

  private synAckTimer(r: SynRequest, now: number): void {
    const h = this.host;
    const q = r.owner as ListenQueue;
    const cfg = h.cfg;
    h.ring.timer(now, r.id, 'syn-ack', 'fire', r.deadline);
    r.deadline = 0;
    // tcp_syn_ack_timeout
    this.count('TCPTimeouts');
    const max = cfg.synackRetries;
    const limit = r.bucket >= 0 ? max : synAckRetryLimit(max, q.synLength, q.young, effectiveBacklog(q, h.limits));
    if (r.numTimeout >= limit) {
      const pruned = limit < max ? `; ${limit} for old requests while the SYN queue is over half full of them` : '';
      const after = (now - r.createdAt) / 1000;
      this.drop(r, now, 'timer SYN-ACK retries exhausted',
        `request dropped: no ACK ${after} s after the SYN, ${r.numTimeout} SYN-ACK retransmissions (tcp_synack_retries=${max}${pruned})`, 'remove', 'syn-ack');
      return;
    }
    this.resendSynAck(r, now);
    if (r.numTimeout++ === 0) requestAged(q, r);
    this.arm(r, now, requestTimeout(r.numTimeout, cfg.rtoInitialMs, cfg.rtoMaxMs));
  }

  /** Was this request's final ACK dropped by a full accept queue? (for views) */
  static acked(r: SynRequest): boolean {
    return (r.flags & R_ACKED) !== 0;
  }
}
