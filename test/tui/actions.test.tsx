// Every action from the keyboard, each reporting its result or its error in the status line.
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, startTui, type Harness } from './harness.tsx';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const status = (frame: string): string => frame.split('\n').at(-2) ?? '';
const hint = (frame: string): string => frame.split('\n').at(-1) ?? '';
const rows = (frame: string): string[] => frame.split('\n').filter((l) => /^[=~<>!·L] /.test(l));

describe('actions on connections', () => {
  it('connects, sends a line and half-closes', async () => {
    h = await startTui();
    let f = await h.press('o');
    expect(status(f)).toBe('connect: ADDR PORT [echo|discard|http|chargen|manual]:');
    expect(hint(f)).toBe('Enter ok · Esc cancel · Ctrl-U clear');
    f = await h.press('7', KEYS.enter);
    expect(status(f)).toBe('✓ connecting to 10.77.0.1:7: connection 1');
    f = await h.press('w');
    expect(status(f)).toBe('send a line on 1:');
    f = await h.press('hello', KEYS.enter);
    expect(status(f)).toBe('✓ sent 6 bytes on 1');
    await h.settle(500);
    expect(rows(h.frame())[0]).toMatch(/10\.77\.0\.1:7 +ESTABLISHED +6 +0/);   // the echo came back, unread
    f = await h.press('h');
    expect(status(f)).toBe('✓ shutdown 1: half-closed (FIN after queued data, still receiving)');
    expect(rows(f)[0]).toMatch(/FIN-WAIT-[12]|TIME-WAIT/);   // the echo service closes too
  });

  it('asks before an RST, and sends it on y', async () => {
    h = await startTui();
    await h.press('o', '9', KEYS.enter);
    let f = await h.press('R');
    expect(status(f)).toBe('send RST on 1? (y/n)');
    f = await h.press('n');
    expect(status(f)).toBe('RST cancelled');
    expect(rows(f)).toHaveLength(1);
    f = await h.press('R', 'y');
    expect(status(f)).toBe('✓ RST sent on 1');
    expect(f).toContain('no connections');
    expect(h.lab.stack.counters.get('OutRsts')).toBe(1);
  });

  it('reports errors from the lab in the status line', async () => {
    h = await startTui();
    let f = await h.press('c');
    expect(status(f)).toBe('✗ select a connection first');
    f = await h.press('o', '10.77.0.1 0', KEYS.enter);
    expect(hint(f)).toContain("✗ '0' is not a port (1-65535)");
    f = await h.press(KEYS.escape, 'l', '80', KEYS.enter, 'l', '80', KEYS.enter);
    expect(status(f)).toMatch(/^✗ listen failed: .*80/);
  });
});

describe('actions on listeners', () => {
  it('listens with a responder, pauses accepting so the queue fills, resumes, closes', async () => {
    h = await startTui();
    let f = await h.press('l', '8080 2 echo', KEYS.enter);
    expect(status(f)).toBe('✓ listening on port 8080 (echo), listener 1');
    f = await h.press('2');
    expect(f).toMatch(/L 10\.77\.0\.2:8080 +echo +0\/\d+ +0\/\d+ +0 +0\/0\/0 accepting/);
    f = await h.press('p');
    expect(status(f)).toBe('✓ listener 1: accepting paused (the accept queue will fill)');
    h.lab.peer?.connect(8080);
    h.lab.peer?.connect(8080);
    await h.settle(500);
    f = h.frame();
    expect(f).toMatch(/L 10\.77\.0\.2:8080 +echo +0\/\d+ +2\/\d+ +0 +0\/0\/0 paused/);
    expect(f).toMatch(/accept queue +█+░* 2\/\d+/);
    f = await h.press('a');
    expect(status(f)).toMatch(/^✓ accepted connection \d+ from listener 1$/);
    f = await h.press('p');
    expect(status(f)).toBe('✓ listener 1: accepting resumed');
    await h.settle(500);
    expect(h.frame()).toMatch(/accept queue +░+ 0\/\d+/);
    f = await h.press('x');
    expect(status(f)).toBe('✓ listener 1 closed');
    expect(f).toContain('no listeners (press l to listen on a port)');
  });
});

describe('knobs, faults and pcap', () => {
  it('sets a knob with validation messages', async () => {
    h = await startTui();
    let f = await h.press('4');
    expect(f).toMatch(/delack_ms +40 ms +1\.\.500/);
    f = await h.press(KEYS.enter);
    expect(status(f)).toBe('set delack_ms = 40');
    f = await h.press(KEYS.ctrlU, '900', KEYS.enter);
    expect(hint(f)).toBe('✗ delack_ms must be at most 500 ms');
    f = await h.press(KEYS.ctrlU, 'soon', KEYS.enter);
    expect(hint(f)).toBe('✗ delack_ms must be an integer');
    f = await h.press(KEYS.ctrlU, '100', KEYS.enter);
    expect(status(f)).toBe('✓ delack_ms = 100');
    expect(f).toMatch(/\* delack_ms +100 ms/);
    f = await h.press('K', 'isn_clock=1ns', KEYS.enter);
    expect(hint(f)).toBe('✗ isn_clock must be one of: 64ns, 4us');
    f = await h.press(KEYS.ctrlU, 'isn_clock=4us', KEYS.enter);
    expect(status(f)).toBe('✓ isn_clock = 4us');
    f = await h.press('K', 'no_such_knob=1', KEYS.enter);
    expect(hint(f)).toBe('✗ no knob named no_such_knob');
  });

  it('adds and removes fault rules, in the command line\'s words or the short form', async () => {
    h = await startTui();
    let f = await h.press('6');
    expect(f).toContain('no fault rules');
    f = await h.press('f', 'dir=in flags=. nth=3 drop', KEYS.enter);
    expect(status(f)).toBe('✓ fault rule rule-1 added');
    f = await h.press('a', 'delay out S. 500ms', KEYS.enter);
    expect(status(f)).toBe('✓ fault rule rule-2 added');
    expect(f).toMatch(/▲ rule-1 +drop in \. nth 3 +matched 0 fired 0/);
    expect(f).toMatch(/▲ rule-2 +delay 500ms out S\. +matched 0 fired 0/);
    f = await h.press('f', 'dir=sideways drop', KEYS.enter);
    expect(hint(f)).toMatch(/^✗ rule.dir: must be 'in' \(kernel -> lab\), 'out' or 'any'/);
    f = await h.press(KEYS.escape, 'd');
    expect(status(f)).toBe('✓ fault rule rule-1 removed');
    expect(f).not.toMatch(/▲ rule-1 /);
  });

  it('starts, stops and saves a pcap recording', async () => {
    h = await startTui();
    let f = await h.press('P');
    expect(status(f)).toBe('✓ pcap recording started');
    await h.press('o', '9', KEYS.enter);
    f = await h.press('6');
    expect(f).toMatch(/● pcap recording: [1-9]\d* packets/);
    f = await h.press('W');
    expect(status(f)).toBe('save the recording as a pcap file: tcplab-20250102-030405.pcap');
    f = await h.press(KEYS.enter);
    expect(status(f)).toMatch(/^✓ tcplab-20250102-030405\.pcap: [1-9]\d* packets, \d+ bytes$/);
    expect(h.written[0].path).toBe('tcplab-20250102-030405.pcap');
    expect(Buffer.from(h.written[0].data).readUInt32LE(0)).toBe(0xa1b2c3d4);
    f = await h.press('P');
    expect(status(f)).toMatch(/^✓ pcap stopped: [1-9]\d* packets, \d+ bytes$/);
  });
});

describe('the rest of the keyboard', () => {
  it('quits with q and Ctrl-C', async () => {
    h = await startTui();
    await h.press('q');
    await h.press(KEYS.ctrlC);
    expect(h.quitCalls).toBe(2);
  });

  it('moves between views with 1-6, Tab and Shift-Tab', async () => {
    h = await startTui();
    const title = (f: string): string => f.split('\n')[1];
    expect(title(await h.press(KEYS.tab))).toMatch(/^─ Listeners/);
    expect(title(await h.press(KEYS.tab))).toMatch(/^─ Counters/);
    expect(title(await h.press('\u001B[Z'))).toMatch(/^─ Listeners/);
    expect(title(await h.press('5'))).toMatch(/^─ Trace/);
    expect(title(await h.press('1'))).toMatch(/^─ Connections/);
  });
});
