// Data transfer in the core: reassembly and SACK blocks, sequence wraparound, NewReno fast
// retransmit and recovery, PAWS, Nagle.
import { describe, expect, it } from 'vitest';
import { onSegment } from '../../../core/tcp/step.ts';
import { userReceive, userSend, setNodelay } from '../../../core/tcp/user.ts';
import { FIN } from '../../../core/wire/tcp.ts';
import { IRS, ISS, makeTcb, s, seg, sink } from './factory.ts';
import { onTimer } from '../../../core/tcp/timeouts.ts';
import { Pair } from './pair.ts';

const A = ISS + 1;
const R = IRS + 1;

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('reassembly and SACK', () => {
  it('out-of-order data is held, answered by a duplicate ACK with SACK blocks, delivered when the gap fills', () => {
    const t = makeTcb({ state: 'ESTABLISHED', sack: true, ts: false });
    const k = sink();
    const p = bytes(3000, 1);
    expect(onSegment(t, seg({ seq: R + 1000, ack: A, payload: p.subarray(1000, 2000) }), 0, k)).toBe('accepted');
    expect(k.sent()[0]).toMatchObject({ ack: R });
    expect(k.sent()[0].options.sack).toEqual([{ left: R + 1000, right: R + 2000 }]);
    onSegment(t, seg({ seq: R + 2500, ack: A, payload: p.subarray(2500, 3000) }), 1, k);
    // Most recent block first (RFC 2018 4).
    expect(k.sent()[1].options.sack).toEqual([{ left: R + 2500, right: R + 3000 }, { left: R + 1000, right: R + 2000 }]);
    onSegment(t, seg({ seq: R, ack: A, payload: p.subarray(0, 1000) }), 2, k);
    expect(k.sent()[2]).toMatchObject({ ack: R + 2000 });
    expect(k.sent()[2].options.sack).toEqual([{ left: R + 2500, right: R + 3000 }]);
    onSegment(t, seg({ seq: R + 1900, ack: A, payload: p.subarray(1900, 2600) }), 3, k);
    expect(k.sent()[3]).toMatchObject({ ack: R + 3000 });
    // The part below RCV.NXT was a duplicate: reported once as D-SACK (RFC 2883).
    expect(k.sent()[3].options.sack).toEqual([{ left: R + 1900, right: R + 2000 }]);
    expect(userReceive(t, 10_000, 4, k)).toEqual(p);
  });

  it('an out-of-order FIN waits for the data before it', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    onSegment(t, seg({ seq: R + 10, ack: A, flags: FIN, payload: 10 }), 0, k);
    expect(t.state).toBe('ESTABLISHED');
    onSegment(t, seg({ seq: R, ack: A, payload: 10 }), 1, k);
    expect(t.state).toBe('CLOSE-WAIT');
    expect(t.rcvNxt).toBe(R + 21);
  });
});

describe('sequence number wraparound', () => {
  it('carries data both ways across 2^32 with ISNs just below it', () => {
    const pair = new Pair();
    pair.open(0xffff_f000, 0xffff_ff00);
    pair.run(100);
    const [a, b] = pair.t;
    expect(a.state).toBe('ESTABLISHED');
    expect(b.state).toBe('ESTABLISHED');
    const da = bytes(200_000, 2);
    const db = bytes(150_000, 3);
    let sa = 0;
    let sb = 0;
    const ra: Uint8Array[] = [];
    const rb: Uint8Array[] = [];
    const total = (xs: Uint8Array[]): number => xs.reduce((n, x) => n + x.length, 0);
    for (let i = 0; i < 2000 && (total(rb) < da.length || total(ra) < db.length); i++) {
      const n1 = userSend(a, da.subarray(sa, sa + 30_000), pair.now, pair);
      if (typeof n1 === 'number') sa += n1;
      const n2 = userSend(b, db.subarray(sb, sb + 30_000), pair.now, pair);
      if (typeof n2 === 'number') sb += n2;
      pair.run(pair.now + 10);
      for (let d = userReceive(b, 1e9, pair.now, pair); d !== null && d.length > 0; d = userReceive(b, 1e9, pair.now, pair)) rb.push(d);
      for (let d = userReceive(a, 1e9, pair.now, pair); d !== null && d.length > 0; d = userReceive(a, 1e9, pair.now, pair)) ra.push(d);
    }
    expect(Buffer.concat(rb)).toEqual(Buffer.from(da));
    expect(Buffer.concat(ra)).toEqual(Buffer.from(db));
    expect(a.sndUna < 0x1000_0000).toBe(true); // wrapped past 2^32
    expect(b.sndUna < 0x1000_0000).toBe(true);
  });
});

describe('NewReno (RFC 5681 / 6582)', () => {
  it('three duplicate ACKs trigger a fast retransmit; partial ACK retransmits the next hole; full ACK ends recovery', () => {
    const t = makeTcb({ state: 'ESTABLISHED', ts: false });
    const k = sink();
    userSend(t, new Uint8Array(10 * 1460), 0, k);
    expect(k.sent()).toHaveLength(10);
    const flight = 10 * 1460;
    k.take();
    // Segment 1 and 4 lost: ACKs for segments 2 and 3 are duplicates of A.
    onSegment(t, seg({ seq: R, ack: A }), 10, k);
    onSegment(t, seg({ seq: R, ack: A }), 11, k);
    expect(k.sent()).toHaveLength(0); // limited transmit has no new data to send
    onSegment(t, seg({ seq: R, ack: A }), 12, k);
    const [rtx] = k.sent();
    expect(rtx).toMatchObject({ seq: A });
    expect(rtx.payload.length).toBe(1460);
    expect(k.effects.some((e) => e.kind === 'count' && e.name === 'TCPFastRetrans')).toBe(true);
    expect(t.ssthresh).toBe(flight / 2);
    expect(t.cwnd).toBe(flight / 2 + 3 * 1460);
    k.take();
    // Partial ACK up to the second hole (segment 4).
    onSegment(t, seg({ seq: R, ack: A + 3 * 1460 }), 20, k);
    expect(k.sent()[0]).toMatchObject({ seq: A + 3 * 1460 });
    // Full ACK.
    onSegment(t, seg({ seq: R, ack: A + flight }), 30, k);
    expect(t.cwnd).toBeLessThanOrEqual(t.ssthresh);
  });

  it('slow start grows cwnd per ACK, a timeout collapses it to one segment', () => {
    const pair = new Pair({ timestamps: false });
    pair.open(1, 2);
    pair.run(50);
    const [a] = pair.t;
    const iw = a.cwnd;
    expect(iw).toBe(10 * a.mss);
    userSend(a, new Uint8Array(40 * 1460), pair.now, pair);
    pair.run(pair.now + 12);
    expect(a.cwnd).toBeGreaterThan(iw);
    pair.drop = () => true;
    userSend(a, new Uint8Array(1460), pair.now, pair);
    pair.run(pair.now + 3000);
    expect(a.cwnd).toBe(a.mss);
  });
});

describe('restart after idle (RFC 5681 4.1, tcp_slow_start_after_idle)', () => {
  it('halves cwnd per idle RTO down to the initial window; off with the knob', () => {
    for (const on of [true, false]) {
      const t = makeTcb({ state: 'ESTABLISHED', ts: false, cfg: { slowStartAfterIdle: on } });
      const k = sink();
      t.cwnd = 40 * t.mss;
      t.rto = 200;
      userSend(t, new Uint8Array(100), 0, k);
      onSegment(t, seg({ seq: R, ack: A + 100 }), 10, k);
      const before = t.cwnd;
      userSend(t, new Uint8Array(100), 10 + 650, k); // idle 650 ms: three RTOs
      expect(t.cwnd).toBe(on ? Math.max(Math.floor(before / 8), 10 * t.mss) : before);
    }
  });
});

describe('timestamps and PAWS (RFC 7323)', () => {
  it('a segment with an older TSval is dropped and answered with an ACK', () => {
    const t = makeTcb({ state: 'ESTABLISHED', ts: true });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, payload: 10, options: { timestamps: { value: 1000, echo: 0 } } }), 0, k);
    expect(t.tsRecent).toBe(1000);
    const v = onSegment(t, seg({ seq: R + 10, ack: A, payload: 10, options: { timestamps: { value: 999, echo: 0 } } }), 1, k);
    expect(v).toBe('dropped: PAWS (old timestamp)');
    expect(t.rcvQ?.length).toBe(10);
    expect(k.sent().at(-1)?.options.timestamps?.echo).toBe(1000);
  });

  it('TS.Recent wraps modulo 2^32', () => {
    const t = makeTcb({ state: 'ESTABLISHED', ts: true });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, options: { timestamps: { value: 0x8000_0000, echo: 0 } } }), 0, k);
    onSegment(t, seg({ seq: R, ack: A, options: { timestamps: { value: 0xffff_fff0, echo: 0 } } }), 0, k);
    expect(t.tsRecent >>> 0).toBe(0xffff_fff0);
    const v = onSegment(t, seg({ seq: R, ack: A, payload: 5, options: { timestamps: { value: 5, echo: 0 } } }), 1, k);
    expect(v).toBe('accepted');
    expect(t.tsRecent >>> 0).toBe(5);
  });
});

describe('Nagle', () => {
  it('holds a small segment while a small one is unacknowledged; TCP_NODELAY sends it', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userSend(t, new Uint8Array(10), 0, k);
    userSend(t, new Uint8Array(10), 1, k);
    expect(k.sent()).toHaveLength(1);
    onSegment(t, seg({ seq: R, ack: A + 10 }), 5, k);
    expect(k.sent()).toHaveLength(2);
    userSend(t, new Uint8Array(10), 6, k);
    userSend(t, new Uint8Array(10), 7, k);
    expect(k.sent()).toHaveLength(2); // the second small segment is still unacknowledged
    setNodelay(t, true, 8, k);
    expect(k.sent()).toHaveLength(3);
    expect(k.sent()[2].payload.length).toBe(20);
  });
});

describe('SACK on the sending side', () => {
  it('fast recovery retransmits the holes the peer reports; a timeout resend skips SACKed data', () => {
    const t = makeTcb({ state: 'ESTABLISHED', ts: false, sack: true });
    const k = sink();
    const M = 1460;
    userSend(t, new Uint8Array(10 * M), 0, k);
    k.take();
    // Segments 0 and 4 are lost; the peer SACKs 1-3, then 5-9.
    const sackAck = (blocks: [number, number][]) =>
      seg({ seq: R, ack: A, options: { sack: blocks.map(([l, r]) => ({ left: s(A + l * M), right: s(A + r * M) })) } });
    onSegment(t, sackAck([[1, 2]]), 10, k);
    onSegment(t, sackAck([[1, 3]]), 11, k);
    onSegment(t, sackAck([[1, 4]]), 12, k);
    expect(k.sent().map((x) => (x.seq - A) / M)).toEqual([0]); // fast retransmit of segment 0
    onSegment(t, sackAck([[5, 6], [1, 4]]), 13, k);
    onSegment(t, sackAck([[5, 7], [1, 4]]), 14, k);
    onSegment(t, sackAck([[5, 8], [1, 4]]), 15, k);
    // Once more than 2 segments are SACKed above it, the hole at segment 4 is retransmitted.
    expect(k.sent().map((x) => (x.seq - A) / M)).toContain(4);
    expect(k.sent().filter((x) => x.seq === A + 4 * M)).toHaveLength(1);
    // A timeout: go back to SND.UNA, but skip 1-3 and 5-7 which the peer holds.
    k.take();
    onTimer(t, 'retransmit', 2000, k);
    onSegment(t, seg({ seq: R, ack: A + M, options: { sack: [{ left: s(A + 5 * M), right: s(A + 8 * M) }, { left: s(A + 1 * M), right: s(A + 4 * M) }] } }), 2100, k);
    const resent = k.sent().map((x) => (x.seq - A) / M);
    expect(resent).not.toContain(1);
    expect(resent).not.toContain(5);
    expect(resent).toContain(4);
  });
});
