// Lab time and replays as the user sees them: T pauses (a banner that says so, the held packets
// listed, n lets one through), m slow motion, + and - scale lab time (the banner says the kernel
// runs in real time), = back to real time; a lab without time control says so plainly. A replay
// is labelled read-only and its refusals (EROFS) show in the status line. The lab's side of time
// control and replays is a test double of the proposed API (lab-double.ts) around the real lab.
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, startTui, type Harness } from './harness.tsx';
import { LabDouble } from './lab-double.ts';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const SYN = { dir: 'in' as const, at: 1234, text: '10.77.0.1.40000 > 10.77.0.2.80: Flags [S], seq 1000, win 64240, length 0' };
const ACK = { dir: 'in' as const, at: 1240, text: '10.77.0.1.40000 > 10.77.0.2.80: Flags [.], ack 1, win 502, length 0' };

describe('lab time (80x24)', () => {
  it('pauses with T: a banner says so and lists the packets held; n lets one through; T resumes', async () => {
    const lab = new LabDouble();
    h = await startTui({ wrap: (c) => lab.wrap(c) });
    let f = await h.press('T');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeControl', args: { paused: true } });
    expect(f).toContain('✓ lab time paused: packets from the kernel wait; n lets one through');
    expect(f.split('\n')[1]).toBe('‖ lab time paused: 0 packets held; the kernel runs in real time');
    lab.hold(SYN, ACK);
    f = await h.settle();
    expect(f.split('\n')[1]).toContain('‖ lab time paused: 2 packets held; the kernel runs in real time');
    expect(f).toMatch(/^ {3}‖ 1\.234 → 10\.77\.0\.1\.40000 > 10\.77\.0\.2\.80: Flags \[S\], seq 1000/m);
    expect(f).toMatch(/^ {3}‖ 1\.240 → 10\.77\.0\.1\.40000 > 10\.77\.0\.2\.80: Flags \[\.\], ack 1/m);
    expect(f).toContain('─ Connections ─');      // the view stays, below the banner
    expect(f.split('\n')).toHaveLength(24);

    f = await h.press('n');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeStep', args: { count: 1 } });
    expect(f).toContain('✓ let 1 through; 1 still held');
    expect(f).not.toContain('Flags [S]');
    expect(f).toContain('1 packets held');

    f = await h.press('T');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeControl', args: { paused: false, slowMotionMs: null } });
    expect(f).toContain('✓ lab time runs again');
    expect(f).not.toContain('paused');
    expect(f.split('\n')[1]).toMatch(/^─ Connections ─/);
  });

  it('scales lab time with + and -, always saying that the kernel runs in real time; = goes back', async () => {
    const lab = new LabDouble();
    h = await startTui({ wrap: (c) => lab.wrap(c) });
    let f = await h.press('+');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeControl', args: { scale: 2 } });
    expect(f).toContain('✓ lab time x2: timers only; the kernel runs in real time');
    expect(f.split('\n')[1]).toBe('» lab time x2: timers only; the kernel runs in real time');
    await h.press('+', '+');
    f = h.frame();
    expect(f.split('\n')[1]).toContain('» lab time x10: timers only; the kernel runs in real time');
    // It stays visible in every view.
    for (const v of ['2', '3', '4', '5', '6', '7']) expect((await h.press(v)).split('\n')[1]).toContain('lab time x10');
    f = await h.press('-', '-', '-', '-');
    expect(f.split('\n')[1]).toContain('lab time x0.5');
    f = await h.press('=');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeControl', args: { scale: 1 } });
    expect(f).toContain('✓ lab time is real time again');
    expect(f).not.toContain('lab time x');
  });

  it('runs in slow motion with m (paused, one packet every 500 ms)', async () => {
    const lab = new LabDouble();
    h = await startTui({ wrap: (c) => lab.wrap(c) });
    let f = await h.press('m');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeControl', args: { paused: true, slowMotionMs: 500 } });
    expect(f).toContain('✓ slow motion: one packet every 500ms');
    expect(f.split('\n')[1]).toContain('‖ slow motion: one packet every 500ms (0 held); the kernel runs in real time');
    f = await h.press('m');
    expect(lab.calls.at(-1)).toEqual({ method: 'timeControl', args: { paused: false, slowMotionMs: null } });
    expect(f).toContain('✓ slow motion off: lab time runs again');
  });

  it('lists the time keys in the help', async () => {
    h = await startTui();
    const f = await h.press('?') + await h.press(KEYS.pageDown);
    expect(f).toContain('Lab time (the kernel always runs in real time)');
    expect(f).toMatch(/T +pause \/ resume lab time/);
    expect(f).toMatch(/\+ {2}- +lab time faster \/ slower \(timers only\)/);
  });

  it('says plainly when the lab has no time control (an older lab)', async () => {
    h = await startTui({
      wrap: (c) => ({
        ...c,
        closed: c.closed,
        call: ((m: string, a?: unknown) => (m === 'timeControl'
          ? Promise.resolve({ ok: false, error: { code: 'ENOMETHOD', message: 'unknown method: timeControl' } })
          : (c.call as (m: string, a?: unknown) => Promise<unknown>)(m, a))) as typeof c.call,
      }),
    });
    const f = await h.press('T');
    expect(f).toContain('✗ this lab has no time control yet (unknown method: timeControl)');
  });

  it('speaks Chinese', async () => {
    const lab = new LabDouble();
    h = await startTui({ lang: 'zh', wrap: (c) => lab.wrap(c) });
    let f = await h.press('+');
    expect(f.split('\n')[1]).toContain('» 实验时间 x2：只影响定时器；内核照常按真实时间运行');
    f = await h.press('=', 'T');
    expect(f.split('\n')[1]).toContain('‖ 实验时间已暂停：扣留了 0 个报文；内核照常按真实时间运行');
  });
});

describe('lab time on the real lab (simulated wire, manual clock)', () => {
  it('holds the peer\'s SYN while paused, lists it, and lets it through with n', async () => {
    h = await startTui();
    await h.press('l', '8080 manual', KEYS.enter);
    let f = await h.press('T');
    expect(f).toContain('✓ lab time paused: packets from the kernel wait; n lets one through');
    expect(f.split('\n')[1]).toBe('‖ lab time paused: 0 packets held; the kernel runs in real time');
    h.lab.peer?.connect(8080);
    f = await h.settle(200);
    expect(f.split('\n')[1]).toBe('‖ lab time paused: 1 packets held; the kernel runs in real time');
    expect(f).toMatch(/^ {3}‖ +[\d.]+ → IP 10\.77\.0\.1\.\d+ > 10\.77\.0\.2\.8080: Flags \[S\], seq \d+/m);
    expect(f).toContain('no connections');
    f = await h.press('n');
    expect(f).toMatch(/✓ let 1 through; \d+ still held/);
    expect(f).toMatch(/10\.77\.0\.1:\d+ +SYN-RECEIVED/);
    f = await h.press('T');
    expect(f).toContain('✓ lab time runs again');
    f = await h.settle(200);
    expect(f).toMatch(/10\.77\.0\.1:\d+ +ESTABLISHED/);
    expect(f.split('\n')[1]).toMatch(/^─ Connections ─/);
  });

  it('says why the scale cannot change on a manual clock', async () => {
    h = await startTui();
    const f = await h.press('+');
    expect(f).toContain('✗ timeControl failed: scale: this lab runs on a manual clock (tests)');
  });
});

describe('lab time (160x48)', () => {
  it('lists up to six held packets under the banner', async () => {
    const lab = new LabDouble();
    h = await startTui({ width: 160, height: 48, wrap: (c) => lab.wrap(c) });
    await h.press('T');
    lab.hold(...Array.from({ length: 9 }, (_, i) => ({ ...SYN, at: 2000 + i, text: `${SYN.text} #${i}` })));
    const f = await h.settle();
    const lines = f.split('\n');
    expect(lines).toHaveLength(48);
    expect(lines[1]).toContain('9 packets held');
    expect(lines.filter((l) => l.includes('Flags [S]'))).toHaveLength(6);
    expect(lines[7]).toMatch(/^ {2}\+3 2\.005 → .* #5$/);
  });
});

describe('a replay', () => {
  it('is labelled read-only, and refusals show in the status line', async () => {
    const lab = new LabDouble();
    lab.replay = { file: 'session-1.tcplab.json' };
    h = await startTui({ wrap: (c) => lab.wrap(c) });
    let f = h.frame();
    expect(f.split('\n')[1]).toBe('▶ replay: session-1.tcplab.json, read-only');
    f = await h.press('o', '9', KEYS.enter);
    expect(f).toContain('✗ read-only replay: connect refused (this is a replay; it cannot change)');
    f = await h.press('K', 'msl=5', KEYS.enter);
    expect(f).toContain('✗ read-only replay: setKnob refused');
    f = await h.press('f', 'drop in S', KEYS.enter);
    expect(f).toContain('✗ read-only replay: faultAdd refused');
    // In the header too, where there is room.
    h.close();
    h = await startTui({ width: 160, height: 48, wrap: (c) => lab.wrap(c) });
    let lines = h.frame().split('\n');
    expect(lines[0]).toContain('own lab · replay: session-1.tcplab.json, read-only · 10.77.0.2');
    expect(lines[1]).toBe('▶ replay: session-1.tcplab.json, read-only');
    // A replay's time control is its playback: T pauses and plays it, the banner says where it stands.
    await h.press('T');
    lines = h.frame().split('\n');
    expect(lines.at(-2)).toBe('✓ replay paused');
    expect(lines[1]).toBe('▶ replay: session-1.tcplab.json, read-only');
    lab.replay = { file: 'session-1.tcplab.json', start: 1000, end: 3500, at: 2000, playing: false, speed: 1 };
    lab.push();
    lines = (await h.settle()).split('\n');
    expect(lines[1]).toBe('▶ replay: session-1.tcplab.json, read-only · at 1.000 of 2.500 s · standing still · T plays, n steps one event');
    lab.replay = { ...lab.replay, playing: true, speed: 2 };
    lab.push();
    lines = (await h.settle()).split('\n');
    expect(lines[1]).toBe('▶ replay: session-1.tcplab.json, read-only · at 1.000 of 2.500 s · playing x2');
  });
});
