// Timeline, ladder, gauges, timers: the selected-connection views.
import { beforeEach, describe, expect, it } from 'vitest';
import { bufferGauges, gauge, listenerView, listenerViews } from '../../../../core/api/views/gauges.ts';
import { ladderRows } from '../../../../core/api/views/ladder.ts';
import { LISTENER_COLUMNS } from '../../../../core/api/views/listeners.ts';
import { buildTimeline } from '../../../../core/api/views/timeline.ts';
import { timerCountdowns } from '../../../../core/api/views/timers.ts';
import { conn, listener, resetSeq, segEv, stateEv, summary, timerEv } from './fixtures.ts';

beforeEach(resetSeq);

describe('timeline', () => {
  it('lists each state with entry time, duration and cause', () => {
    const events = [
      stateEv(1, 100, 'LISTEN', 'SYN-RECEIVED', 'rcv SYN', summary('in', 'S', 5000, null)),
      segEv(1, 100, 'out', 'S.', 1000, 5001, 0, 'SYN-RECEIVED'),
      stateEv(1, 102, 'SYN-RECEIVED', 'ESTABLISHED', 'rcv ACK', summary('in', '.', 5001, 1001)),
      stateEv(1, 5000, 'ESTABLISHED', 'CLOSE-WAIT', 'rcv FIN', summary('in', 'F.', 5001, 1001)),
      stateEv(1, 5100, 'CLOSE-WAIT', 'LAST-ACK', 'user close'),
    ];
    const tl = buildTimeline(events, 6000);
    expect(tl.entries.map((e) => [e.state, e.enteredAt, e.durationMs, e.causeKind])).toEqual([
      ['SYN-RECEIVED', 100, 2, 'segment'],
      ['ESTABLISHED', 102, 4898, 'segment'],
      ['CLOSE-WAIT', 5000, 100, 'segment'],
      ['LAST-ACK', 5100, 900, 'user'],
    ]);
    expect(tl.entries.at(-1)!.current).toBe(true);
    expect(tl.entries[2].segment?.flags).toBe('F.');
    expect(tl.lanes.map((l) => l.state)).toEqual(['SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK']);
    expect(tl.start).toBe(100);
  });

  it('says when a timer caused a transition', () => {
    const tl = buildTimeline([stateEv(1, 0, 'TIME-WAIT', 'CLOSED', 'timer TIME-WAIT')], 1);
    expect(tl.entries[0].causeKind).toBe('timer');
  });
});

describe('ladder', () => {
  const segs = () => [
    segEv(1, 0, 'in', 'S', 5000, null, 0, 'LISTEN'),
    segEv(1, 0, 'out', 'S.', 1000, 5001, 0, 'SYN-RECEIVED'),
    segEv(1, 1, 'in', '.', 5001, 1001, 0, 'SYN-RECEIVED'),
    segEv(1, 2, 'in', 'P.', 5001, 1001, 100, 'ESTABLISHED'),
    segEv(1, 3, 'out', '.', 1001, 5101, 0, 'ESTABLISHED'),
    segEv(1, 4, 'in', 'R', 9999, null, 0, 'ESTABLISHED', 'dropped: out of window'),
  ];

  it('shows absolute numbers by default', () => {
    const rows = ladderRows(segs(), { relative: false });
    expect(rows[1]).toMatchObject({ dir: 'out', flags: 'S.', seq: 1000, ack: 5001, state: 'SYN-RECEIVED' });
    expect(rows[3].label).toBe('P. seq 5001:5101 ack 1001 win 65535 len 100');
  });

  it('makes seq and ack relative to each side\'s ISN', () => {
    const rows = ladderRows(segs(), { relative: true });
    expect(rows.map((r) => [r.dir, r.flags, r.seq, r.ack])).toEqual([
      ['in', 'S', 0, null], ['out', 'S.', 0, 1], ['in', '.', 1, 1], ['in', 'P.', 1, 1], ['out', '.', 1, 101], ['in', 'R', 4999, null],
    ]);
    expect(rows[1].end).toBe(1);
    expect(rows[3].end).toBe(101);
  });

  it('uses the row\'s ISNs when the SYNs are gone from the log', () => {
    const rows = ladderRows(segs().slice(3), { relative: true, conn: { iss: 1000, irs: 5000 } });
    expect(rows[0].seq).toBe(1);
    expect(rows[0].ack).toBe(1);
  });

  it('does not call a SYN that made a request rejected', () => {
    const rows = ladderRows([segEv(1, 0, 'in', 'S', 5000, null, 0, 'LISTEN', 'accepted: SYN-RECEIVED')], { relative: false });
    expect(rows[0]).toMatchObject({ rejected: false, role: 'opening' });
  });

  it('marks rejected segments and RSTs', () => {
    const rows = ladderRows(segs(), { relative: false });
    expect(rows[5]).toMatchObject({ rejected: true, role: 'error', verdict: 'dropped: out of window' });
    expect(rows[0].role).toBe('opening');
  });
});

describe('gauges', () => {
  it('levels a gauge: ok, warn from 75%, full', () => {
    expect(gauge('a', 'gauge.acceptQueue', 1, 4).level).toBe('ok');
    expect(gauge('a', 'gauge.acceptQueue', 3, 4).level).toBe('warn');
    expect(gauge('a', 'gauge.acceptQueue', 4, 4)).toMatchObject({ level: 'full', text: '4/4', ratio: 1, role: 'error' });
    expect(gauge('a', 'gauge.acceptQueue', 0, 0).ratio).toBe(0);
  });

  it('shows a listener\'s queues, drops and cookies', () => {
    const v = listenerView(listener({ id: 1, acceptQueue: 4, acceptQueueLimit: 4, synQueue: 3, synQueueLimit: 1024, drops: { syn: 2, accept: 5 }, cookies: { sent: 7, recv: 1, failed: 0 },
      halfOpen: [{ remote: '10.77.0.1:40009', age: 3000, synAckRetries: 2, nextRetryIn: 1000 }] }));
    expect(v.accept.text).toBe('4/4');
    expect(v.accept.level).toBe('full');
    expect(v.syn.text).toBe('3/1024');
    expect(v.synDrops + v.acceptDrops).toBe(7);
    expect(v.cookiesText).toBe('7/1/0');
    expect(v.halfOpen[0]).toEqual({ peer: '10.77.0.1:40009', age: '3.0s', synAckRetries: 2, nextRetry: '1.0s' });
    const ctx = { lang: 'en' as const, now: 0, snapshotAt: 0 };
    expect(LISTENER_COLUMNS.map((c) => c.format(v, ctx))).toEqual(['10.77.0.2:80', 'echo', '3/1024', '4/4', '7', '7/1/0', 'accepting']);
  });

  it('tolerates listeners without the optional queue details and sorts by port', () => {
    const vs = listenerViews([listener({ id: 2, port: 8080 }), listener({ id: 1, port: 22 })]);
    expect(vs.map((v) => v.port)).toEqual([22, 8080]);
    expect(vs[0].cookiesText).toBe('0/0/0');
  });

  it('gives a connection\'s buffer and window gauges', () => {
    const g = bufferGauges(conn({ id: 1, sendQ: 65536, recvQ: 0, sndUna: 1000, sndNxt: 15600, cwndBytes: 14600, sndWnd: 64240 }), { tcp_wmem: 262144, tcp_rmem: 131072 });
    expect(g.map((x) => [x.id, x.text])).toEqual([['send', '64K/256K'], ['recv', '0/128K'], ['inflight', '14K/14K'], ['cwnd', '14K/14K']]);
    expect(g[2].level).toBe('full');
  });
});

describe('timer countdowns', () => {
  it('lists the five main timers with the time left', () => {
    const row = conn({ id: 1, timer: { name: 'retransmit', deadline: 1200, expiresIn: 1000 }, retransmits: 1 });
    const events = [timerEv(1, 150, 'delack', 'set', 190), timerEv(1, 180, 'delack', 'fire'), timerEv(1, 190, 'keepalive', 'set', 7_200_190)];
    const t = timerCountdowns({ row, events, now: 700, snapshotAt: 200 });
    expect(t.map((x) => [x.name, x.running, x.text])).toEqual([
      ['retransmit', true, '500ms'], ['delack', false, ''], ['keepalive', true, '1h59m'], ['persist', false, ''], ['time-wait', false, ''],
    ]);
    expect(t[0].retries).toBe(1);
    expect(t[1].last).toBe('fire');
  });

  it('marks an overdue timer and adds the extra timers while they run', () => {
    const row = conn({ id: 1, state: 'FIN-WAIT-2', timer: { name: 'fin-wait-2', deadline: 60_000, expiresIn: 60_000 } });
    const t = timerCountdowns({ row, events: [], now: 61_000, snapshotAt: 0 });
    expect(t.map((x) => x.name)).toContain('fin-wait-2');
    expect(t.find((x) => x.name === 'fin-wait-2')).toMatchObject({ overdue: true, text: '0ms' });
  });

  it('counts TIME-WAIT down from the state change when no timer event is known', () => {
    const row = conn({ id: 1, state: 'TIME-WAIT' });
    const t = timerCountdowns({ row, events: [stateEv(1, 1000, 'FIN-WAIT-2', 'TIME-WAIT', 'rcv FIN')], now: 11_000, snapshotAt: 0, knobs: { msl: 30 } });
    expect(t.find((x) => x.name === 'time-wait')).toMatchObject({ running: true, deadline: 61_000, text: '50s' });
  });
});
