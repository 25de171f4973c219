// The daemon and the command line end to end, for real: `tcplab setup` makes a TUN with its
// kernel side in a namespace of this test's own, `tcplab serve` runs the lab on it as a separate
// process, and the `tcplab` subcommands (separate processes too) drive it while the kernel's
// curl, inside the namespace, is the peer: curl gets an answer from a listener made by `tcplab
// listen`, `tcplab ss` shows the connection, `tcplab rst` resets it and curl reports the reset.
// Everything is removed afterwards (also on failure); processes are stopped by their PID.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { setup } from '../../../tui/commands/setup.ts';
import { teardown } from '../../../tui/commands/teardown.ts';
import { isRoot, reserveNames, run, type ExecResult } from '../../interop/netns.ts';
import { start, stop, stopAll, TCPLAB, waitFor, type Started } from './child.ts';

describe.skipIf(!isRoot)('tcplab serve + the tcplab commands on a real TUN, the kernel\'s curl as the peer', () => {
  let names: Awaited<ReturnType<typeof reserveNames>>;
  let tmp: string;
  let sock: string;
  let daemon: Started;

  const tcplab = (...args: string[]): Promise<ExecResult> => run([process.execPath, TCPLAB, ...args, '--socket', sock], { timeoutMs: 30_000 });

  beforeAll(async () => {
    names = await reserveNames();
    tmp = mkdtempSync(path.join(tmpdir(), 'tl-serve-'));
    sock = path.join(tmp, 'run', 'lab.sock');
    let text = '';
    const code = await setup(['--dev', names.dev, '--netns', names.ns, '--user', 'root'], (t) => (text += t));
    if (code !== 0) throw new Error(`tcplab setup failed:\n${text}`);
    daemon = start([process.execPath, TCPLAB, 'serve', '--dev', names.dev, '--netns', names.ns, '--socket', sock]);
    await waitFor('the daemon to serve', () => daemon.out().includes('Serving') || daemon.child.exitCode !== null, 60_000);
    if (!daemon.out().includes('Serving')) throw new Error(`tcplab serve did not start:\n${daemon.out()}${daemon.err()}`);
  }, 120_000);

  afterAll(async () => {
    stopAll();
    await teardown(['--dev', names.dev, '--netns', names.ns], () => {});
    names.release();
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('says where it serves', () => {
    expect(daemon.out()).toContain(`tcplab: lab 10.77.0.2 on TUN ${names.dev}, kernel side 10.77.0.1`);
    expect(daemon.out()).toContain(`  socket: ${sock}`);
  });

  it('curl against an http listener made by `tcplab listen` gets the lab\'s answer', async () => {
    const l = await tcplab('listen', '80', '--responder', 'http');
    expect(l).toMatchObject({ code: 0, stdout: 'listening on port 80 (http), listener 1\n' });
    const curl = await run(['ip', 'netns', 'exec', names.ns, 'curl', '-sS', '-m', '20', '-o', '/dev/null', '-w', '%{http_code}', 'http://10.77.0.2/'], { timeoutMs: 30_000 });
    expect(curl).toMatchObject({ code: 0, stdout: '200' });
    const counters = await tcplab('counters', 'PassiveOpens');
    expect(counters.stdout).toMatch(/PassiveOpens\s+1\b/);
  });

  it('`tcplab ss` shows curl\'s connection to a manual listener, `tcplab rst` resets it and curl reports the reset', async () => {
    expect((await tcplab('listen', '8080', '--responder', 'manual')).code).toBe(0);
    const trace = start([process.execPath, TCPLAB, 'trace', '--count', '4', '--kinds', 'segment,state', '--socket', sock]);
    await waitFor('the trace to subscribe', () => trace.err().includes('following'));
    const curl = start(['ip', 'netns', 'exec', names.ns, 'curl', '-sS', '-m', '30', 'http://10.77.0.2:8080/']);
    let row: { id: number; state: string; remote: string } | undefined;
    for (let i = 0; i < 80 && row === undefined; i++) {
      const ss = await tcplab('ss', '--json', 'lport:8080');
      row = (JSON.parse(ss.stdout) as { connections: { id: number; state: string; remote: string }[] }).connections.find((c) => c.state === 'ESTABLISHED');
      if (row === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(row).toBeDefined();
    const conn = row as { id: number; state: string; remote: string };
    expect(conn.remote).toMatch(/^10\.77\.0\.1:\d+$/);
    const table = await tcplab('ss');
    expect(table.stdout).toMatch(new RegExp(`\\n${conn.id}\\s+tcp\\s+10\\.77\\.0\\.2:8080\\s+${conn.remote.replace(/\./g, '\\.')}\\s+ESTABLISHED\\s+\\d+\\s+0\\b`));
    const rst = await tcplab('rst', String(conn.id));
    expect(rst).toMatchObject({ code: 0, stdout: `RST sent on ${conn.id}\n` });
    expect(await curl.exited).toBe(56);
    expect(curl.err()).toMatch(/reset by peer/i);
    expect(await tcplab('rst', String(conn.id))).toMatchObject({ code: 1, stderr: `tcplab rst: ENOCONN: no such connection: ${conn.id}\n` });
    expect(await trace.exited).toBe(0);
    const lines = trace.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d+\.\d{3} IN {5}10\.77\.0\.1\.\d+ > 10\.77\.0\.2\.8080: Flags \[S\]/);
    expect(lines.some((x) => /STATE {2}#\d+ (LISTEN|CLOSED) -> SYN-RECEIVED/.test(x))).toBe(true);
  });

  it('`tcplab scenario run handshake` runs a guided scenario against the kernel; `scenario ls` shows how it went', async () => {
    const ls = await tcplab('scenario', 'ls');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^ {2}handshake\s+\S/m);
    expect(await tcplab('scenario', 'run', 'handshake')).toMatchObject({ code: 0, stdout: 'scenario handshake started\n' });
    let status = '';
    for (let i = 0; i < 300 && !/handshake: finished/.test(status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await tcplab('scenario', 'ls')).stdout;
    }
    expect(status).toMatch(/\nhandshake: finished, /);
    expect(status).not.toMatch(/handshake: finished, failed/);
  }, 90_000);

  it('stops cleanly on SIGTERM: the socket file is removed and the TUN released (a new lab, with --web --shell, takes it)', async () => {
    stop(daemon.child, 'SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.out()).toContain('SIGTERM: stopping the lab');
    expect(existsSync(sock)).toBe(false);
    const again = start([process.execPath, TCPLAB, 'serve', '--dev', names.dev, '--netns', names.ns, '--socket', sock, '--web', '--shell']);
    await waitFor('the second daemon', () => again.out().includes('Serving') || again.child.exitCode !== null, 60_000);
    expect(again.out()).toContain('Serving');
    const ping = await run(['ip', 'netns', 'exec', names.ns, 'ping', '-c', '1', '-W', '5', '10.77.0.2']);
    expect(ping.code).toBe(0);

    // The page's kernel-side shell: inside the namespace, behind the token.
    expect(again.out()).toContain(`shell:  the page offers a shell on the kernel side (namespace ${names.ns}), as root`);
    const hash = /#shell=(\S+)/.exec(again.out());
    expect(hash).not.toBeNull();
    const shellUrl = decodeURIComponent((hash as RegExpExecArray)[1]);
    expect(shellUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/shell\?token=[\w-]+$/);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(shellUrl.replace(/token=[\w-]+/, 'token=wrong'));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(refused).toBe(401);
    const ws = new WebSocket(shellUrl);
    let screen = '';
    ws.on('message', (d: Buffer) => (screen += d.toString()));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    ws.send(JSON.stringify({ resize: { cols: 100, rows: 30 } }));
    await new Promise((r) => setTimeout(r, 300));
    ws.send(Buffer.from('stty size; ip -br addr show dev ' + names.dev + '; echo done-$((6*7))\n'), { binary: true });
    await waitFor('the shell\'s answer', () => screen.includes('done-42'), 20_000);
    expect(screen).toContain('30 100');
    expect(screen).toMatch(/10\.77\.0\.1\/24/);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.send(Buffer.from('exit\n'), { binary: true });
    await closed;
    stop(again.child, 'SIGINT');
    expect(await again.exited).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });
});
