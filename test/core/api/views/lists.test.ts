// Counters, knobs, trace lines, the lab clock.
import { describe, expect, it } from 'vitest';
import type { KnobInfo } from '../../../../core/api/contract.ts';
import type { Snapshot } from '../../../../core/api/snapshot.ts';
import { LabClock } from '../../../../core/api/views/clock.ts';
import { counterDeltas, counterGroups } from '../../../../core/api/views/counters.ts';
import { knobRows, parseKnobInput } from '../../../../core/api/views/knobs.ts';
import { traceLine, traceText } from '../../../../core/api/views/trace.ts';
import { segEv, stateEv, timerEv } from './fixtures.ts';

describe('counter groups', () => {
  const counters = { InSegs: 10, OutSegs: 12, ActiveOpens: 1, ListenOverflows: 2, TCPChallengeACK: 0, InReceives: 11, InEchos: 1, SyncookiesSent: 3, Mystery: 1 };

  it('groups as netstat -s, in netstat\'s order, with deltas', () => {
    const g = counterGroups(counters, { InSegs: 3, ListenOverflows: 1 });
    expect(g.map((x) => x.id)).toEqual(['Tcp', 'TcpExt', 'Ip', 'Icmp', 'Other']);
    expect(g[0].rows.map((r) => r.name)).toEqual(['ActiveOpens', 'InSegs', 'OutSegs']);
    expect(g[0].rows[1]).toMatchObject({ value: 10, delta: 3, doc: { en: 'segments received' } });
    expect(g[1].rows.map((r) => r.name)).toEqual(['ListenOverflows', 'SyncookiesSent', 'TCPChallengeACK']);
  });

  it('hides zeros and matches names when asked', () => {
    expect(counterGroups(counters, {}, { nonZero: true })[1].rows.map((r) => r.name)).not.toContain('TCPChallengeACK');
    expect(counterGroups(counters, {}, { match: 'segs' }).flatMap((g) => g.rows.map((r) => r.name))).toEqual(['InSegs', 'OutSegs']);
  });

  it('computes deltas between two readings', () => {
    expect(counterDeltas({ InSegs: 1, OutSegs: 2 }, { InSegs: 4, OutSegs: 2, New: 1 })).toEqual({ InSegs: 3, New: 1 });
  });
});

describe('knobs', () => {
  const knobs: KnobInfo[] = [
    { name: 'tcp_syncookies', linuxName: 'net.ipv4.tcp_syncookies', value: 1, default: 1, min: 0, max: 2, doc: 'SYN cookies' },
    { name: 'msl', value: 30, default: 30, min: 1, max: 600, unit: 's', doc: 'MSL' },
    { name: 'isn_clock', value: '64ns', default: '64ns', choices: ['64ns', '4us'], doc: 'ISN clock' },
  ];

  it('lists knobs with value, default, range, and whether changed (live from the snapshot)', () => {
    const rows = knobRows(knobs, { msl: 5 });
    expect(rows.map((r) => [r.name, r.valueText, r.defaultText, r.range, r.changed])).toEqual([
      ['isn_clock', '64ns', '64ns', '64ns | 4us', false],
      ['msl', '5 s', '30 s', '1..600', true],
      ['tcp_syncookies', '1', '1', '0..2', false],
    ]);
  });

  it('checks typed values and explains refusals in both languages', () => {
    expect(parseKnobInput(knobs[0], '2', 'en')).toEqual({ ok: true, value: 2 });
    expect(parseKnobInput(knobs[0], '3', 'en')).toEqual({ ok: false, message: 'tcp_syncookies must be at most 2' });
    expect(parseKnobInput(knobs[1], '0', 'en')).toEqual({ ok: false, message: 'msl must be at least 1 s' });
    expect(parseKnobInput(knobs[1], '1.5', 'zh')).toEqual({ ok: false, message: 'msl 必须是整数' });
    expect(parseKnobInput(knobs[2], '4us', 'en')).toEqual({ ok: true, value: '4us' });
    expect(parseKnobInput(knobs[2], '1ns', 'en')).toEqual({ ok: false, message: 'isn_clock must be one of: 64ns, 4us' });
    expect(parseKnobInput(undefined, '1', 'en', 'nope')).toEqual({ ok: false, message: 'no knob named nope' });
  });
});

describe('trace lines', () => {
  it('prints segments tcpdump-style with the direction and the verdict', () => {
    const l = traceLine(segEv(1, 1234.5, 'in', 'S', 5000, null));
    expect(l).toMatchObject({ tag: 'IN', time: '1.234', conn: 1, role: 'opening' });
    expect(traceText(l)).toBe('1.234 IN     10.77.0.1.40001 > 10.77.0.2.80: Flags [S], seq 5000, win 65535, length 0');
    expect(traceLine(segEv(1, 0, 'in', '.', 1, 1, 0, undefined, 'dropped: bad ack')).text).toMatch(/\[dropped: bad ack\]$/);
  });

  it('interleaves transitions, timers, queues and lab notes', () => {
    expect(traceLine(stateEv(3, 0, 'ESTABLISHED', 'FIN-WAIT-1', 'user close')).text).toBe('#3 ESTABLISHED -> FIN-WAIT-1 (user close)');
    expect(traceLine(timerEv(3, 1000, 'retransmit', 'set', 1200)).text).toBe('#3 retransmit set in 200ms');
    expect(traceLine({ kind: 'queue', seq: 9, at: 0, listener: 1, port: 80, queue: 'accept', op: 'overflow', length: 2, limit: 2, conn: null, detail: 'ACK dropped' }))
      .toMatchObject({ tag: 'QUEUE', text: ':80 accept queue overflow 2/2 (ACK dropped)', role: 'error' });
    expect(traceLine({ kind: 'lab', seq: 10, at: 0, topic: 'knob', message: 'msl = 5' }).text).toBe('knob: msl = 5');
  });
});

describe('lab clock', () => {
  it('runs on from the newest lab time seen and never goes back', () => {
    const c = new LabClock();
    expect(c.now(0)).toBe(0);
    c.observe(5000, 100);
    expect(c.now(600)).toBe(5500);
    c.observe(5200, 600);            // an older lab time arriving late changes nothing
    expect(c.now(600)).toBe(5500);
    c.observe(9000, 700);
    expect(c.now(700)).toBe(9000);
    c.observe(9000, 700, 0.5);
    expect(c.now(900)).toBe(9100);
  });

  it('starts from the lab\'s time when the snapshot was sent, not from its last change', () => {
    const idle = { at: 1000, info: { timeScale: 1 } } as Snapshot;
    const c = new LabClock();
    c.follow(idle, 100, 61_000);
    expect(c.labNow(600)).toBe(61_500);
    const d = new LabClock();
    d.follow(idle, 100);
    expect(d.labNow(600)).toBe(1500);
  });
});
