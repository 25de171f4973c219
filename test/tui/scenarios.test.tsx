// The scenarios view as the user reads it: the list (titles in both languages, what each
// needs), running one with Enter, its step, the hints (a-h and > jump to the row, gauge,
// counter, knob or segment and mark it), the check table and the verdict, the explanation (i),
// the ISN-like plot (v), stop (X); at 80x24 and 160x48, English and Chinese. A small scenario of
// the test's own runs on the real lab (simulated wire, manual clocks).
import { afterEach, describe, expect, it } from 'vitest';
import { defineScenario, watchConn, watchCounter, watchKnob, watchListener, watchSegment } from '../../core/lab/scenarios/framework.ts';
import type { Lab } from '../../core/lab/lab.ts';
import type { Scenario } from '../../core/lab/scenarios.ts';
import { KEYS, startTui, type Harness } from './harness.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const TWO32 = 2 ** 32;

/** Connects to the peer's echo port, points at everything, checks, plots two clocks and a scatter. */
const demo = defineScenario({
  name: 'demo',
  title: 'A demonstration of the scenario panel',
  titleZh: '场景面板的演示',
  summary: 'The lab listens on 7000 and connects to the echo port; hints point at the row, the SYN queue, a counter, a knob and the SYN.',
  summaryZh: '实验室在 7000 端口监听并连接 echo 端口;提示指向连接行、半连接队列、计数器、参数和 SYN。',
  needs: 'any',
  explain: {
    en: 'What the material says: the first paragraph of the explanation.\n\nWhat Linux does: the second paragraph, long enough to be wrapped over several lines of an 80 column terminal, so that scrolling can be tried with PgDn.',
    zh: '教材怎么说:讲解的第一段。\n\nLinux 怎么做:第二段,足够长,在 80 列的终端上要折成好几行,这样可以用 PgDn 试试滚动。',
  },
  async run(s) {
    s.step('Listening on 7000, connecting to echo', '在 7000 端口监听,连接 echo');
    const listener = s.listen(7000, { responder: 'echo' });
    const conn = s.connect(7);
    await s.until(() => s.lab.snapshot().connections.some((r) => r.id === conn && r.state === 'ESTABLISHED'), 5000);
    const syn = s.seen.segments(conn).find((e) => e.dir === 'out' && e.segment.flags === 'S');
    s.watch(
      watchConn(conn, 'state', 'The state of our connection', '我们连接的状态'),
      watchListener(listener, 'synQueue', 'The SYN queue of our listener', '我们监听的半连接队列'),
      watchCounter('ActiveOpens', 'One active open', '一次主动打开'),
      watchKnob('msl', 'MSL sets TIME-WAIT', 'MSL 决定 TIME-WAIT'),
      ...(syn === undefined ? [] : [watchSegment(syn.seq, 'Our SYN', '我们的 SYN')]),
    );
    s.step('Connected; checking', '已连接;检查');
    const row = s.lab.snapshot().connections.find((r) => r.id === conn);
    s.check('the connection is established', '连接已建立', 'ESTABLISHED', row?.state ?? 'gone', row?.state === 'ESTABLISHED');
    s.check('two plus two', '二加二', '4', '5', false);
    const line = (slope: number, base: number): [number, number][] => Array.from({ length: 10 }, (_, i) => [i * 100, (base + i * 100 * slope) % TWO32]);
    s.series({ name: 'fast clock', unit: 'ms, seq', points: line(15625, 4_000_000_000) });
    s.series({ name: 'slow clock', unit: 'ms, seq', points: line(250, 1_000) });
    s.series({ name: 'scattered', unit: 'ms, seq', points: [[0, 5], [1, 2_000_000_000], [2, 900_000_000], [3, 3_500_000_000]] });
    await s.sleep(60_000);
  },
});

const start = (opts: Parameters<typeof startTui>[0] = {}): Promise<Harness> =>
  startTui({ scenarios: [demo as unknown as Scenario<Lab>], ...opts });

describe('the scenarios view (80x24)', () => {
  it('lists the scenarios with what they need, and runs one with Enter', async () => {
    h = await start();
    let f = await h.press('7');
    expect(f.split('\n')[0]).toMatch(/^tcplab +1 +2 +3 +4 +5 +6 +7 Scenarios/);
    expect(f).toMatch(/─ Scenarios ─+ 1 ─/);
    expect(f).toMatch(/^ {2}demo +A demonstration of the scenario panel/m);
    expect(f).toContain('─ demo · A demonstration of the scenario panel');
    expect(f).toContain('The lab listens on 7000 and connects to the echo port;');
    expect(f).toContain('not run yet: Enter runs it, i explains it');
    expect(f).toContain('↑↓:choose Enter:run X:stop a-h:go to hint i:explain v:plot ?:help');

    f = await h.press(KEYS.enter);
    expect(f).toContain('✓ scenario demo started');
    f = await h.settle(500);
    expect(f).toMatch(/^● demo/m);
    expect(f).toMatch(/● running ─$/m);
    // The step is the scenario's latest (its checks are steps too).
    expect(f).toMatch(/^step: check FAILED: two plus two: expected 4, observed 5$/m);
    expect(f).toMatch(/^a\) #1 State +The state of our connection$/m);
    expect(f).toMatch(/^b\) L1 SYN queue +The SYN queue of our listener$/m);
    expect(f).toMatch(/^c\) ActiveOpens +One active open$/m);
    expect(f).toMatch(/^d\) knob msl +MSL sets TIME-WAIT$/m);
    expect(f).toMatch(/^e\) segment @\d+ +Our SYN$/m);
    expect(f).toMatch(/─ Checks ─+ ✓ 1 {2}✗ 1 ─/);
    expect(f).toMatch(/^✓ the connection is established$/m);
    expect(f).toMatch(/^ {4}expected = observed: ESTABLISHED$/m);
    expect(f).toMatch(/^✗ two plus two$/m);
    expect(f).toMatch(/^ {4}expected 4 · observed 5$/m);
    expect(f).toMatch(/^● running$/m);

    // The end: the verdict, in the list and the panel.
    await h.settle(61_000);
    f = await h.settle(500);
    expect(f).toMatch(/^✗ demo/m);
    expect(f).toMatch(/✗ fail ─$/m);
    expect(f).toContain('FAIL: 1 of 2 checks failed');
  });

  it('jumps to what the hints point at, and marks it', async () => {
    h = await start();
    await h.press('7', KEYS.enter);
    await h.settle(500);
    // a: the connection's row, its state cell marked
    let f = await h.press('a');
    expect(f).toContain('─ Connections ─');
    expect(f).toMatch(/^=»10\.77\.0\.2:\d+ +10\.77\.0\.1:7 +ESTABLISHED/m);
    expect(f).toContain('a) #1 State: The state of our connection');
    expect(h.controller.state.selectedConn).toBe(1);
    // b: the listener, its SYN queue gauge
    f = await h.press('7', 'b');
    expect(f).toContain('─ Listeners ─');
    expect(f).toMatch(/^L»10\.77\.0\.2:7000 +echo/m);
    expect(f).toMatch(/^» SYN queue +░+ 0\/128/m);
    expect(f).toMatch(/^ {2}accept queue/m);
    // c: the counter
    f = await h.press('7', 'c');
    expect(f).toMatch(/^» ActiveOpens +1/m);
    // d: the knob, selected
    f = await h.press('7', 'd');
    expect(f).toMatch(/^ »msl/m);
    expect(f).toMatch(/^msl = /m);
    // e: the SYN on the ladder of its connection, marked
    f = await h.press('7', 'e');
    expect(f).toContain('─ Segments ─');
    expect(f).toMatch(/^ +\+0\.000»SYN-SENT +├─+ S seq 0 win 65535 len 0 ─+▶┤$/m);
    expect(f).toMatch(/^ +\+0\.001 ESTABLISHED +├◀─+ S\. seq 0 ack 1/m);
    // > cycles through them from any view
    f = await h.press(KEYS.escape, '1', '>');
    expect(f).toContain('a) #1 State');
    f = await h.press('>');
    expect(f).toContain('b) L1 SYN queue');
  });

  it('explains the scenario (i) and plots its series (v)', async () => {
    h = await start();
    let f = await h.press('7', 'i');
    expect(f).toContain('─ Explanation: demo');
    expect(f).toContain('What the material says: the first paragraph of the explanation.');
    expect(f).toContain('What Linux does: the second paragraph, long enough to be wrapped over several');
    f = await h.press('i', KEYS.enter);
    await h.settle(500);
    f = await h.press('v');
    expect(f).toContain('ISN growth since the first connection (slope = the clock)');
    expect(f).toContain('* fast clock  15625/ms');
    expect(f).toContain('+ slow clock  250/ms');
    expect(f).toContain('o scattered  scattered by F (no slope): press v for the absolute plot');
    expect(f).toMatch(/│.*\*/);
    expect(f).toMatch(/└─+/);
    expect(f).toMatch(/0 ms +900 ms/);
    f = await h.press('v');
    expect(f).toContain('ISN in the 32-bit sequence space (0 to 2^32)');
    expect(f).toMatch(/^4\.3G│/m);
    expect(f).toMatch(/^ {3}0│@ +\+/m);
    expect(f).toContain('@ several series on one point (they coincide)');
    f = await h.press('v');
    expect(f).toContain('─ Checks ─');
  });

  it('stops the running scenario with X', async () => {
    h = await start();
    await h.press('7', KEYS.enter);
    await h.settle(500);
    const f = await h.press('X');
    expect(f).toContain('✓ scenario stopped');
    expect(f).toMatch(/^step: stopped$/m);
    // 'stopped' once the lab sets that verdict on scenarioStop (requested); until then it has just ended.
    expect(f).toMatch(/(■ stopped|· ended) ─$/m);
    expect(f).toMatch(/^ {2}demo/m);
  });

  it('speaks Chinese: titles, steps, hints, checks', async () => {
    h = await start({ lang: 'zh' });
    await h.press('7', KEYS.enter);
    const f = await h.settle(500);
    expect(f).toMatch(/^● demo +场景面板的演示/m);
    expect(f).toMatch(/^步骤: /m);
    expect(f).toMatch(/^a\) #1 状态 +我们连接的状态$/m);
    expect(f).toMatch(/^b\) L1 SYN 队列 +我们监听的半连接队列$/m);
    expect(f).toMatch(/^✓ 连接已建立$/m);
    expect(f).toMatch(/^ {4}预期 4 · 观察到 5$/m);
    for (const l of f.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe('a long explanation on a short terminal', () => {
  it('scrolls with PgDn and PgUp, and Esc closes it', async () => {
    h = await start({ height: 10 });
    let f = await h.press('7', 'i');
    expect(f).toMatch(/─ Explanation: demo ─+ 1-\d\/\d+ PgUp PgDn ─/);
    expect(f).toContain('What the material says');
    f = await h.press(KEYS.pageDown);
    expect(f).not.toContain('What the material says');
    expect(f).toContain('terminal, so that scrolling can be tried with PgDn.');
    f = await h.press(KEYS.pageUp);
    expect(f).toContain('What the material says');
    f = await h.press(KEYS.escape);
    expect(f).not.toContain('Explanation');
  });
});

describe('the scenarios view (160x48)', () => {
  it('shows the list beside the panel, with the plot under the checks', async () => {
    h = await start({ width: 160, height: 48 });
    await h.press('7', KEYS.enter);
    const f = await h.settle(500);
    const lines = f.split('\n');
    expect(lines).toHaveLength(48);
    expect(lines[1]).toMatch(/^─ Scenarios ─+ 1 ─ ─ demo · A demonstration of the scenario panel ─+ ● running ─$/);
    expect(lines[2]).toMatch(/^● demo +A demonstration of the scenario panel +The lab listens on 7000/);
    expect(f).toMatch(/ {2}a\) #1 State +The state of our connection/);
    expect(f).toMatch(/✗ two plus two/);
    expect(f).toContain('ISN growth since the first connection (slope = the clock)');
    expect(f).toContain('* fast clock  15625/ms');
  });
});
