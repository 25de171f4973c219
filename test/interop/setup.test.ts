// `tcplab setup` / `tcplab teardown` for real, in namespaces of their own: idempotence, what they
// say, and the point of it all: an unprivileged process attaches to the TUN in the namespace.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tun } from '../../core/link/tun.ts';
import { setup } from '../../tui/commands/setup.ts';
import { teardown } from '../../tui/commands/teardown.ts';
import { isRoot, reserveNames, run } from './netns.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./tun-child.ts', import.meta.url));
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

async function call(fn: typeof setup, args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await fn(args, (t) => (text += t));
  return { code, text };
}

describe.skipIf(!isRoot)('tcplab setup / teardown for an unprivileged user, kernel side in a namespace', () => {
  let names: Awaited<ReturnType<typeof reserveNames>>;
  let args: string[];
  let tmp: string;

  beforeAll(async () => {
    names = await reserveNames();
    args = ['--dev', names.dev, '--netns', names.ns, '--user', 'nobody'];
    tmp = mkdtempSync(path.join(tmpdir(), 'tcplab-setup-'));
  });
  afterAll(async () => {
    await call(teardown, ['--dev', names.dev, '--netns', names.ns]);
    names.release();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('without root, prints the exact command to run as root', async () => {
    const r = await run([...NOBODY, process.execPath, path.join(ROOT, 'bin/tcplab.js'), 'setup', ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('needs root');
    expect(r.stdout).toContain(`sudo ${process.execPath} ${path.join(ROOT, 'bin/tcplab.js')} setup --dev ${names.dev} --netns ${names.ns} --user nobody`);
  });

  it('creates a user-owned namespace and a persistent TUN owned by the user, addressed and up', async () => {
    const r = await call(setup, args);
    expect(r.code).toBe(0);
    expect(r.text).toContain(`+ created network namespace ${names.ns}, owned by a user namespace of nobody`);
    expect(r.text).toContain(`+ created persistent TUN ${names.dev} in namespace ${names.ns}, owned by nobody`);
    expect(r.text).toContain('+ assigned the kernel-side address 10.77.0.1/24');
    const link = await run(['ip', '-n', names.ns, '-d', 'addr', 'show', 'dev', names.dev]);
    expect(link.stdout).toMatch(/persist on user nobody/);
    expect(link.stdout).toContain('inet 10.77.0.1/24');
    expect(link.stdout).toContain(',UP');
    const state = JSON.parse(readFileSync(`/run/tcplab/${names.dev}.json`, 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ dev: names.dev, netns: names.ns, user: 'nobody', uid: 65534, labAddr: '10.77.0.2', createdNetns: true });
    expect(existsSync(`/run/tcplab/${names.ns}.userns`)).toBe(true);
  });

  it('is idempotent: the second run changes nothing and says so; a new MTU is one change', async () => {
    const again = await call(setup, args);
    expect(again.code).toBe(0);
    expect(again.text).toContain('was already set up; nothing changed');
    expect(again.text).not.toContain('  + ');
    const mtu = await call(setup, [...args, '--mtu', '9000']);
    expect(mtu.text).toContain(`+ set the MTU of ${names.dev} to 9000 (was 1500)`);
    expect(mtu.text).toContain('(1 change)');
  });

  it('lets an unprivileged process attach to the TUN in the namespace, and the kernel reaches it', async () => {
    // /dev/net/tun is 0600 on this machine; give the child a 0666 node in a private mount
    // namespace instead of changing the machine's (setup --chmod-tun would).
    const node = path.join(tmp, 'tun');
    const mk = await run(['mknod', '-m', '0666', node, 'c', '10', '200']);
    expect(mk.code).toBe(0);
    const script = `mount --bind ${node} /dev/net/tun && exec ${NOBODY.join(' ')} ${process.execPath} --import tsx ${CHILD} echo ${names.dev} ${names.ns}`;
    const child = spawn('unshare', ['-m', 'sh', '-c', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const deadline = performance.now() + 10_000;
      while (!out.includes('opened') && child.exitCode === null && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(out, err).toContain(`"opened":"${names.dev}"`);
      expect(out).toContain('"uid":65534');
      const ping = await run(['ip', 'netns', 'exec', names.ns, 'ping', '-c', '3', '-i', '0.05', '-W', '2', '10.77.0.2']);
      expect(ping.stdout).toContain('3 packets transmitted, 3 received');
      // The documented way for the user to run kernel-side tools without root.
      const userPing = await run([...NOBODY, 'nsenter', '--preserve-credentials', `--user=/run/tcplab/${names.ns}.userns`,
        `--net=/run/netns/${names.ns}`, 'ping', '-c', '1', '-W', '2', '10.77.0.2']);
      expect(userPing.stdout).toContain('1 packets transmitted, 1 received');
    } finally {
      child.stdin.end();
      await exited;
    }
    expect(out).toContain('"answered":4');
  });

  it('the lab as root attaches through the same helper', () => {
    const tun = Tun.open({ name: names.dev, netns: names.ns });
    try {
      expect(tun.ipv4).toBe('10.77.0.1/24');
      expect(tun.mtu).toBe(9000);
    } finally {
      tun.close();
    }
  });

  it('teardown removes everything, and a second teardown finds nothing', async () => {
    const r = await call(teardown, ['--dev', names.dev]);
    expect(r.code).toBe(0);
    expect(r.text).toContain(`- deleted TUN ${names.dev} from namespace ${names.ns}`);
    expect(r.text).toContain(`- deleted network namespace ${names.ns}`);
    expect(r.text).toContain('- released its user namespace');
    expect(existsSync(`/run/netns/${names.ns}`)).toBe(false);
    expect(existsSync(`/run/tcplab/${names.ns}.userns`)).toBe(false);
    expect(existsSync(`/run/tcplab/${names.dev}.json`)).toBe(false);
    const again = await call(teardown, ['--dev', names.dev, '--netns', names.ns]);
    expect(again.text).toContain(`nothing to remove for ${names.dev}`);
  });
});

describe.skipIf(!isRoot)('tcplab setup refusals', () => {
  let names: Awaited<ReturnType<typeof reserveNames>>;
  beforeAll(async () => {
    names = await reserveNames();
  });
  afterAll(async () => {
    await call(teardown, ['--dev', names.dev, '--netns', names.ns]);
    names.release();
  });

  it('refuses bad arguments with a clear message', async () => {
    await expect(call(setup, ['--kernel-addr', '10.77.0.300/24'])).rejects.toThrow(/invalid --kernel-addr/);
    await expect(call(setup, ['--mtu', '20'])).rejects.toThrow(/invalid --mtu/);
    await expect(call(setup, ['--dev', 'a-name-longer-than-15'])).rejects.toThrow(/invalid device name/);
    await expect(call(setup, ['--bogus'])).rejects.toThrow(/unknown argument '--bogus'/);
    await expect(call(setup, ['--user', 'no-such-user-here', '--netns', names.ns, '--dev', names.dev])).rejects.toThrow(/no such user/);
  });

  it('refuses a device name that is not a TUN (root-owned namespace for --user root)', async () => {
    await expect(call(setup, ['--dev', 'lo', '--netns', names.ns, '--user', 'root'])).rejects.toThrow(/lo exists in namespace .* and is not a TUN/);
    const r = await call(setup, ['--dev', names.dev, '--netns', names.ns, '--user', 'root']);
    expect(r.text).toContain(`= network namespace ${names.ns} exists`);
    expect(r.text).toContain(`+ created persistent TUN ${names.dev}`);
    expect(r.text).not.toContain('user namespace');
  });
});
