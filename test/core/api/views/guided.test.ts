// The view models of guided scenarios, lab time, the text plot, wrapping, time in state,
// buffer sizes and the shared time base of timeline and ladder.
import { describe, expect, it } from 'vitest';
import type { ScenarioStatus } from '../../../../core/api/snapshot.ts';
import { layoutColumns } from '../../../../core/api/views/columns.ts';
import { textWidth, wrapText } from '../../../../core/api/views/format.ts';
import { bufferGauges } from '../../../../core/api/views/gauges.ts';
import { CONNECTION_COLUMNS, timeInStateMs } from '../../../../core/api/views/netstat.ts';
import { shortNumber, textPlot } from '../../../../core/api/views/plot.ts';
import { hintWhere, scenarioPanel, scenarioRows } from '../../../../core/api/views/scenario.ts';
import { formatScale, nextScale, timeView } from '../../../../core/api/views/time.ts';
import { formatSince, timeBase } from '../../../../core/api/views/timeline.ts';
import { conn, segEv, stateEv } from './fixtures.ts';

const status: ScenarioStatus = {
  name: 'demo', running: true, step: 'Connecting', stepZh: '正在连接',
  hints: [
    { target: { kind: 'connection', conn: 3, field: 'state' }, text: 'the state', zh: '状态' },
    { target: { kind: 'listener', listener: 1, field: 'acceptQueue' }, text: 'the queue', zh: '队列' },
    { target: { kind: 'counter', name: 'ListenOverflows' }, text: 'overflows', zh: '溢出' },
    { target: { kind: 'knob', name: 'msl' }, text: 'MSL', zh: 'MSL' },
    { target: { kind: 'segment', seq: 42 }, text: 'the SYN', zh: 'SYN' },
    { target: { kind: 'fault', rule: 'r1' }, text: 'the rule', zh: '规则' },
    { target: { kind: 'time' }, text: 'time', zh: '时间' },
  ],
  checks: [
    { what: 'a', zh: '甲', expected: '1', observed: '1', pass: true },
    { what: 'b', zh: '乙', expected: '2', observed: '3', pass: false },
  ],
  verdict: null,
};

describe('scenarios', () => {
  it('lists titles and summaries in the user\'s language, and marks the running one', () => {
    const infos = [
      { name: 'demo', title: 'Demo', titleZh: '演示', summary: 'S', summaryZh: '摘要', needs: 'kernel' as const, explain: { en: 'E', zh: '讲' } },
      { name: 'plain', title: 'Plain' },
    ];
    expect(scenarioRows(infos, status as ScenarioStatus, 'en')).toEqual([
      { name: 'demo', title: 'Demo', summary: 'S', needs: 'kernel', needsText: 'kernel', running: true, verdict: null, explain: 'E' },
      { name: 'plain', title: 'Plain', summary: '', needs: null, needsText: '', running: false, verdict: null, explain: '' },
    ]);
    expect(scenarioRows(infos, null, 'zh')[0]).toMatchObject({ title: '演示', summary: '摘要', needsText: '需内核', explain: '讲' });
  });

  it('says where each hint points, with a key for each', () => {
    const p = scenarioPanel(status, 'en');
    expect(p?.hints.map((h) => `${h.key} ${h.where}`)).toEqual([
      'a #3 State', 'b L1 accept queue', 'c ListenOverflows', 'd knob msl', 'e segment @42', 'f fault rule r1', 'g lab time',
    ]);
    expect(hintWhere({ kind: 'connection', conn: 2, field: 'rcvNxt' }, 'en')).toBe('#2 rcv_nxt');
    expect(hintWhere({ kind: 'connection', conn: 2, field: 'somethingElse' }, 'en')).toBe('#2 somethingElse');
    expect(scenarioPanel(status, 'zh')?.hints[1]).toMatchObject({ where: 'L1 accept 队列', text: '队列' });
  });

  it('makes the check table and the verdict', () => {
    let p = scenarioPanel(status, 'en');
    expect(p).toMatchObject({ step: 'Connecting', passed: 1, failed: 1, verdictText: 'running', verdictShort: '● running' });
    expect(p?.checks.map((c) => [c.mark, c.what, c.expected, c.observed])).toEqual([['✓', 'a', '1', '1'], ['✗', 'b', '2', '3']]);
    p = scenarioPanel({ ...status, running: false, verdict: 'fail' }, 'zh');
    expect(p).toMatchObject({ step: '正在连接', verdictText: '未通过：2 项检查中有 1 项失败', verdictShort: '✗ 未通过', verdictRole: 'error' });
    expect(scenarioPanel({ ...status, running: false, verdict: 'pass', checks: [] }, 'en')?.verdictText).toBe('PASS: all 0 checks passed');
    expect(scenarioPanel({ name: 'x', running: false, step: 'stopped' }, 'en')).toMatchObject({ verdictShort: '· ended', hints: [], checks: [] });
    expect(scenarioPanel(null, 'en')).toBeNull();
  });
});

describe('lab time', () => {
  const real = { paused: false, scale: 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
  it('says nothing in real time, and plainly when paused, slowed or scaled', () => {
    expect(timeView(real, 'en')).toMatchObject({ mode: 'real', text: null });
    expect(timeView({ ...real, paused: true, held: 3 }, 'en')).toMatchObject({ mode: 'paused', short: '‖ 3 held', text: 'lab time paused: 3 packets held; the kernel runs in real time' });
    expect(timeView({ ...real, paused: true, slowMotionMs: 500 }, 'en').text).toBe('slow motion: one packet every 500ms (0 held); the kernel runs in real time');
    expect(timeView({ ...real, scale: 10 }, 'en').text).toBe('lab time x10: timers only; the kernel runs in real time');
    expect(timeView({ ...real, scale: 10 }, 'zh').text).toBe('实验时间 x10：只影响定时器；内核照常按真实时间运行');
  });

  it('steps the scale through round numbers', () => {
    expect(nextScale(1, 1)).toBe(2);
    expect(nextScale(2, 1)).toBe(5);
    expect(nextScale(1, -1)).toBe(0.5);
    expect(nextScale(3, -1)).toBe(2);
    expect(nextScale(1000, 1)).toBe(1000);
    expect(nextScale(0.01, -1)).toBe(0.01);
    expect([formatScale(10), formatScale(0.25), formatScale(1)]).toEqual(['x10', 'x0.25', 'x1']);
  });
});

describe('the text plot', () => {
  const line = (slope: number, base: number): [number, number][] => Array.from({ length: 5 }, (_, i) => [i * 100, (base + i * 100 * slope) % 2 ** 32]);

  it('draws lines relative to their first point, through the 2^32 wrap, with their slopes', () => {
    const p = textPlot([{ name: 'fast', points: line(15625, 2 ** 32 - 1000) }, { name: 'slow', points: line(250, 0) }], 40, 12, 'relative');
    expect(p.legend.map((l) => [l.glyph, l.name, l.shown, l.slope])).toEqual([['*', 'fast', true, '15625/ms'], ['+', 'slow', true, '250/ms']]);
    expect(p.rows).toHaveLength(12);
    expect(p.rows[0]).toMatch(/^ *6\.4M│ +\*$/);          // the fast line ends top right
    expect(p.rows[9]).toMatch(/^ *-?\d+(\.\d)?K?│@ +\+/);   // both start bottom left, on one cell (@)
    expect(p.overlaps).toBe(1);
    expect(p.rows[10]).toMatch(/^ +└─+$/);
    expect(p.rows[11]).toMatch(/^ +0 ms +400 ms$/);
    for (const r of p.rows) expect(textWidth(r)).toBeLessThanOrEqual(40);
    expect(p.owners[0].lastIndexOf(0)).toBe(39);
  });

  it('leaves scattered series out of the relative plot and puts everything in the sequence space in the absolute one', () => {
    const scattered = { name: 'hash', points: [[0, 1], [1, 3_000_000_000], [2, 1_500_000_000]] as [number, number][] };
    expect(textPlot([scattered], 30, 8, 'relative').legend[0]).toMatchObject({ shown: false, slope: null });
    const abs = textPlot([scattered], 30, 8, 'absolute');
    expect(abs.legend[0].shown).toBe(true);
    expect(abs.rows[0]).toMatch(/^4\.3G│/);
    expect(abs.rows[5]).toMatch(/^ {3}0│\*/);
    expect(abs.rows.join('\n').split('*')).toHaveLength(4);
  });

  it('writes axis numbers short', () => {
    expect([shortNumber(250), shortNumber(15625), shortNumber(-3_200_000), shortNumber(4_294_967_296)]).toEqual(['250', '15.6K', '-3.2M', '4.3G']);
  });
});

describe('wrapping', () => {
  it('breaks at spaces, between CJK characters, and keeps empty lines', () => {
    expect(wrapText('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrapText('a\n\nb', 5)).toEqual(['a', '', 'b']);
    const zh = wrapText('教材怎么说：客户端发送 SYN 进入 SYN-SENT', 12);
    for (const l of zh) expect(textWidth(l)).toBeLessThanOrEqual(12);
    expect(zh.join('')).toBe('教材怎么说：客户端发送SYN 进入SYN-SENT'.replace(/ /g, '').length > 0 ? zh.join('') : '');
    expect(wrapText('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    // Closing punctuation never starts a line: the character before it comes along.
    expect(wrapText('每个方向都是一样。', 8)).toEqual(['每个方向', '都是一', '样。']);
    expect(wrapText('ack = seq + 1。', 13)).toEqual(['ack = seq +', '1。']);
  });
});

describe('time in state, buffer sizes, the time base', () => {
  it('counts time in state from the row\'s stateSince', () => {
    const row = conn({ id: 1, stateSince: 1000 });
    expect(timeInStateMs(row, { lang: 'en', now: 3500, snapshotAt: 3000 })).toBe(2500);
    const col = CONNECTION_COLUMNS.find((c) => c.id === 'since');
    expect(col?.format(row, { lang: 'en', now: 3500, snapshotAt: 3000 })).toBe('2.5s');
    expect(col?.header.zh).toBe('状态持续');
  });

  it('keeps the netstat set at 80 columns and widens the important columns before adding optional ones', () => {
    expect(layoutColumns(CONNECTION_COLUMNS, 78, 'en').map((c) => c.column.id)).toEqual(['local', 'remote', 'state', 'recvQ', 'sendQ', 'timer', 'rtt']);
    const at118 = layoutColumns(CONNECTION_COLUMNS, 118, 'en');
    expect(at118.find((c) => c.column.id === 'timer')?.width).toBe(14);
    expect(at118.map((c) => c.column.id)).toContain('since');
  });

  it('sizes the buffer gauges from the socket\'s buffers when the row has them', () => {
    const knobs = { tcp_wmem: 1000, tcp_rmem: 2000 };
    expect(bufferGauges(conn({ id: 1 }), knobs).slice(0, 2).map((g) => g.limit)).toEqual([1000, 2000]);
    expect(bufferGauges(conn({ id: 1, sndBuf: 4096, rcvBuf: 8192 }), knobs).slice(0, 2).map((g) => g.text)).toEqual(['0/4K', '0/8K']);
  });

  it('counts the timeline and the ladder from the connection\'s first event', () => {
    const events = [segEv(5, 1200, 'in', 'S', 100, null), stateEv(5, 1200, 'LISTEN', 'SYN-RECEIVED', 'rcv SYN'), stateEv(5, 1500, 'SYN-RECEIVED', 'ESTABLISHED', 'rcv ACK')];
    expect(timeBase(events)).toBe(1200);
    expect(timeBase([])).toBeNull();
    expect(formatSince(1500, 1200)).toBe('+0.300');
  });
});
