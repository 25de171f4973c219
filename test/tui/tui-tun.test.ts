// `tcplab tui` end to end, as a user runs it: in a terminal (tmux, on a private tmux server),
// hosting its own lab on a real TUN whose kernel side is in a namespace of this test's own
// (made by `tcplab setup`). The kernel's curl, inside the namespace, connects to a listener made
// from the TUI; the test reads the row appearing in the captured pane, presses R and y, and curl
// reports the reset; then a guided scenario (handshake) runs against the kernel from the
// scenarios view, to its verdict. Everything is removed afterwards, also on failure; processes are stopped by
// their PID, the tmux server by its own socket name.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from '../../tui/commands/setup.ts';
import { teardown } from '../../tui/commands/teardown.ts';
import { isRoot, reserveNames, uniqueName } from '../interop/netns.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TCPLAB = path.join(ROOT, 'bin/tcplab.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const hasCurl = spawnSync('curl', ['--version']).status === 0;

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!isRoot || !hasTmux || !hasCurl)('tcplab tui in a terminal, on a real TUN, curl in the namespace as the peer', () => {
  let names: Awaited<ReturnType<typeof reserveNames>>;
  let tmp: string;
  const server = uniqueName('tl-tmux-');     // a private tmux server: other sessions are never touched
  const session = 'tui';
  const children = new Set<ChildProcess>();

  const tmux = (...args: string[]): string => {
    const r = spawnSync('tmux', ['-L', server, ...args], { encoding: 'utf8' });
    return r.stdout ?? '';
  };
  const pane = (): string => tmux('capture-pane', '-p', '-t', session);
  const keys = (...k: string[]): void => {
    for (const key of k) tmux('send-keys', '-t', session, key);
  };

  beforeAll(async () => {
    names = await reserveNames();
    tmp = mkdtempSync(path.join(tmpdir(), 'tl-tui-'));
    let text = '';
    const code = await setup(['--dev', names.dev, '--netns', names.ns, '--user', 'root'], (t) => (text += t));
    if (code !== 0) throw new Error(`tcplab setup failed:\n${text}`);
    const cmd = [process.execPath, TCPLAB, 'tui', '--dev', names.dev, '--netns', names.ns, '--socket', path.join(tmp, 'lab.sock'), '--lang', 'en']
      .map((w) => `'${w}'`).join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${cmd} 2>${path.join(tmp, 'err.txt')}; echo "EXIT=$?"; sleep 600`);
    await waitFor('the TUI to show its own lab on the TUN', () => pane().includes(`own lab · TUN ${names.dev} · 10.77.0.2 ⇄ 10.77.0.1`), 60_000);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) {
      if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
    }
    spawnSync('tmux', ['-L', server, 'kill-server']);
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, server), { force: true });
    await teardown(['--dev', names.dev, '--netns', names.ns], () => {});
    names.release();
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('shows curl\'s connection as a row, and R y resets it: curl reports the reset', async () => {
    keys('l');
    await waitFor('the listen prompt', () => pane().includes('listen: PORT [BACKLOG]'));
    keys('8080 4 manual', 'Enter');
    await waitFor('the listener', () => pane().includes('✓ listening on port 8080 (manual), listener 1'));

    const curl = spawn('ip', ['netns', 'exec', names.ns, 'curl', '-sS', '-m', '30', 'http://10.77.0.2:8080/'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(curl);
    let curlErr = '';
    curl.stderr?.on('data', (d: Buffer) => (curlErr += d.toString()));
    const curlExit = new Promise<number | null>((resolve) => curl.on('exit', (code) => resolve(code)));

    // Local, Peer, State, In state, Recv-Q, Send-Q, ...
    const row = await waitFor('curl\'s row in the table', () => pane().split('\n').find((l) => /^= 10\.77\.0\.2:8080 +10\.77\.0\.1:\d+ +ESTABLISHED +[\d.]+m?s +[1-9]\d* +0/.test(l)));
    expect(row).toMatch(/ESTABLISHED +[\d.]+m?s +[1-9]\d* +0/);   // the request waits unread in Recv-Q (manual responder)
    expect(pane()).toContain('1 of 1');

    keys('R');
    await waitFor('the RST confirmation', () => /send RST on \d+\? \(y\/n\)/.test(pane()));
    keys('y');
    await waitFor('the RST result', () => /✓ RST sent on \d+/.test(pane()));
    expect(await curlExit).toBe(56);
    expect(curlErr).toMatch(/reset by peer/i);
    await waitFor('the row to go', () => pane().includes('no connections'));
  }, 120_000);

  it('runs a guided scenario against the kernel: steps, hints, the check table, the verdict', async () => {
    keys('7');
    await waitFor('the scenarios view', () => /^ +handshake +Three-way handshake/m.test(pane()));
    keys('Enter');
    await waitFor('the scenario to start', () => pane().includes('✓ scenario handshake started'));
    await waitFor('its verdict', () => /handshake · .*✓ pass ─$/m.test(pane()), 60_000);
    const f = pane();
    expect(f).toMatch(/^✓ handshake/m);
    expect(f).toMatch(/─ Checks ─+ .*✓ \d+ {2}✗ 0 ─$/m);
    expect(f).toMatch(/^✓ SYN-ACK acknowledges the SYN: ack = x \+ 1/m);
    expect(f).toMatch(/^✓ PASS: all \d+ checks passed$/m);
    // Its first hint points at a segment: the ladder of that connection, the segment marked.
    expect(f).toMatch(/^a\) segment @\d+ /m);
    keys('a');
    await waitFor('the hinted segment', () => pane().includes('─ Segments ─') || /has gone; its events/.test(pane()));
    expect(pane()).toMatch(/»/);
  }, 120_000);

  it('quits with q', async () => {
    keys('Escape', '1', 'q');
    await waitFor('the TUI to exit', () => pane().includes('EXIT=0'), 20_000);
  }, 60_000);
});
