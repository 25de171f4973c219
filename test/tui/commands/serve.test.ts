// `tcplab serve` as a process (on the simulated wire, no TUN): its arguments, the web endpoint
// with its token (the page, the API, and the refusals: no token, a wrong token, a foreign Host
// or Origin), the Unix socket's privacy against another user, and a clean stop on SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeArgs, startDaemon } from '../../../tui/commands/serve.ts';
import { isRoot, run, type ExecResult } from '../../interop/netns.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TCPLAB = path.join(ROOT, 'bin/tcplab.js');
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

describe('serve arguments', () => {
  it('--web takes an optional port; --shell needs --web; --simulated has no device', () => {
    expect(parseServeArgs(['--web'], {})).toMatchObject({ web: 0, simulated: false });
    expect(parseServeArgs(['--web', '8080', '--simulated'], {})).toMatchObject({ web: 8080, simulated: true });
    expect(parseServeArgs(['--web=9000'], {})).toMatchObject({ web: 9000 });
    expect(parseServeArgs(['--dev', 'tl0', '--netns', 'lab'], { XDG_RUNTIME_DIR: '/run/user/7' })).toEqual({
      dev: 'tl0', netns: 'lab', simulated: false, socket: '/run/user/7/tcplab/lab.sock', web: null, shell: false,
    });
    expect(parseServeArgs(['--shell'], {})).toEqual({ error: '--shell goes with --web (the shell is offered to the web page)' });
    expect(parseServeArgs(['--simulated', '--dev', 'x'], {})).toEqual({ error: '--simulated runs without a TUN: leave out --dev and --netns' });
    expect(parseServeArgs(['--simulated', '--web', '--shell'], {})).toEqual({ error: '--shell opens a shell on the kernel side: a simulated lab has none' });
    expect(parseServeArgs(['--web', '70000'], {})).toEqual({ error: "--web takes a port from 0 to 65535, not '70000'" });
    expect(parseServeArgs(['extra'], {})).toEqual({ error: "unexpected 'extra'" });
    expect(parseServeArgs(['-h'], {})).toEqual({ help: true });
  });
});

/** A plain HTTP request to 127.0.0.1:port; answers status, headers and body. */
function get(port: number, pathName: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathName, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket upgrade on /api; answers the HTTP status (101 when accepted). */
function upgrade(port: number, pathName: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path: pathName,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

describe('the web endpoint (in-process daemon, a stand-in page)', () => {
  it('serves the page only to a loopback Host; nothing but the API on the Unix socket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tl-web-'));
    const d = await startDaemon(
      { dev: undefined, netns: undefined, simulated: true, socket: path.join(dir, 'lab.sock'), web: 0, shell: false },
      { assets: (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>page</html>') },
    );
    try {
      const port = d.sockets.tcp!.port;
      expect(d.webUrl).toBe(`http://127.0.0.1:${port}/?token=${d.sockets.tcp!.token}`);
      expect(await get(port, '/')).toMatchObject({ status: 200, body: '<html>page</html>' });
      expect(await get(port, '/', { host: `localhost:${port}` })).toMatchObject({ status: 200 });
      expect(await get(port, '/', { host: `evil.example:${port}` })).toMatchObject({ status: 403 });
    } finally {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tcplab serve --simulated --web, as a process', () => {
  let dir: string;
  let sock: string;
  let daemon: ChildProcess;
  let out = '';
  let exited: Promise<number | null>;
  let url: URL;

  const tcplab = (...args: string[]): Promise<ExecResult> => run([process.execPath, TCPLAB, ...args], { timeoutMs: 30_000 });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tl-serve-'));
    sock = path.join(dir, 'run', 'lab.sock');
    daemon = spawn(process.execPath, [TCPLAB, 'serve', '--simulated', '--socket', sock, '--web'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise((resolve) => daemon.on('exit', (code) => resolve(code)));
    const end = Date.now() + 60_000;
    while (!out.includes('Serving') && daemon.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    const m = /web: {4}(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
    if (m === null) throw new Error(`no web URL in:\n${out}`);
    url = new URL(m[1]);
  }, 90_000);

  afterAll(() => {
    if (daemon.pid !== undefined && daemon.exitCode === null) process.kill(daemon.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the lab, the socket and the URL with its token', () => {
    expect(out).toContain('tcplab: lab 10.77.0.2 on a simulated wire (no TUN), kernel side 10.77.0.1');
    expect(out).toContain(`  socket: ${sock}`);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the GUI page with a strict Content-Security-Policy', async () => {
    const page = await get(Number(url.port), '/');
    expect(page.status).toBe(200);
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'");
  }, 60_000);

  it('the command line reaches it with the token, over 127.0.0.1', async () => {
    const api = `ws://127.0.0.1:${url.port}/api?token=${url.searchParams.get('token')}`;
    expect(await tcplab('listen', '7', '--lab', api)).toMatchObject({ code: 0, stdout: 'listening on port 7 (echo), listener 1\n' });
    const ss = await tcplab('ss', '-l', '--socket', sock);
    expect(ss.stdout).toMatch(/\n1\s+10\.77\.0\.2:7\s+echo\s/);
  });

  it('refuses a connection without the token, with a wrong one, from a foreign Origin or Host', async () => {
    const port = Number(url.port);
    const token = url.searchParams.get('token') as string;
    expect(await upgrade(port, '/api', { host: `127.0.0.1:${port}` })).toBe(401);
    expect(await upgrade(port, '/api?token=wrong', { host: `127.0.0.1:${port}` })).toBe(401);
    expect(await upgrade(port, `/api?token=${token}`, { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(port, `/api?token=${token}`, { host: `rebind.example:${port}` })).toBe(403);
    expect(await upgrade(port, `/api?token=${token}`, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` })).toBe(101);
    const r = await tcplab('ss', '--lab', `ws://127.0.0.1:${port}/api`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the connection: 401');
    expect(r.stderr).toContain('with its token');
  });

  it.skipIf(!isRoot)('refuses another user on the Unix socket (directory 0700, socket 0600)', async () => {
    // tsx keeps a cache in $TMPDIR/tsx-UID: give nobody a private one.
    const nobodyTmp = mkdtempSync(path.join(tmpdir(), 'tl-nobody-'));
    chownSync(nobodyTmp, 65534, 65534);
    let r: ExecResult;
    try {
      r = await run([...NOBODY, 'env', `TMPDIR=${nobodyTmp}`, process.execPath, TCPLAB, 'ss', '--socket', sock], { timeoutMs: 30_000 });
    } finally {
      rmSync(nobodyTmp, { recursive: true, force: true });
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('permission denied: a lab\'s socket is private to the user who started it');
  });

  it('stops on SIGINT: exit 0, the socket file removed', async () => {
    process.kill(daemon.pid as number, 'SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(sock)).toBe(false);
    expect(out).toContain('SIGINT: stopping the lab');
  });
});
