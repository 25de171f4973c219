// Timers: RTO with Karn and backoff to the retry limit, SYN and SYN-ACK retries, delayed
// ACK, keepalive, persist (zero window), TIME-WAIT, all on hand-moved time.
import { describe, expect, it } from 'vitest';
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import type { RecordingSink } from '../../../core/tcp/effects.ts';
import { openActive, openPassive } from '../../../core/tcp/handshake.ts';
import { modelTimeout } from '../../../core/tcp/rtt.ts';
import { onSegment } from '../../../core/tcp/step.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { onTimer, setKeepalive } from '../../../core/tcp/timeouts.ts';
import { dueTimer, earliestDeadline } from '../../../core/tcp/timers.ts';
import { userSend } from '../../../core/tcp/user.ts';
import { seq } from '../../../core/wire/seq.ts';
import { RST, SYN } from '../../../core/wire/tcp.ts';
import { IRS, ISS, makeTcb, seg, sink } from './factory.ts';

const A = ISS + 1;
const R = IRS + 1;

/** Fires due timers until `until`; returns the times segments were sent. */
function runTimers(t: Tcb, k: RecordingSink, until: number): number[] {
  const times: number[] = [];
  for (;;) {
    const d = earliestDeadline(t);
    if (d === 0 || d > until) return times;
    const before = k.sent().length;
    for (let n = dueTimer(t, d); n !== null; n = dueTimer(t, d)) onTimer(t, n, d, k);
    for (let i = before; i < k.sent().length; i++) times.push(d);
  }
}

describe('retransmission timeout (RFC 6298)', () => {
  it('backs off exponentially and gives up after tcp_retries2 worth of time (ETIMEDOUT)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userSend(t, new Uint8Array(100), 0, k);
    expect(t.tRtx).toBe(1000);
    const times = runTimers(t, k, 3_000_000);
    // 1 s, then doubling up to 120 s.
    expect(times.slice(0, 8)).toEqual([1000, 3000, 7000, 15000, 31000, 63000, 127000, 247000]);
    expect(t.state).toBe('CLOSED');
    expect(t.error).toBe('ETIMEDOUT');
    const limit = modelTimeout(15, 200, 120_000);
    expect(limit).toBe(924_600);
    const last = k.effects.filter((e) => e.kind === 'state').at(-1);
    expect(last).toMatchObject({ to: 'CLOSED' });
    expect(times.length).toBeGreaterThan(8);
    expect(times.every((x) => (x as number) < 1000 + limit + 120_000)).toBe(true);
  });

  it('an ACK of new data resets the backoff and takes an RTT sample (Karn: not from a retransmission)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userSend(t, new Uint8Array(100), 0, k);
    runTimers(t, k, 1000); // one retransmission
    expect(t.backoff).toBe(1);
    onSegment(t, seg({ seq: R, ack: A + 100 }), 1100, k);
    expect(t.backoff).toBe(0);
    expect(t.srtt).toBe(0); // Karn: no sample from the retransmitted segment
    userSend(t, new Uint8Array(100), 2000, k);
    onSegment(t, seg({ seq: R, ack: A + 200 }), 2050, k);
    expect(t.srtt).toBe(50);
    expect(t.rto).toBe(200); // max(200 ms floor, 50 + 4*25)
  });

  it('active open: SYN retransmitted at 1, 3, 7, 15, 31, 63 s; ETIMEDOUT at 127 s (tcp_syn_retries=6)', () => {
    const t = new Tcb(1, defaultTcpConfig(), 1, 40000, 2, 80);
    const k = sink();
    openActive(t, seq(ISS), 0, 0, k);
    const times = runTimers(t, k, 200_000);
    expect(times).toEqual([1000, 3000, 7000, 15000, 31000, 63000]);
    expect(t.state).toBe('CLOSED');
    expect(t.error).toBe('ETIMEDOUT');
    const end = k.effects.filter((e) => e.kind === 'timer' && e.action === 'fire').at(-1);
    expect(end).toMatchObject({ deadline: 127000 });
  });

  it('passive open: SYN-ACK retransmitted 5 times, then the half-open connection is dropped silently', () => {
    const t = new Tcb(1, defaultTcpConfig(), 2, 80, 1, 40000);
    const k = sink();
    openPassive(t, seg({ seq: IRS, flags: SYN }), seq(ISS), 0, 0, k);
    const times = runTimers(t, k, 200_000);
    expect(times).toEqual([1000, 3000, 7000, 15000, 31000]);
    expect(t.state).toBe('CLOSED');
    expect(t.error).toBeNull();
    expect(k.sent().every((s) => s.flags === SYN)).toBe(true);
  });

  it('RFC 6298 5.7: after a retransmitted SYN without an RTT sample, the RTO is 3 s', () => {
    const t = new Tcb(1, defaultTcpConfig({ timestamps: false }), 1, 40000, 2, 80);
    const k = sink();
    openActive(t, seq(ISS), 0, 0, k);
    runTimers(t, k, 1000);
    onSegment(t, seg({ seq: IRS, ack: ISS + 1, flags: SYN }), 1500, k);
    expect(t.state).toBe('ESTABLISHED');
    expect(t.rto).toBe(3000);
  });
});

describe('delayed ACK, keepalive, persist', () => {
  it('keepalive: probes after 7200 s idle every 75 s; 9 unanswered probes -> RST, ETIMEDOUT', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    setKeepalive(t, true, 0, k);
    expect(t.tKeep).toBe(7_200_000);
    const times = runTimers(t, k, 10_000_000);
    expect(times.slice(0, 3)).toEqual([7_200_000, 7_275_000, 7_350_000]);
    const probes = k.sent().filter((s) => s.flags === 0);
    expect(probes).toHaveLength(9);
    expect(probes[0]).toMatchObject({ seq: A - 1, ack: R }); // Linux: SND.UNA - 1, no data
    expect(k.sent().at(-1)?.flags).toBe(RST);
    expect(t.error).toBe('ETIMEDOUT');
    expect(times.at(-1)).toBe(7_200_000 + 9 * 75_000);
  });

  it('keepalive: an answered probe keeps the connection alive', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    setKeepalive(t, true, 0, k);
    runTimers(t, k, 7_200_000);
    expect(t.probes).toBe(1);
    onSegment(t, seg({ seq: R, ack: A }), 7_200_010, k);
    expect(t.probes).toBe(0);
    runTimers(t, k, 7_275_000); // interval timer finds the connection alive, waits the idle time again
    expect(t.probes).toBe(0);
    expect(t.tKeep).toBe(7_200_010 + 7_200_000);
  });

  it('zero window: persist timer probes with backoff; an opening window resumes sending', () => {
    const t = makeTcb({ state: 'ESTABLISHED', sndWnd: 0 });
    const k = sink();
    expect(userSend(t, new Uint8Array(1000), 0, k)).toBe(1000);
    expect(k.sent()).toHaveLength(0);
    expect(t.tPersist).toBe(1000);
    const times = runTimers(t, k, 7500);
    expect(times).toEqual([1000, 3000, 7000]);
    expect(k.sent()[0]).toMatchObject({ seq: A - 1, flags: 0 });
    // The peer answers each probe with a zero window: still persisting, probes reset.
    onSegment(t, seg({ seq: R, ack: A, window: 0 }), 7001, k);
    expect(t.probes).toBe(0);
    expect(t.state).toBe('ESTABLISHED');
    k.take();
    onSegment(t, seg({ seq: R, ack: A, window: 4000 }), 7002, k);
    expect(k.sent()[0].payload.length).toBe(1000);
    expect(t.tPersist).toBe(0);
  });

  it('a window smaller than a segment is not used for a silly segment (SWS), the probe sends what fits', () => {
    const t = makeTcb({ state: 'ESTABLISHED', sndWnd: 65535 });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, window: 100 }), 0, k);
    userSend(t, new Uint8Array(5000), 1, k);
    expect(k.sent()).toHaveLength(0);
    runTimers(t, k, 1001);
    expect(k.sent()[0].payload.length).toBe(100);
  });
});
