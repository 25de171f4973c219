// The other views as the user reads them: counters with deltas, the trace pane, help listing
// every key, Chinese, and the large-terminal layout.
import { afterEach, describe, expect, it } from 'vitest';
import { textWidth } from '../../core/api/views/format.ts';
import { t } from '../../core/api/views/i18n.ts';
import { KEYMAP } from '../../tui/ui/keymap.ts';
import { KEYS, startTui, type Harness } from './harness.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

describe('counters', () => {
  it('groups them as netstat -s does, with deltas that z zeroes', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    let f = await h.press('3');
    expect(f).toMatch(/^Tcp$/m);
    expect(f).toMatch(/^ {2}ActiveOpens +1 +\+1 active connection openings/m);
    expect(f).toMatch(/^ {2}OutSegs +2 +\+2 segments sent/m);
    f = await h.press('z');
    expect(f).toMatch(/^ {2}ActiveOpens +1 +active connection openings/m);
    await h.press('o', '9', KEYS.enter);
    f = await h.press('3');
    expect(f).toMatch(/^ {2}ActiveOpens +2 +\+1 active/m);
    f = await h.press(KEYS.pageDown, KEYS.pageDown, KEYS.pageDown);
    expect(f).toMatch(/^(Ip|Icmp)$/m);
  });
});

describe('the trace pane', () => {
  it('shows events as tcpdump-like lines with transitions interleaved, and pauses', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    let f = await h.press('5');
    expect(f).toMatch(/^ +[\d.]+ STATE +#1 CLOSED -> SYN-SENT \(user connect\)$/m);
    expect(f).toMatch(/^ +[\d.]+ OUT +10\.77\.0\.2\.\d+ > 10\.77\.0\.1\.9: Flags \[S\], seq \d+/m);
    expect(f).toMatch(/^ +[\d.]+ STATE +#1 SYN-SENT -> ESTABLISHED \(rcv SYN-ACK\)$/m);
    f = await h.press(' ');
    expect(f).toContain('─ Trace ─');
    expect(f).toMatch(/trace paused ─$/m);
    await h.press('l', '8080', KEYS.enter);
    expect(h.frame()).not.toContain('listening on port 8080 (backlog');
    f = await h.press(' ');
    expect(f).toMatch(/LAB +listener: listening on port 8080/);
  });
});

describe('help', () => {
  it('lists every key, scrolling on a small terminal', async () => {
    h = await startTui();
    let f = await h.press('?');
    expect(f).toContain('─ Keys ─');
    expect(f).toContain('↑↓ PgUp PgDn scroll · any other key closes');
    let seen = f;
    for (let i = 0; i < 8; i++) {
      f = await h.press(KEYS.pageDown);
      seen += f;
    }
    for (const k of KEYMAP) expect(seen).toContain(`${k.keys.padEnd(15)} ${t('en', k.what)}`);
    f = await h.press('x');
    expect(f).toContain('─ Connections ─');
  });

  it('has descriptions short enough for 80 columns, in both languages', () => {
    for (const k of KEYMAP) {
      for (const lang of ['en', 'zh'] as const) expect(textWidth(t(lang, k.what)), `${lang} ${k.what}`).toBeLessThanOrEqual(80 - 2 - 15 - 1);
    }
  });

  it('fits on one screen at 160x48', async () => {
    h = await startTui({ width: 160, height: 48 });
    const f = await h.press('?');
    for (const k of KEYMAP) expect(f).toContain(k.keys.padEnd(15));
    expect(f).toContain('any key closes this help');
  });
});

describe('languages', () => {
  it('speaks Chinese with --lang zh, RFC state names unchanged', async () => {
    h = await startTui({ lang: 'zh' });
    await h.press('o', '9', KEYS.enter);
    let f = h.frame();
    expect(f.split('\n')[0]).toMatch(/^tcplab +1 连接 +2 监听 +3 计数器 +4 参数 +5 跟踪 +6 故障/);
    expect(f).toMatch(/本地地址 +对端地址 +状态/);
    expect(f).toContain('ESTABLISHED');
    expect(f).toContain('✓ 正在连接 10.77.0.1:9：连接 1');
    f = await h.press(KEYS.enter);
    expect(f).toContain('─ 状态时间线 ─');
    expect(f).toMatch(/重传 +未启动/);
    expect(f).toContain('SYN-SENT');
    f = await h.press('L');
    expect(f).toContain('─ Timeline ─');
  });
});

describe('a large terminal (160x48)', () => {
  it('shows the table, the selected connection, the listeners and the trace together', async () => {
    h = await startTui({ width: 160, height: 48 });
    await h.press('l', '8080 2', KEYS.enter, 'o', '9', KEYS.enter, 'o', '80', KEYS.enter);
    const f = h.frame();
    const lines = f.split('\n');
    expect(lines).toHaveLength(48);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(160);
    expect(lines[0]).toMatch(/own lab · simulated wire · 10\.77\.0\.2 ⇄ 10\.77\.0\.1$/);
    expect(f).toMatch(/Proto Local Address +Peer Address +State +In state Recv-Q Send-Q Timer +RTT ms +cwnd +RTO/);
    expect(f).toContain('─ Timeline ─');
    expect(f).toContain('─ Segments ─');
    expect(f).toMatch(/─ Listeners ─+ 1 ─/);
    expect(f).toMatch(/L 10\.77\.0\.2:8080 echo accepting backlog 2/);
    expect(f).toContain('─ Trace ─');
    expect(f).toMatch(/STATE +#2 SYN-SENT -> ESTABLISHED/);
  });
});
