// The TUN device against the real kernel: batches in, batches out, devices moved into a
// namespace, prompt release, and the errors people meet when opening one.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { Tun, TunError } from '../../core/link/tun.ts';
import { addr, buildEcho, parseEcho, type Echo } from './icmp-echo.ts';
import { createTestNet, isRoot, run, sweepStaleTestNets, uniqueName, type TestNet } from './netns.ts';
import { useTestNet } from './use-test-net.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./tun-child.ts', import.meta.url));

interface ChildRun { code: number | null; lines: Record<string, unknown>[]; ms: number }

/** Run tun-child.ts (optionally through a wrapper such as setpriv) and wait, bounded. */
function runChild(args: string[], wrapper: string[] = [], timeoutMs = 15_000): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const argv = [...wrapper, process.execPath, '--import', 'tsx', CHILD, ...args];
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, ms: performance.now() - started });
    });
  });
}

/** Answer every echo request to the lab address with a reply; collect what arrived. */
function answerPings(net: TestNet, seen: Echo[], batchSizes: number[]): void {
  const tun = net.tun as Tun;
  const lab = addr(net.labAddr);
  tun.onReceive((packets) => {
    batchSizes.push(packets.length);
    for (const p of packets) {
      const e = parseEcho(p);
      if (e === null || e.dst !== lab) continue;
      seen.push(e);
      if (e.type === 8) tun.write(buildEcho({ ...e, type: 0, src: e.dst, dst: e.src }));
    }
    tun.flush();
  });
}

describe.skipIf(!isRoot)('TUN moved into a namespace (root path)', () => {
  const getNet = useTestNet();

  it('follows the device into the namespace: name, MTU, up, kernel-side address', async () => {
    const net = getNet();
    const tun = net.tun as Tun;
    expect(tun.name).toBe(net.dev);
    expect(tun.mtu).toBe(1500);
    expect(tun.isUp).toBe(true);
    expect(tun.ipv4).toBe('10.77.0.1/24');
    await net.ip('link', 'set', net.dev, 'mtu', '1400');
    expect(tun.mtu).toBe(1400);
    await net.ip('link', 'set', net.dev, 'mtu', '1500');
  });

  it('hands the kernel\'s packets over in batches and writes ours back: ping succeeds', async () => {
    const net = getNet();
    const seen: Echo[] = [];
    const batches: number[] = [];
    answerPings(net, seen, batches);
    const r = await net.exec(['ping', '-c', '5', '-i', '0.05', '-W', '2', net.labAddr]);
    expect(r.stdout).toContain('5 packets transmitted, 5 received');
    expect(seen.filter((e) => e.type === 8)).toHaveLength(5);
    expect(batches.every((n) => n >= 1)).toBe(true);
  });

  it('writes a burst of 200 packets in one flush and reads the 200 answers', async () => {
    const net = getNet();
    const tun = net.tun as Tun;
    const replies: Echo[] = [];
    const batches: number[] = [];
    tun.onReceive((packets) => {
      batches.push(packets.length);
      for (const p of packets) {
        const e = parseEcho(p);
        if (e !== null && e.type === 0 && e.id === 0x7e57) replies.push(e);
      }
    });
    const before = tun.stats();
    const payload = new Uint8Array(56).fill(0xab);
    for (let seq = 0; seq < 200; seq++) {
      tun.write(buildEcho({ type: 8, src: addr(net.labAddr), dst: addr(net.kernelAddr), id: 0x7e57, seq, payload }));
    }
    tun.flush();
    const after = tun.stats();
    expect(after.txPackets - before.txPackets).toBe(200);
    const deadline = performance.now() + 5000;
    while (replies.length < 200 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(replies.length).toBe(200);
    expect(new Set(replies.map((e) => e.seq)).size).toBe(200);
    expect(replies.every((e) => e.payload.every((b) => b === 0xab))).toBe(true);
    expect(Math.max(...batches)).toBeGreaterThan(1);
  });

  it('counts the kernel refusing a write while the device is down instead of throwing', async () => {
    const net = getNet();
    const tun = net.tun as Tun;
    await net.ip('link', 'set', net.dev, 'down');
    const before = tun.stats();
    tun.write(buildEcho({ type: 8, src: addr(net.labAddr), dst: addr(net.kernelAddr), id: 1, seq: 1, payload: new Uint8Array(8) }));
    tun.write(new Uint8Array(0));
    tun.flush();
    const after = tun.stats();
    expect(after.txErrors - before.txErrors).toBe(1);
    expect(after.lastTxError).toBe('EIO');
    expect(after.txRejected - before.txRejected).toBe(1);
    expect(tun.isUp).toBe(false);
    await net.ip('link', 'set', net.dev, 'up');
  });
});

describe.skipIf(!isRoot)('TUN opened inside a namespace (setns helper)', () => {
  const getNet = useTestNet({ tun: 'inside' });

  it('opens by name inside the namespace and pings', async () => {
    const net = getNet();
    expect(net.tun?.ipv4).toBe('10.77.0.1/24');
    const seen: Echo[] = [];
    answerPings(net, seen, []);
    const r = await net.exec(['ping', '-c', '3', '-i', '0.05', '-W', '2', net.labAddr]);
    expect(r.stdout).toContain('3 packets transmitted, 3 received');
  });

  it('reports a deleted device once, as an io error', async () => {
    const net = getNet();
    const extra = uniqueName('tl');
    await net.ip('tuntap', 'add', 'dev', extra, 'mode', 'tun');
    const tun = Tun.open({ name: extra, netns: net.ns });
    const errors: TunError[] = [];
    tun.onError((e) => errors.push(e));
    tun.onReceive(() => {});
    await net.ip('link', 'del', extra);
    const deadline = performance.now() + 3000;
    while (errors.length === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    tun.close();
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('io');
    expect(errors[0].message).toContain('deleted');
  });
});

describe.skipIf(!isRoot)('releasing and refusing', () => {
  const getNet = useTestNet({ tun: 'none' });

  it('close() releases promptly: a child that opens, receives and closes exits at once, and the device is gone', async () => {
    const net = getNet();
    const dev = uniqueName('tl');
    const r = await runChild(['open-close', dev, net.ns]);
    expect(r.lines[0]).toMatchObject({ opened: dev });
    expect(r.lines[1]).toMatchObject({ closed: true });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
    expect((await net.ip('link', 'show', dev)).code).not.toBe(0);
  });

  it('unref() lets a receiving process end by itself', async () => {
    const r = await runChild(['unref', uniqueName('tl'), getNet().ns]);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
  });

  it('a worker thread that ends with a receiving TUN open releases it (and the process survives)', async () => {
    const net = getNet();
    const dev = uniqueName('tl');
    const addon = path.join(ROOT, 'build/Release/tcplab_tun.node');
    const worker = new Worker(`
      const n = require(${JSON.stringify(addon)});
      const t = new n.Tun(${JSON.stringify(dev)}, ${JSON.stringify(`/run/netns/${net.ns}`)});
      t.start(new Uint8Array(1 << 20), new Int32Array(256), 256, () => {}, () => {});
      require('node:worker_threads').parentPort.postMessage('open');
    `, { eval: true });
    await new Promise((resolve, reject) => {
      worker.on('message', resolve);
      worker.on('error', reject);
    });
    expect((await net.ip('link', 'show', dev)).code).toBe(0);
    await worker.terminate();
    expect((await net.ip('link', 'show', dev)).code).not.toBe(0);
  });

  it('a name held by another process is busy', async () => {
    const net = getNet();
    const dev = uniqueName('tl');
    const holder = spawn(process.execPath, ['--import', 'tsx', CHILD, 'hold', dev, net.ns], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        holder.on('exit', () => reject(new Error('holder exited')));
      });
      let err: unknown = null;
      try {
        Tun.open({ name: dev, netns: net.ns }).close();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TunError);
      expect((err as TunError).code).toBe('busy');
      expect((err as TunError).errno).toBe('EBUSY');
      expect((err as TunError).message).toContain('another process has it open');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('explains a name that is not a TUN, and a namespace that does not exist', () => {
    const net = getNet();
    expect(() => Tun.open({ name: 'lo', netns: net.ns })).toThrow(/exists but is not a TUN/);
    expect(() => Tun.open({ name: 'tlx', netns: 'tl-doesnotexist' })).toThrow(/network namespace 'tl-doesnotexist' does not exist/);
    expect(() => Tun.open({ name: 'much-too-long-name' })).toThrow(/invalid interface name/);
  });

  it('explains a missing /dev/net/tun', async () => {
    // A private mount namespace where /dev/net is an empty tmpfs: the machine's stays as it is.
    const r = await runChild(['try', uniqueName('tl')], ['unshare', '-m', 'sh', '-c', 'mount -t tmpfs none /dev/net && exec "$0" "$@"']);
    expect(r.code).toBe(3);
    expect(r.lines[0]).toMatchObject({ error: 'no-clone-device', errno: 'ENOENT', stage: 'open /dev/net/tun' });
    expect(String(r.lines[0].message)).toContain('modprobe tun');
  });

  it('explains missing permission to an unprivileged user', async () => {
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const r = await runChild(['try', uniqueName('tl')], nobody);
    expect(r.code).toBe(3);
    expect(r.lines[0]).toMatchObject({ error: 'permission' });
    expect(String(r.lines[0].message)).toMatch(/tcplab setup --dev tl[0-9a-f]+ --user <you>/);
    const inNs = await runChild(['try', uniqueName('tl'), getNet().ns], nobody);
    expect(inNs.lines[0]).toMatchObject({ error: 'netns-permission', errno: 'EPERM', stage: 'setns net' });
  });
});

describe.skipIf(!isRoot)('createTestNet', () => {
  const made: TestNet[] = [];
  afterAll(async () => {
    for (const n of made) await n.cleanup();
  });

  it('makes unique names within IFNAMSIZ and removes everything on cleanup', async () => {
    const a = await createTestNet();
    const b = await createTestNet({ mtu: 9000 });
    made.push(a, b);
    expect(a.ns).not.toBe(b.ns);
    expect(a.dev.length).toBeLessThanOrEqual(15);
    expect(b.tun?.mtu).toBe(9000);
    await a.cleanup();
    expect((await run(['ip', 'netns', 'list'])).stdout).not.toContain(a.ns);
    expect((await run(['ip', 'link', 'show', a.dev])).code).not.toBe(0);
  });
});

describe.skipIf(!isRoot)('sweepStaleTestNets', () => {
  it('deletes a namespace whose creator died, and leaves a live creator\'s alone', async () => {
    const dead = spawnSync('true').pid as number; // a PID that has exited
    const stale = uniqueName('tl-');
    const live = await createTestNet({ tun: 'none' });
    try {
      expect((await run(['ip', 'netns', 'add', stale])).code).toBe(0);
      writeFileSync(`/run/tcplab-test/${stale}`, JSON.stringify({ pid: dead, ns: stale, dev: uniqueName('tl') }));
      const removed = await sweepStaleTestNets();
      expect(removed).toContain(stale);
      expect(removed).not.toContain(live.ns);
      const list = (await run(['ip', 'netns', 'list'])).stdout;
      expect(list).not.toContain(stale);
      expect(list).toContain(live.ns);
    } finally {
      await run(['ip', 'netns', 'del', stale]);
      await live.cleanup();
    }
  });
});
