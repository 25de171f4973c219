// The contract suite over WebSocket on a Unix socket, plus the socket's privacy: directory
// 0700, socket 0600, owned by us; stale sockets replaced, live ones and strangers refused.
import { spawnSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectSocket } from '../../../core/api/client-socket.ts';
import { defaultSocketDir, defaultSocketPath } from '../../../core/api/socket-dir.ts';
import { startSocketServer } from '../../../core/api/socket-server.ts';
import { makeLab, transportSuite } from './contract-suite.ts';

transportSuite('WebSocket on a Unix socket');

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('the Unix socket and its directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tl-api-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the directory 0700 and the socket 0600, and removes the socket on close', async () => {
    const { server } = makeLab({});
    const path = join(dir, 'tcplab', 'lab.sock');
    const sock = await startSocketServer({ api: server, unixPath: path });
    expect(await mode(join(dir, 'tcplab'))).toBe(0o700);
    expect((await lstat(path)).isSocket()).toBe(true);
    expect(await mode(path)).toBe(0o600);
    await sock.close();
    await expect(lstat(path)).rejects.toThrow(/ENOENT/);
  });

  it('makes an existing directory of ours 0700', async () => {
    const d = join(dir, 'tcplab');
    await mkdir(d, { mode: 0o755 });
    await chmod(d, 0o755);
    const sock = await startSocketServer({ api: makeLab({}).server, unixPath: join(d, 'lab.sock') });
    expect(await mode(d)).toBe(0o700);
    await sock.close();
  });

  it('never changes a shared directory (like /tmp) or another directory of the user: it refuses it', async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await expect(startSocketServer({ api: makeLab({}).server, unixPath: join(shared, 'lab.sock') })).rejects.toThrow(/open to other users \(mode 1777\).*shared\/tcplab\/lab\.sock/);
    expect((await stat(shared)).mode & 0o7777).toBe(0o1777);
    const home = join(dir, 'home');
    await mkdir(home);
    await chmod(home, 0o755);
    await expect(startSocketServer({ api: makeLab({}).server, unixPath: join(home, 'lab.sock') })).rejects.toThrow(/open to other users \(mode 755\)/);
    expect(await mode(home)).toBe(0o755);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a directory that belongs to someone else (needs root to chown)', async () => {
    const d = join(dir, 'tcplab');
    await mkdir(d, { mode: 0o700 });
    await chown(d, 65534, 65534);
    await expect(startSocketServer({ api: makeLab({}).server, unixPath: join(d, 'lab.sock') })).rejects.toThrow(/belongs to uid 65534.*refusing/);
  });

  it('refuses a directory that is a symlink', async () => {
    await mkdir(join(dir, 'elsewhere'), { mode: 0o700 });
    await symlink(join(dir, 'elsewhere'), join(dir, 'tcplab'));
    await expect(startSocketServer({ api: makeLab({}).server, unixPath: join(dir, 'tcplab', 'lab.sock') })).rejects.toThrow(/not a directory/);
  });

  it('replaces a stale socket, refuses a live one and never replaces a plain file', async () => {
    const d = join(dir, 'tcplab');
    await mkdir(d, { mode: 0o700 });
    const path = join(d, 'lab.sock');
    // A socket left behind by a lab that died: bound, never unlinked.
    const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
    expect(r.status).toBe(0);
    expect((await lstat(path)).isSocket()).toBe(true);
    const first = await startSocketServer({ api: makeLab({}).server, unixPath: path });
    await expect(startSocketServer({ api: makeLab({}).server, unixPath: path })).rejects.toThrow(/already serving/);
    await first.close();
    await writeFile(path, 'not a socket');
    await expect(startSocketServer({ api: makeLab({}).server, unixPath: path })).rejects.toThrow(/not a socket/);
  });

  it('lives in $XDG_RUNTIME_DIR/tcplab, or /tmp/tcplab-$UID without it, with the same modes', async () => {
    expect(defaultSocketDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/tcplab');
    expect(defaultSocketPath({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/tcplab/lab.sock');
    expect(defaultSocketDir({}, 1000)).toBe('/tmp/tcplab-1000');
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = dir;
    try {
      const sock = await startSocketServer({ api: makeLab({}).server });
      expect(sock.unixPath).toBe(join(dir, 'tcplab', 'lab.sock'));
      expect(await mode(join(dir, 'tcplab'))).toBe(0o700);
      expect(await mode(sock.unixPath!)).toBe(0o600);
      await sock.close();
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
    // The fallback directory, under a uid of its own so no real lab is disturbed.
    const fallback = defaultSocketDir({}, 4_000_000 + process.pid);
    try {
      const sock = await startSocketServer({ api: makeLab({}).server, unixPath: join(fallback, 'lab.sock') });
      expect(await mode(fallback)).toBe(0o700);
      expect(await mode(join(fallback, 'lab.sock'))).toBe(0o600);
      await sock.close();
    } finally {
      await rm(fallback, { recursive: true, force: true });
    }
  });

  it('says plainly when no lab is serving', async () => {
    await expect(connectSocket({ path: join(dir, 'nothing.sock') })).rejects.toThrow(/no lab is serving there/);
  });

  it('disconnects a client that breaks the protocol, and only that client', async () => {
    const { server } = makeLab({});
    const path = join(dir, 'lab.sock');
    const sock = await startSocketServer({ api: server, unixPath: path });
    const good = await connectSocket({ path });
    const ws = new WebSocket(`ws+unix:${path}:/api`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<[number, string]>((r) => ws.once('close', (code, reason) => r([code, reason.toString()])));
    ws.send('{"t":"call","id":"x"}');
    expect(await closed).toEqual([1008, 'malformed message']);
    expect(await good.call('listen', { port: 80 })).toMatchObject({ ok: true });
    expect(sock.clientCount()).toBe(1);
    await good.close();
    await sock.close();
  });

  it('tells the client when the lab goes away', async () => {
    const path = join(dir, 'lab.sock');
    const sock = await startSocketServer({ api: makeLab({}).server, unixPath: path });
    const client = await connectSocket({ path });
    await sock.close();
    expect(await client.closed).toMatch(/closed/);
    expect(await client.call('snapshot')).toMatchObject({ ok: false, error: { code: 'ECLOSED' } });
  });
});
