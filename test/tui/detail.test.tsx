// The selected connection full screen: timeline, timers with time left, buffer gauges and the
// text ladder, as the user reads them at 80x24.
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, startTui, type Harness } from './harness.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const section = (frame: string, title: string, next: string): string[] => {
  const lines = frame.split('\n');
  const from = lines.findIndex((l) => l.includes(`─ ${title} `));
  const to = lines.findIndex((l, i) => i > from && l.includes(`─ ${next} `));
  return lines.slice(from + 1, to < 0 ? undefined : to);
};

describe('the connection detail (80x24)', () => {
  it('tells how to get there when nothing is selected', async () => {
    h = await startTui({ width: 160, height: 48 });
    expect(h.frame()).toContain('select a connection (↑/↓) to see its timeline, segments, buffers and timers');
  });

  it('shows the handshake, the close and TIME-WAIT with its countdown', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    await h.settle(1000);
    await h.press('c');
    const f = await h.press(KEYS.enter);
    expect(f.split('\n')[1]).toMatch(/^~ #1 10\.77\.0\.2:\d+ ⇄ 10\.77\.0\.1:9 TIME-WAIT/);
    const timeline = section(f, 'Timeline', 'Segments').map((l) => l.slice(0, 46).trimEnd());
    expect(timeline.filter((l) => /^ +\+/.test(l)).map((l) => l.replace(/ +/g, ' ').trim())).toEqual([
      expect.stringMatching(/^\+0\.000 SYN-SENT \d+ms ☞ user connect$/),
      expect.stringMatching(/^\+0\.00\d ESTABLISHED 1\.\ds ⇄ rcv SYN-ACK/),
      expect.stringMatching(/^\+1\.\d+ FIN-WAIT-1 \d+ms ☞ user/),
      expect.stringMatching(/^\+1\.\d+ FIN-WAIT-2 \d+ms ⇄ rcv ACK of FI/),
      expect.stringMatching(/^\+1\.\d+ TIME-WAIT \d+ms… ⇄ rcv FIN \[F\.\]$/),
    ]);
    expect(f).toMatch(/retransmit +off/);
    expect(f).toMatch(/TIME-WAIT +59s/);
    expect(f).toMatch(/snd buf +░+ 0\/256K/);
    const ladder = section(f, 'Segments', 'none');
    expect(ladder[0]).toMatch(/lab 10\.77\.0\.2:\d+ +kernel 10\.77\.0\.1:9/);
    const arrows = ladder.slice(1).filter((l) => l.includes('├')).map((l) => l.replace(/─+/g, '─').replace(/^ *\+[\d.]+ /, ''));
    expect(arrows).toEqual([
      'SYN-SENT     ├─ S seq 0 win 65535 len 0 ─▶┤',
      'ESTABLISHED  ├◀─ S. seq 0 ack 1 win 65535 len 0 ─┤',
      'ESTABLISHED  ├─ . seq 1 ack 1 win 2048 len 0 ─▶┤',
      'FIN-WAIT-1   ├─ F. seq 1 ack 1 win 2048 len 0 ─▶┤',
      'FIN-WAIT-2   ├◀─ . seq 1 ack 2 win 2048 len 0 ─┤',
      'TIME-WAIT    ├◀─ F. seq 1 ack 2 win 2048 len 0 ─┤',
      'TIME-WAIT    ├─ . seq 2 ack 2 win 2048 len 0 ─▶┤',
    ]);
    // The ladder counts from the same moment as the timeline: the FIN goes out as FIN-WAIT-1 begins.
    const finAt = ladder.find((l) => l.includes('FIN-WAIT-1'))?.trim().split(' ')[0];
    expect(finAt).toMatch(/^\+1\.\d{3}$/);
    expect(timeline.find((l) => l.includes('FIN-WAIT-1'))?.trim().split(/ +/)[0]).toBe(finAt);
    await h.settle(20_000);
    expect(h.frame()).toMatch(/TIME-WAIT +39s/);
  });

  it('switches between relative and absolute sequence numbers with r', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter, KEYS.enter);
    expect(h.frame()).toContain('relative sequence numbers');
    const f = await h.press('r');
    expect(f).toContain('absolute sequence numbers');
    const row = h.controller.selectedRow();
    expect(row).not.toBeNull();
    expect(f).toContain(`S seq ${row?.iss} win 65535`);
  });

  it('shows the receive buffer filling while the lab does not read', async () => {
    h = await startTui();
    await h.press('o', '19', KEYS.enter);   // chargen: the peer sends, the lab (manual) does not read
    await h.settle(2000);
    const f = await h.press(KEYS.enter);
    expect(f).toMatch(/rcv buf +█+ \d+K\/256K/);
    expect(f).toMatch(/ESTABLISHED +├◀─+ \. seq \d+ ack 1 win 2048 len 0/);
  });

  it('sizes the buffer gauges from the socket, not from the knobs of new sockets', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    await h.press('K', 'tcp_rmem=8192', KEYS.enter, 'K', 'tcp_wmem=4096', KEYS.enter);
    let f = await h.press('1', KEYS.enter);
    expect(f).toMatch(/snd buf +░+ 0\/256K/);
    expect(f).toMatch(/rcv buf +░+ 0\/256K/);
    // A connection made now gets the new sizes.
    await h.press(KEYS.escape, 'o', '9', KEYS.enter);
    f = await h.press(KEYS.end, KEYS.enter);
    expect(f).toMatch(/snd buf +░+ 0\/4K/);
    expect(f).toMatch(/rcv buf +░+ 0\/8K/);
  });

  it('says how long the connection has been in its state', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    await h.settle(2000);
    let f = await h.press(KEYS.enter);
    expect(f.split('\n')[1]).toMatch(/^= #1 10\.77\.0\.2:\d+ ⇄ 10\.77\.0\.1:9 ESTABLISHED 2\.\ds /);
    await h.settle(60_000);
    f = h.frame();
    expect(f.split('\n')[1]).toMatch(/ESTABLISHED 1m0\ds /);
  });

  it('keeps showing a connection after it has gone, and goes back with Esc', async () => {
    h = await startTui();
    await h.press('o', '80', KEYS.enter, 'w', 'GET / HTTP/1.0', KEYS.enter, 'w', KEYS.enter);
    await h.settle(1000);
    let f = await h.press(KEYS.enter, 'c');
    await h.settle(1000);
    f = h.frame();
    // Unread data was left (the HTTP answer): close sends an RST, as Linux does.
    expect(f).toContain('(connection 1 has gone)');
    expect(f).toMatch(/CLOSE-WAIT +├─+ R\. seq 17 ack 225 win 0 len 0 ─+▶┤/);
    expect(f).toMatch(/\+[\d.]+ CLOSED .* ☞ user close/);
    f = await h.press(KEYS.escape);
    expect(f).toContain('no connections');
  });
});
