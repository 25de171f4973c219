// The connections table as the user sees it at 80x24: rows from a real lab on the simulated
// wire, state colours' markers, filter and sort, and scrolling through 10,000 rows.
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, startTui, type Harness } from './harness.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const rowLines = (frame: string): string[] => frame.split('\n').filter((l) => /^[=~<>!·L] /.test(l));

describe('the connections table (80x24)', () => {
  it('shows the netstat columns and a row per connection', async () => {
    h = await startTui();
    expect(h.frame()).toContain('no connections');
    const f = await h.press('o', '7', KEYS.enter, 'o', '80', KEYS.enter);
    const lines = f.split('\n');
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatch(/^tcplab +1 Connections +2 +3 +4 +5 +6 +7 +own lab · simulated wire/);
    expect(f).toMatch(/Local Address +Peer Address +State +Recv-Q +Send-Q +Timer +RTT ms/);
    expect(f).toContain('2 of 2');
    const rows = rowLines(f);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^= 10\.77\.0\.2:\d+ +10\.77\.0\.1:7 +ESTABLISHED +0 +0/);
    expect(rows[1]).toMatch(/10\.77\.0\.1:80 +ESTABLISHED/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('shows the run\'s notice in full while there are no connections (the status line truncates it)', async () => {
    const notice = 'this run has its own namespace tcplab-42 with TUN tl42 (kernel 10.77.0.1/24, lab 10.77.0.2), deleted on exit; try: tcplab listen 80 --responder http, then ip netns exec tcplab-42 curl http://10.77.0.2/';
    h = await startTui({ notice });
    const f = h.frame();
    expect(f).toContain('no connections');
    expect(f.split('\n').filter((l) => l.startsWith('  ')).join(' ').replace(/\s+/g, ' ')).toContain('ip netns exec tcplab-42 curl http://10.77.0.2/');
    const g = await h.press('o', '7', KEYS.enter);
    expect(g).not.toContain('ip netns exec tcplab-42 curl');
  });

  it('shows how long each connection has been in its state, where there is room (120 columns)', async () => {
    h = await startTui({ width: 120, height: 30 });
    await h.press('o', '9', KEYS.enter);
    await h.settle(3000);
    await h.press('c');
    await h.settle(1500);
    const f = h.frame();
    expect(f).toMatch(/Peer Address +State +In state +Recv-Q/);
    expect(f).toMatch(/10\.77\.0\.1:9 +TIME-WAIT +1\.\ds +0 +0 timewait 58s/);
  });

  it('counts TIME-WAIT down in the timer column, with its own marker', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    const f = await h.press('c');
    expect(f).toContain('✓ close 1: FIN queued');
    expect(rowLines(f)[0]).toMatch(/^~ .*TIME-WAIT +0 +0 timewait 59s/);
    await h.settle(10_000);
    expect(rowLines(h.frame())[0]).toMatch(/timewait 4\ds/);
  });

  it('filters with / (and explains a bad filter)', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter, 'o', '80', KEYS.enter, 'o', '7', KEYS.enter, KEYS.home, 'c');
    let f = await h.press('/', 'state:time');
    expect(f).toContain('filter (text, state:ESTABLISHED, port:80, !state:TIME-WAIT): state:time');
    f = await h.press(KEYS.enter);
    expect(rowLines(f)).toHaveLength(1);
    expect(f).toMatch(/1 of 3 · filter: state:time/);
    f = await h.press('/', KEYS.ctrlU, '!state:TIME-WAIT port:80', KEYS.enter);
    expect(rowLines(f)).toHaveLength(1);
    expect(rowLines(f)[0]).toContain('10.77.0.1:80');
    f = await h.press('/', KEYS.ctrlU, 'stat:x', KEYS.enter);
    expect(f).toContain("✗ unknown filter key 'stat'");
    f = await h.press(KEYS.escape);
    expect(f).toContain('filter: !state:TIME-WAIT port:80');
  });

  it('sorts with s and reverses with S', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter, 'o', '80', KEYS.enter, 'o', '7', KEYS.enter);
    let f = await h.press('s', 's', 's');   // state, local, remote
    expect(f).toContain('sorted by Peer Address ↑');
    expect(rowLines(f).map((l) => /10\.77\.0\.1:(\d+)/.exec(l)?.[1])).toEqual(['7', '9', '80']);
    f = await h.press('S');
    expect(f).toContain('sorted by Peer Address ↓');
    expect(rowLines(f).map((l) => /10\.77\.0\.1:(\d+)/.exec(l)?.[1])).toEqual(['80', '9', '7']);
  });

  it('scrolls through 10,000 connections, rendering only the visible rows', async () => {
    h = await startTui({
      backend: 'fake',
      setupFake: (fake) => {
        void fake.handlers.listen({ port: 80, backlog: 128, responder: 'echo' });
        for (let i = 0; i < 10_000; i++) fake.incoming(1);
      },
    });
    let f = h.frame();
    expect(f).toContain('10000 of 10000');
    expect(rowLines(f)).toHaveLength(19);
    expect(rowLines(f)[0]).toContain('10.77.0.1:40000 ');
    f = await h.press(KEYS.end);
    expect(rowLines(f)).toHaveLength(19);
    expect(rowLines(f).at(-1)).toContain('10.77.0.1:49999 ');
    expect(h.controller.state.selectedConn).toBe(10_000);
    f = await h.press(KEYS.pageUp, KEYS.pageUp);
    expect(h.controller.state.selectedConn).toBe(10_000 - 36);
    expect(rowLines(f)[0]).toContain('10.77.0.1:49963 ');
    f = await h.press(KEYS.home, KEYS.pageDown, KEYS.down, 'j', 'k');
    expect(h.controller.state.selectedConn).toBe(20);
    expect(rowLines(f).at(-1)).toContain('10.77.0.1:40020 ');   // the view scrolled to 21 and stays
    f = await h.press('/', 'rport:45000', KEYS.enter);
    expect(f).toContain('1 of 10000');
    expect(rowLines(f)).toHaveLength(1);
  });
});
