// `tcplab start --replay FILE` where there is no display: the terminal fallback opens the
// recording too (tcplab tui --replay FILE hosts it read-only, as `tcplab replay` serves it). Run
// as a user runs it, in a terminal: a private tmux server (killed by its own socket name) with
// $DISPLAY and $WAYLAND_DISPLAY unset. Bad uses of --replay get a clear error and start nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_USAGE } from '../../../tui/commands/start.ts';
import { TUI_USAGE, tui } from '../../../tui/commands/tui.ts';
import { uniqueName } from '../../interop/netns.ts';
import { recordSession } from '../record-session.ts';
import { TCPLAB, waitFor } from './child.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

async function tuiErrors(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await tui(argv, { out: () => {}, err: (s) => (err += s) });
  return { code, err };
}

describe('tcplab tui --replay: bad uses are refused clearly', () => {
  it('needs a FILE, and cannot be mixed with a lab of its own or --attach', async () => {
    expect(await tuiErrors(['--replay'])).toMatchObject({ code: 2, err: expect.stringContaining('tcplab tui: --replay') });
    for (const other of [['--simulated'], ['--dev', 'tl0'], ['--attach', '/tmp/x.sock']]) {
      expect(await tuiErrors(['--replay', 'a.json', ...other])).toMatchObject({ code: 2, err: expect.stringContaining('--replay shows a recording, not a lab') });
    }
  });

  it('says what is wrong with a file it cannot load', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tl-start-replay-'));
    try {
      const r = await tuiErrors(['--replay', path.join(dir, 'nothing.json'), '--no-socket']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^tcplab tui: cannot read .*nothing\.json: ENOENT/);
      expect(r.err).not.toContain('--simulated');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the help of tui and start mentions it', () => {
    expect(TUI_USAGE).toMatch(/--replay FILE +show a session recorded with tcplab record/);
    expect(START_USAGE).toMatch(/--replay FILE opens a session\s+recorded with tcplab record/);
  });
});

describe.skipIf(!hasTmux)('tcplab start --replay FILE without a display, in a terminal', () => {
  const server = uniqueName('tl-tmux-');
  const session = 'start';
  let dir: string;
  const tmux = (...args: string[]): string => spawnSync('tmux', ['-L', server, ...args], { encoding: 'utf8' }).stdout ?? '';
  const pane = (): string => tmux('capture-pane', '-p', '-t', session);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tl-start-replay-'));
    await recordSession(path.join(dir, 'session.json'));
  }, 30_000);

  afterAll(() => {
    spawnSync('tmux', ['-L', server, 'kill-server']);
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, server), { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('falls back to the terminal UI showing the recording, read-only; q quits', async () => {
    const cmd = ['env', '-u', 'DISPLAY', '-u', 'WAYLAND_DISPLAY', process.execPath, TCPLAB, 'start', '--replay', path.join(dir, 'session.json'), '--no-socket', '--lang', 'en']
      .map((w) => `'${w}'`).join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `${cmd} 2>${path.join(dir, 'err.txt')}; echo "EXIT=$?"; sleep 600`);
    await waitFor('the TUI showing the replay', () => pane().includes('replay: session.json, read-only'), 60_000);
    const f = pane();
    expect(f).toContain('the desktop app is not available: no display');
    expect(f).not.toContain('own lab');
    expect(f).toMatch(/10\.77\.0\.2:\d+ +10\.77\.0\.1:9 +TIME-WAIT/);
    tmux('send-keys', '-t', session, 'q');
    await waitFor('the TUI to exit', () => pane().includes('EXIT=0'), 20_000);
  }, 90_000);
});
