// The TUI's small parts: prompt parsers, fault rules, the frame writer, history trimming,
// the tui command's options.
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../core/api/events.ts';
import { fallbackLine, launchDesktopApp, start } from '../../tui/commands/start.ts';
import { parseTuiArgs } from '../../tui/commands/tui.ts';
import { describeRule, parseFaultInput } from '../../tui/ui/fault-input.ts';
import { parseConnectInput, parseKnobAssignment, parseListenInput, splitTyped } from '../../tui/ui/input.ts';
import { trimHistory } from '../../tui/ui/store.ts';
import { counterLine, hintMarks, resolveHint } from '../../tui/ui/hints.ts';
import { FrameWriter } from '../../tui/ui/terminal.ts';

describe('prompt parsers', () => {
  it('reads listen and connect lines', () => {
    expect(parseListenInput('8080')).toEqual({ ok: true, value: { port: 8080 } });
    expect(parseListenInput('80 2 http')).toEqual({ ok: true, value: { port: 80, backlog: 2, responder: 'http' } });
    expect(parseListenInput('80 backlog=4 manual')).toEqual({ ok: true, value: { port: 80, backlog: 4, responder: 'manual' } });
    expect(parseListenInput('http')).toMatchObject({ ok: false, error: expect.stringContaining("'http' is not a port") });
    expect(parseListenInput('80 fast')).toMatchObject({ ok: false, error: expect.stringContaining("'fast' is neither") });
    expect(parseConnectInput('80', '10.77.0.1')).toEqual({ ok: true, value: { addr: '10.77.0.1', port: 80 } });
    expect(parseConnectInput('10.77.0.1:7 echo', 'x')).toEqual({ ok: true, value: { addr: '10.77.0.1', port: 7, responder: 'echo' } });
    expect(parseConnectInput('127.0.0.1 99999', 'x')).toMatchObject({ ok: false });
    expect(parseKnobAssignment('msl=5')).toEqual({ ok: true, value: { name: 'msl', value: '5' } });
    expect(parseKnobAssignment('msl 5')).toEqual({ ok: true, value: { name: 'msl', value: '5' } });
    expect(parseKnobAssignment('=5')).toMatchObject({ ok: false });
  });

  it('splits a chunk of typed characters into key presses', () => {
    const keys = splitTyped('80\r', false);
    expect(keys?.map((k) => (k.enter ? 'ENTER' : k.input))).toEqual(['8', '0', 'ENTER']);
    expect(splitTyped('\u001B[A', false)).toBeNull();
    expect(splitTyped('x', false)).toBeNull();
  });
});

describe('fault rules typed in the prompt', () => {
  it('reads the short form', () => {
    expect(parseFaultInput('drop in S.')).toEqual({ ok: true, rule: { action: 'drop', dir: 'in', flags: 'S.' } });
    expect(parseFaultInput('delay out S. 5s')).toEqual({ ok: true, rule: { dir: 'out', flags: 'S.', action: { type: 'delay', ms: 5000 } } });
    expect(parseFaultInput('duplicate out F. x2')).toEqual({ ok: true, rule: { dir: 'out', flags: 'F.', action: { type: 'duplicate', copies: 2 } } });
    expect(parseFaultInput('drop port 80 10%')).toEqual({ ok: true, rule: { port: 80, probability: 0.1, count: 'all', action: 'drop' } });
    expect(parseFaultInput('reorder in data after 2')).toEqual({ ok: true, rule: { dir: 'in', payload: 'data', action: { type: 'reorder', after: 2 } } });
    expect(parseFaultInput('delay in')).toMatchObject({ ok: false, error: 'delay needs a time, like 500ms' });
    expect(parseFaultInput('explode')).toMatchObject({ ok: false, error: expect.stringContaining('start with an action') });
  });

  it('reads the command line\'s key=value words and JSON', () => {
    expect(parseFaultInput('dir=in flags=. nth=3 drop')).toEqual({ ok: true, rule: { dir: 'in', flags: '.', nth: 3, action: 'drop' } });
    expect(parseFaultInput('{"action":"corrupt","dir":"out"}')).toEqual({ ok: true, rule: { action: 'corrupt', dir: 'out' } });
    expect(parseFaultInput('{oops')).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
  });

  it('describes rules in the same short form', () => {
    expect(describeRule({ dir: 'in', flags: '.', nth: 3, action: 'drop' })).toBe('drop in . nth 3');
    expect(describeRule({ port: 80, count: 'all', probability: 0.1, action: { type: 'delay', ms: 20 } })).toBe('delay 20ms port 80 all 10%');
  });
});

describe('the frame writer', () => {
  it('rewrites only the lines that changed, by absolute position', () => {
    const out: string[] = [];
    let now = 0;
    const w = new FrameWriter({ write: (s) => out.push(s) }, { maxFps: 10, now: () => now });
    w.frame('a\nb\nc');
    expect(out).toEqual(['\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K\x1b[3;1Hc\x1b[0m\x1b[K']);
    now = 200;
    w.frame('a\nB\nc');
    expect(out[1]).toBe('\x1b[2;1HB\x1b[0m\x1b[K');
    now = 400;
    w.frame('a\nB\nc');
    expect(out).toHaveLength(2);
    expect(w.stats).toMatchObject({ frames: 3, writes: 2, lines: 4 });
  });

  it('writes at most maxFps frames per second, the latest frame winning', async () => {
    const out: string[] = [];
    let now = 1000;
    const w = new FrameWriter({ write: (s) => out.push(s) }, { maxFps: 10, now: () => now });
    w.frame('1');
    now = 1010;
    w.frame('2');
    w.frame('3');
    expect(out).toHaveLength(1);
    now = 1100;
    await new Promise((r) => setTimeout(r, 120));
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('3');
    w.stop();
  });
});

describe('history trimming', () => {
  it('keeps every state change and the newest other events', () => {
    const ev = (seq: number, kind: 'state' | 'timer'): LabEvent => (kind === 'state'
      ? { kind, seq, at: seq, conn: 1, from: 'CLOSED', to: 'SYN-SENT', cause: 'user connect' }
      : { kind, seq, at: seq, conn: 1, timer: 'retransmit', action: 'set' });
    const events = [ev(1, 'state'), ev(2, 'timer'), ev(3, 'timer'), ev(4, 'state'), ev(5, 'timer'), ev(6, 'timer')];
    expect(trimHistory(events, 2).map((e) => e.seq)).toEqual([1, 4, 5, 6]);
  });
});

describe('tcplab tui options', () => {
  const env = { XDG_RUNTIME_DIR: '/run/user/7', LANG: 'zh_CN.UTF-8' };
  it('hosts its own lab by default and serves it on the usual socket', () => {
    expect(parseTuiArgs([], env)).toEqual({ attach: null, attachWhere: '', dev: undefined, netns: undefined, simulated: false, socket: '/run/user/7/tcplab/lab.sock', lang: 'zh' });
    expect(parseTuiArgs(['--simulated', '--no-socket', '--lang', 'en'], env)).toMatchObject({ simulated: true, socket: null, lang: 'en' });
  });

  it('attaches to the default socket, a given one, or a ws:// URL', () => {
    expect(parseTuiArgs(['--attach'], env)).toMatchObject({ attach: { path: '/run/user/7/tcplab/lab.sock' } });
    expect(parseTuiArgs(['--attach', '/tmp/x.sock'], env)).toMatchObject({ attach: { path: '/tmp/x.sock' }, attachWhere: '/tmp/x.sock' });
    expect(parseTuiArgs(['--attach', 'ws://127.0.0.1:9000/?token=abc'], env)).toMatchObject({ attach: { url: 'ws://127.0.0.1:9000/api?token=abc' } });
    expect(parseTuiArgs(['--attach', '--lang', 'zh'], env)).toMatchObject({ attach: { path: '/run/user/7/tcplab/lab.sock' }, lang: 'zh' });
  });

  it('refuses what does not go together', () => {
    expect(parseTuiArgs(['--attach', '--dev', 'tl0'], env)).toMatchObject({ error: expect.stringContaining('--attach shows a lab that runs elsewhere') });
    expect(parseTuiArgs(['--lang', 'fr'], env)).toMatchObject({ error: "--lang must be en or zh, not 'fr'" });
    expect(parseTuiArgs(['--bogus'], env)).toMatchObject({ error: expect.stringContaining('unknown option --bogus') });
    expect(parseTuiArgs(['--help'], env)).toEqual({ help: true });
  });
});

describe('tcplab start', () => {
  it('runs the terminal UI with one line saying why when the desktop app cannot start', async () => {
    const said: string[] = [];
    const ran: { args: readonly string[]; notice: string }[] = [];
    const code = await start(['--simulated'], {
      desktop: async () => ({ launched: false, why: 'no display ($DISPLAY / $WAYLAND_DISPLAY unset): starting the terminal UI' }),
      terminal: async (args, notice) => { ran.push({ args, notice }); return 0; },
      say: (l) => said.push(l),
    });
    expect(code).toBe(0);
    expect(said).toEqual(['the desktop app is not available: no display ($DISPLAY / $WAYLAND_DISPLAY unset); starting the terminal UI']);
    expect(ran).toEqual([{ args: ['--simulated'], notice: said[0] }]);
  });

  it('leaves the desktop app\'s own options out of the terminal UI\'s (the TUI has no kernel shell)', async () => {
    const ran: (readonly string[])[] = [];
    await start(['--no-shell', '--simulated'], {
      desktop: async () => ({ launched: false, why: 'no display' }),
      terminal: async (args) => { ran.push(args); return 0; },
      say: () => {},
    });
    expect(ran).toEqual([['--simulated']]);
  });

  it('does not start the terminal UI when the desktop app started', async () => {
    let ran = false;
    const code = await start([], { desktop: async () => ({ launched: true }), terminal: async () => { ran = true; return 0; }, say: () => {} });
    expect(code).toBe(0);
    expect(ran).toBe(false);
  });

  it('says why the desktop app is missing here (no display, or no Electron runtime)', async () => {
    const r = await launchDesktopApp([]);
    expect(r.launched).toBe(false);
    if (!r.launched) expect(fallbackLine(r.why)).toMatch(/^the desktop app is not available: (no display|the Electron runtime is not installed).*; starting the terminal UI$/);
  });
});

describe('scenario hints', () => {
  const world = {
    connections: [{ id: 3 }, { id: 4 }] as never[],
    shown: [{ id: 3 }] as never[],
    listeners: [{ id: 1 }, { id: 2 }] as never[],
    counterGroups: [{ id: 'Tcp', rows: [{ name: 'ActiveOpens' }, { name: 'InSegs' }] }, { id: 'TcpExt', rows: [{ name: 'ListenOverflows' }] }] as never[],
    knobs: [{ name: 'msl' }] as never[],
    faultIds: ['r1', 'r2'],
    findEvent: (seq: number) => (seq === 42 ? ({ kind: 'segment', seq, at: 0, conn: 4 } as never) : seq === 43 ? ({ kind: 'segment', seq, at: 0, conn: 9 } as never) : null),
  };

  it('resolves each kind of target to where the user should look', () => {
    expect(resolveHint({ kind: 'connection', conn: 3, field: 'state' }, world)).toEqual({ kind: 'connection', conn: 3, detail: false, clearFilter: false });
    expect(resolveHint({ kind: 'connection', conn: 4 }, world)).toEqual({ kind: 'connection', conn: 4, detail: false, clearFilter: true });
    expect(resolveHint({ kind: 'connection', conn: 7 }, world)).toEqual({ kind: 'trace', conn: 7 });
    expect(resolveHint({ kind: 'segment', seq: 42 }, world)).toEqual({ kind: 'connection', conn: 4, detail: true, clearFilter: true });
    expect(resolveHint({ kind: 'segment', seq: 43 }, world)).toEqual({ kind: 'trace', conn: 9 });
    expect(resolveHint({ kind: 'segment', seq: 1 }, world)).toEqual({ kind: 'gone' });
    expect(resolveHint({ kind: 'listener', listener: 2 }, world)).toEqual({ kind: 'list', view: 'listeners', index: 1 });
    expect(resolveHint({ kind: 'counter', name: 'ListenOverflows' }, world)).toEqual({ kind: 'list', view: 'counters', index: 4 });
    expect(resolveHint({ kind: 'knob', name: 'nope' }, world)).toEqual({ kind: 'gone' });
    expect(resolveHint({ kind: 'fault', rule: 'r2' }, world)).toEqual({ kind: 'list', view: 'faults', index: 1 });
    expect(resolveHint({ kind: 'time' }, world)).toEqual({ kind: 'stay' });
  });

  it('marks every target, the one jumped to apart', () => {
    const hints = [
      { target: { kind: 'connection' as const, conn: 3, field: 'state' }, text: '', zh: '' },
      { target: { kind: 'segment' as const, seq: 42 }, text: '', zh: '' },
      { target: { kind: 'counter' as const, name: 'InSegs' }, text: '', zh: '' },
    ];
    const m = hintMarks(hints, { kind: 'segment', seq: 42 });
    expect([...m.conns]).toEqual([[3, { field: 'state', jump: false }]]);
    expect([...m.segments]).toEqual([[42, true]]);
    expect([...m.counters]).toEqual([['InSegs', false]]);
    expect(counterLine(world.counterGroups, 'InSegs')).toBe(2);
  });
});
