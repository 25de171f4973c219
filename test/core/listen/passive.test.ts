// The listener's decisions at the stack level, packet by packet: every refusal is a queue event
// naming the rule with the segment attached; the snapshot shows the queues, drops, cookies and
// each half-open request (age, SYN-ACK retries, next retry); knobs change live and refuse bad
// values; the Lab passes all of it through.
import { describe, expect, it } from 'vitest';
import { createLab } from '../../../core/lab/create.ts';
import { synAckRetryLimit } from '../../../core/listen/request.ts';
import { ManualClock } from '../../../core/stack/clock.ts';
import type { StackEvent } from '../../../core/stack/events.ts';
import type { Knobs } from '../../../core/stack/knobs.ts';
import { seededRandom } from '../../../core/stack/random.ts';
import { Stack } from '../../../core/stack/stack.ts';
import { parseIpv4 } from '../../../core/wire/ipv4.ts';
import { seq, seqAdd } from '../../../core/wire/seq.ts';
import type { Seq } from '../../../core/wire/seq.ts';
import { buildTcpPacket, makeSegment, parseTcp, RST, SYN } from '../../../core/wire/tcp.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';
import type { TcpOptions } from '../../../core/wire/tcp-options.ts';

const US = 0x0a4d0002;
const PEER = 0x0a4d0001;

interface Rig {
  clock: ManualClock;
  stack: Stack;
  out: TcpSegment[];
  syn(port: number, opts?: TcpOptions, seqNo?: number): TcpSegment | undefined;
  ack(port: number, ackNo: Seq, seqNo?: number, opts?: TcpOptions): TcpSegment | undefined;
  queueEvents(): Extract<StackEvent, { kind: 'queue' }>[];
  at(ms: number): void;
}

function rig(knobs: Partial<Knobs> = {}, backlog = 2): Rig {
  const clock = new ManualClock(0);
  const out: TcpSegment[] = [];
  const stack = new Stack({
    address: US, clock, random: seededRandom(3), knobs,
    output: (p) => {
      const ip = parseIpv4(p);
      if (!ip.ok) throw new Error('bad packet');
      const t = parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst);
      if (!t.ok) throw new Error('bad segment');
      out.push({ ...t.value, payload: t.value.payload.slice() });
    },
  });
  stack.listen(80, backlog);
  const send = (seg: TcpSegment): TcpSegment | undefined => {
    const n = out.length;
    stack.input(buildTcpPacket(PEER, US, seg));
    return out.length > n ? out[out.length - 1] : undefined;
  };
  return {
    clock, stack, out,
    syn: (port, opts = { mss: 1460 }, seqNo = 1000) => send(makeSegment({ srcPort: port, dstPort: 80, seq: seq(seqNo), flags: SYN, window: 65535, options: opts })),
    ack: (port, ackNo, seqNo = 1001, opts = {}) => send(makeSegment({ srcPort: port, dstPort: 80, seq: seq(seqNo), ack: ackNo, window: 65535, options: opts })),
    queueEvents: () => stack.events.since(0).filter((e): e is Extract<StackEvent, { kind: 'queue' }> => e.kind === 'queue'),
    at: (ms) => {
      for (let d = stack.nextDeadline(); d !== null && d <= ms; d = stack.nextDeadline()) {
        clock.set(Math.max(d, clock.now()));
        stack.runTimers();
      }
      clock.set(ms);
    },
  };
}

const details = (r: Rig): string[] => r.queueEvents().filter((e) => e.detail !== undefined).map((e) => e.detail as string);

describe('refusals are events that name the rule, with the segment', () => {
  it('SYN queue full without cookies; accept queue full at a SYN; ACK to a full accept queue (abort_on_overflow 0 and 1)', () => {
    const r = rig({ tcp_syncookies: 0 }, 1);
    r.syn(1);
    expect(r.syn(2)).toBeUndefined();
    const e = r.queueEvents().at(-1);
    expect(e).toMatchObject({ queue: 'syn', op: 'drop', length: 1, limit: 1, conn: null, detail: 'SYN dropped: SYN queue full (1/1), tcp_syncookies=0' });
    expect(e?.segment).toMatchObject({ flags: 'S', srcPort: 2, dstPort: 80 });
    const a = rig({ tcp_abort_on_overflow: 0 }, 0);
    // backlog 0: the accept queue holds 1 and the SYN queue is full at once; with cookies on, SYNs get cookies.
    const sa1 = a.syn(1) as TcpSegment;
    a.ack(1, seqAdd(sa1.seq, 1));
    expect(a.stack.snapshot().listeners[0]).toMatchObject({ acceptQueue: 1, acceptQueueLimit: 1 });
    expect(a.syn(2)).toBeUndefined();
    expect(a.queueEvents().at(-1)).toMatchObject({ queue: 'accept', op: 'drop', detail: 'SYN dropped: accept queue full (1/1)', segment: { flags: 'S', srcPort: 2 } });
    expect(a.stack.counters.get('ListenOverflows')).toBe(1);
  });

  it('a valid cookie ACK to a full accept queue is dropped, never reset (Linux tcp_get_cookie_sock)', () => {
    for (const abort of [0, 1]) {
      const r = rig({ tcp_abort_on_overflow: abort }, 1);
      const s1 = r.syn(1) as TcpSegment;
      const s2 = r.syn(2, { mss: 1460 }, 5000) as TcpSegment; // the SYN queue is full: a cookie
      const s3 = r.syn(3, { mss: 1460 }, 7000) as TcpSegment; // a cookie too
      expect(r.stack.snapshot().listeners[0].cookies.sent).toBe(2);
      r.ack(1, seqAdd(s1.seq, 1));
      r.ack(2, seqAdd(s2.seq, 1), 5001);
      expect(r.stack.snapshot().listeners[0]).toMatchObject({ acceptQueue: 2, acceptQueueLimit: 2 });
      expect(r.ack(3, seqAdd(s3.seq, 1), 7001)).toBeUndefined();
      expect(r.queueEvents().at(-1)).toMatchObject({ queue: 'accept', op: 'overflow', detail: 'cookie ACK dropped: accept queue full (2/2); the cookie was valid' });
      expect(r.stack.snapshot().listeners[0]).toMatchObject({ drops: { syn: 0, accept: 1 }, cookies: { sent: 2, recv: 2, failed: 0 } });
      expect([r.stack.counters.get('ListenOverflows'), r.stack.counters.get('ListenDrops'), r.stack.counters.get('SyncookiesRecv')]).toEqual([1, 1, 2]);
    }
  });

  it('the ACK of a request to a full accept queue: dropped (0) or RST (1), with the rule in the event', () => {
    for (const abort of [0, 1]) {
      const r = rig({ tcp_abort_on_overflow: abort, tcp_syncookies: 0 }, 2);
      const isn: Seq[] = [];
      const open = (p: number): void => {
        isn[p] = (r.syn(p, { mss: 1460 }, p * 1000) as TcpSegment).seq;
      };
      const close = (p: number): TcpSegment | undefined => r.ack(p, seqAdd(isn[p], 1), p * 1000 + 1);
      open(1);
      close(1);
      open(2);
      close(2);
      open(3);
      open(4);
      close(3);
      const reply = close(4);
      const ev = r.queueEvents().filter((e) => e.op === 'overflow').at(-1);
      expect(ev).toMatchObject({ queue: 'accept', length: 3, limit: 3, conn: expect.any(Number) });
      expect(ev?.detail).toBe(abort === 0 ? 'ACK dropped: accept queue full (3/3), tcp_abort_on_overflow=0' : 'ACK answered with RST: accept queue full (3/3), tcp_abort_on_overflow=1');
      expect(ev?.segment).toMatchObject({ flags: '.', srcPort: 4 });
      if (abort === 0) {
        expect(reply).toBeUndefined();
        expect(r.stack.snapshot().listeners[0].synQueue).toBe(1);
      } else {
        expect(reply).toMatchObject({ flags: RST, seq: seqAdd(isn[4], 1) });
        expect(r.stack.snapshot().listeners[0].synQueue).toBe(0);
        expect(r.queueEvents().at(-1)?.detail).toBe('request dropped: accept queue full, tcp_abort_on_overflow=1 (RST sent)');
        expect(r.stack.counters.get('EmbryonicRsts')).toBe(1);
      }
      expect(r.stack.snapshot().listeners[0].drops).toEqual({ syn: 0, accept: 1 });
    }
  });

  it('an invalid cookie: counted, an event saying why, and the RST', () => {
    const r = rig({ tcp_syncookies: 2 });
    const sa = r.syn(1) as TcpSegment;
    const rst = r.ack(1, seqAdd(sa.seq, 5));
    expect(rst).toMatchObject({ flags: RST, seq: seqAdd(sa.seq, 5) });
    expect(details(r).at(-1)).toBe('ACK refused: invalid SYN cookie (hash mismatch: not a cookie of ours for this 4-tuple); RST sent');
    r.at(130_000);
    r.syn(2); // a fresh cookie keeps ACKs checked
    expect(r.ack(1, seqAdd(sa.seq, 1))).toMatchObject({ flags: RST });
    expect(details(r).at(-1)).toMatch(/^ACK refused: invalid SYN cookie \(too old: made 2 cookie periods ago \(60 s each\), valid for less than 2\); RST sent$/);
    expect(r.stack.snapshot().listeners[0].cookies).toEqual({ sent: 2, recv: 0, failed: 2 });
    expect(r.stack.counters.get('SyncookiesFailed')).toBe(2);
  });

  it('a valid cookie whose options were turned off since: SyncookiesRecv, then the RST (cookie_timestamp_decode)', () => {
    const r = rig({ tcp_syncookies: 2 });
    const sa = r.syn(1, { mss: 1460, sackPermitted: true, timestamps: { value: 77, echo: 0 }, wscale: 7 }) as TcpSegment;
    expect(sa.options).toMatchObject({ mss: 1460, sackPermitted: true, wscale: 7, timestamps: { echo: 77 } });
    const tsval = sa.options.timestamps!.value;
    expect(r.stack.setKnob('tcp_sack', 0)).toEqual({ ok: true });
    const rst = r.ack(1, seqAdd(sa.seq, 1), 1001, { timestamps: { value: 78, echo: tsval } });
    expect(rst).toMatchObject({ flags: RST });
    expect(details(r).at(-1)).toBe('ACK refused: valid SYN cookie, but its options are off now (tcp_sack=0); RST sent');
    expect([r.stack.counters.get('SyncookiesRecv'), r.stack.counters.get('SyncookiesFailed')]).toEqual([1, 0]);
    expect(r.stack.events.since(0).filter((e) => e.kind === 'segment' && e.dir === 'in').map((e) => e.kind === 'segment' && e.verdict)).toEqual([
      'accepted: SYN cookie sent (mss 1460; tcp_syncookies=2)', 'rst: SYN cookie options off (tcp_sack=0)',
    ]);
    // Back on: the same ACK makes the connection, with SACK and window scaling from the cookie's TSval.
    r.stack.setKnob('tcp_sack', 1);
    r.ack(1, seqAdd(sa.seq, 1), 1001, { timestamps: { value: 79, echo: tsval } });
    const conn = r.stack.connection(r.stack.snapshot().connections[0].id)!;
    expect(conn.info()).toMatchObject({ state: 'ESTABLISHED', sack: true, wscaleOk: true, sndWscale: 7, timestamps: true, mss: 1448 });
  });

  it('a request that times out and a request evicted from the SYN cache say so', () => {
    const r = rig({ tcp_synack_retries: 2 });
    r.syn(1);
    r.at(7_000);
    const ev = r.queueEvents().at(-1);
    expect(ev).toMatchObject({ queue: 'syn', op: 'remove', length: 0 });
    expect(ev?.detail).toBe('request dropped: no ACK 7 s after the SYN, 2 SYN-ACK retransmissions (tcp_synack_retries=2)');
    expect(r.stack.events.since(0).filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && `${e.from}>${e.to} ${e.cause}`))
      .toEqual(['CLOSED>SYN-RECEIVED rcv SYN', 'SYN-RECEIVED>CLOSED timer SYN-ACK retries exhausted']);
    const c = rig({ syn_defence: 'cache', syncache_hashsize: 1, syncache_bucketlimit: 1, tcp_syncookies: 0 });
    c.syn(1);
    c.syn(2);
    expect(c.queueEvents().find((e) => e.op === 'drop')).toMatchObject({
      queue: 'syn', detail: 'request evicted: SYN cache bucket full (1/1), oldest first', segment: { srcPort: 2 },
    });
    expect(c.stack.snapshot().listeners[0]).toMatchObject({ synQueue: 1, synQueueLimit: 15360, drops: { syn: 1, accept: 0 } });
    expect(c.stack.counters.get('SyncacheBucketOverflow')).toBe(1);
  });
});

describe('the snapshot', () => {
  it('shows each half-open request (age, SYN-ACK retries, next retry) and lists it as a SYN-RECEIVED row', () => {
    const r = rig({}, 8);
    r.syn(1);
    r.at(500);
    r.syn(2);
    r.at(1_500);
    const l = r.stack.snapshot().listeners[0];
    expect(l).toMatchObject({ synQueue: 2, synQueueLimit: 8, acceptQueue: 0, acceptQueueLimit: 9, backlog: 8, drops: { syn: 0, accept: 0 }, cookies: { sent: 0, recv: 0, failed: 0 } });
    expect(l.halfOpen).toEqual([
      { remote: '10.77.0.1:1', age: 1500, synAckRetries: 1, nextRetryIn: 1500 },
      { remote: '10.77.0.1:2', age: 1000, synAckRetries: 1, nextRetryIn: 2000 },
    ]);
    const rows = r.stack.snapshot().connections;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ state: 'SYN-RECEIVED', remote: '10.77.0.1:1', listener: l.id, retransmits: 1, timer: { name: 'syn-ack', expiresIn: 1500 } });
    expect(r.stack.history(rows[0].id)).toEqual([{ at: 0, state: 'SYN-RECEIVED', cause: 'rcv SYN' }]);
  });

  it('a retransmitted SYN gets the SYN-ACK again (rate-limited by tcp_invalid_ratelimit) and restarts the timer', () => {
    const r = rig();
    const sa = r.syn(1) as TcpSegment;
    r.at(300);
    expect(r.syn(1)).toMatchObject({ seq: sa.seq, ack: seq(1001) });
    r.at(400);
    expect(r.syn(1)).toBeUndefined(); // 100 ms later: rate-limited
    expect(r.stack.counters.get('TCPACKSkippedSynRecv')).toBe(1);
    expect(r.stack.snapshot().listeners[0].halfOpen[0]).toMatchObject({ synAckRetries: 1, nextRetryIn: 900 });
  });
});

describe('knobs', () => {
  it('are live, validated with a message, and reported', () => {
    const r = rig();
    const s = r.stack;
    expect(s.getKnobs()).toMatchObject({
      tcp_syncookies: 1, syn_defence: 'queue', tcp_max_syn_backlog: 1024, somaxconn: 4096, tcp_abort_on_overflow: 0, tcp_synack_retries: 5,
      syncache_hashsize: 512, syncache_bucketlimit: 30, syncache_cachelimit: 15360, syncookie_period_s: 60,
      msl: 30, tcp_fin_timeout: 60, tcp_keepalive_time: 7200, tcp_keepalive_intvl: 75, tcp_keepalive_probes: 9, delack_ms: 40, rto_min_ms: 200, tcp_rto_max_ms: 120000,
    });
    expect(s.setKnob('tcp_syncookies', 3)).toEqual({ ok: false, error: 'tcp_syncookies must be <= 2' });
    expect(s.setKnob('syn_defence', 'heap')).toEqual({ ok: false, error: 'syn_defence must be one of queue, cache' });
    expect(s.setKnob('syncache_hashsize', 100)).toEqual({ ok: false, error: 'syncache_hashsize must be a power of two' });
    expect(s.setKnob('tcp_max_syn_backlog', 0)).toEqual({ ok: false, error: 'tcp_max_syn_backlog must be >= 1' });
    expect(s.setKnob('somaxconn', 1.5)).toEqual({ ok: false, error: 'somaxconn must be an integer' });
    expect(s.setKnob('tcp_abort_on_overflow', 2)).toEqual({ ok: false, error: 'tcp_abort_on_overflow must be <= 1' });
    // Live: a request made in the SYN queue finishes there after the switch to the cache.
    r.syn(1);
    expect(s.setKnob('syn_defence', 'cache')).toEqual({ ok: true });
    r.syn(2);
    expect(s.snapshot().listeners[0]).toMatchObject({ synQueue: 2, synQueueLimit: 15360 });
    expect(s.setKnob('syncache_cachelimit', 1)).toEqual({ ok: true });
    // The cache is full: a new SYN evicts the oldest of its own bucket, or gets a cookie when its bucket is empty.
    r.syn(3);
    expect(s.snapshot().listeners[0].synQueueLimit).toBe(1);
    expect(s.counters.get('SyncacheCacheOverflow') + s.counters.get('SyncookiesSent')).toBe(1);
    expect(s.setKnob('somaxconn', 1)).toEqual({ ok: true });
    expect(s.snapshot().listeners[0]).toMatchObject({ backlog: 2, acceptQueueLimit: 2 });
  });
});

describe('pruning of old requests (Linux reqsk_timer_handler)', () => {
  it('keeps all retries while the queue is at most half full or mostly young, down to 2 otherwise', () => {
    expect(synAckRetryLimit(5, 4, 0, 128)).toBe(5); // 4 * 2 <= max(8, 128)
    expect(synAckRetryLimit(5, 100, 100, 128)).toBe(5); // all young
    expect(synAckRetryLimit(5, 100, 0, 128)).toBe(2);
    expect(synAckRetryLimit(5, 128, 20, 128)).toBe(3); // 128 < 20 * 2 * 2 * 2
    expect(synAckRetryLimit(5, 128, 10, 128)).toBe(2);
    expect(synAckRetryLimit(2, 128, 0, 128)).toBe(2);
  });
});

describe('through the Lab', () => {
  it('listener rows carry drops, cookies and half-open requests; queue events carry the rule and the segment', () => {
    const lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 9 });
    try {
      lab.handlers.setKnob({ name: 'tcp_syncookies', value: 0 });
      const { listener } = lab.handlers.listen({ port: 7, backlog: 1, responder: 'echo' }) as { listener: number };
      lab.handlers.pauseAccept({ listener });
      const got: string[] = [];
      const unsub = lab.events.subscribe((e) => {
        if (e.kind === 'queue' && e.detail !== undefined) got.push(`${e.detail} [${e.segment?.flags ?? '-'}]`);
      });
      const c1 = lab.peer!.connect(7);
      lab.peer!.connect(7);
      lab.peer!.connect(7);
      lab.advance(50);
      expect(c1.state).toBe('ESTABLISHED');
      const row = lab.snapshot().listeners.find((l) => l.id === listener)!;
      expect(row).toMatchObject({ synQueue: expect.any(Number), synQueueLimit: 1, cookies: { sent: 0, recv: 0, failed: 0 } });
      expect(row.drops!.syn + row.drops!.accept).toBeGreaterThan(0);
      expect(row.halfOpen!.length).toBe(row.synQueue);
      expect(got.some((g) => /^SYN dropped: SYN queue full \(1\/1\), tcp_syncookies=0 \[S\]$/.test(g))).toBe(true);
      unsub();
    } finally {
      lab.close();
    }
  });
});
