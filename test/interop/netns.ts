// Interop test helper: a private network namespace holding the kernel side of a TUN device.
//
//   const net = await createTestNet();          // tl-<hex> namespace, tl<hex> TUN, 10.77.0.1/24 inside
//   net.tun.onReceive(...); await net.exec(['ping', '-c', '1', net.labAddr]);
//   await net.cleanup();                        // kills what it spawned, closes the TUN, deletes the namespace
//
// or, in a vitest file, `const net = useTestNet()` (use-test-net.ts) registers beforeAll/afterAll
// (cleanup also runs when a test fails). Every name is random and unique, so test files may run
// in parallel. Each namespace gets a marker in /run/tcplab-test naming its creator's PID; `sweepStaleTestNets()`
// (run once per process by createTestNet) deletes only namespaces whose marker names a dead PID,
// i.e. leftovers of a crashed run of this helper, never anyone else's.
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Tun } from '../../core/link/tun.ts';

export const KERNEL_ADDR = '10.77.0.1';
export const LAB_ADDR = '10.77.0.2';
export const PREFIX = 24;
const MARKER_DIR = '/run/tcplab-test';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface ExecResult { code: number | null; signal: string | null; stdout: string; stderr: string }

export interface TestNetOptions {
  /** MTU of the TUN (default 1500). */
  mtu?: number;
  /**
   * How the TUN is made: 'move' (default) opens it in our namespace and then moves it with
   * `ip link set DEV netns NS` (the fd stays valid); 'inside' opens it directly in the namespace
   * (the addon's forked setns helper); 'none' makes the namespace only.
   */
  tun?: 'move' | 'inside' | 'none';
  /** Leave the device down and without an address (default false). */
  unconfigured?: boolean;
  /** Open the TUN with TCP offloads (virtio-net header, GSO; core/link/offload.ts). Default false. */
  offload?: boolean;
}

export interface TestNet {
  readonly ns: string;
  readonly dev: string;
  readonly kernelAddr: string;
  readonly labAddr: string;
  /** The open TUN (null with tun: 'none'). */
  readonly tun: Tun | null;
  /** Run a command inside the namespace (`ip netns exec NS ...`), bounded by timeoutMs (default 20 s). */
  exec(argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** Start a long-running command inside the namespace; it is killed (by PID) at cleanup. */
  spawn(argv: string[], opts?: SpawnOptions): ChildProcess;
  /** `ip -n NS ...` */
  ip(...args: string[]): Promise<ExecResult>;
  cleanup(): Promise<void>;
}

/** A random name: prefix + hex, at most 15 characters (IFNAMSIZ - 1). */
export function uniqueName(prefix: string): string {
  const hex = randomBytes(6).toString('hex');
  return (prefix + hex).slice(0, 15);
}

/** Run a command (not in a namespace), bounded in time; never throws for a non-zero exit. */
export function run(argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(argv[0], argv.slice(1), { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 64 << 20, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
        const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({ code, signal: e?.signal ?? null, stdout: String(stdout), stderr: String(stderr) + (e && code === null && !e.signal ? e.message : '') });
      });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function must(argv: string[]): Promise<ExecResult> {
  const r = await run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
  return r;
}

interface Marker { pid: number; ns: string; dev: string }

function writeMarker(m: Marker): void {
  mkdirSync(MARKER_DIR, { recursive: true });
  writeFileSync(path.join(MARKER_DIR, m.ns), JSON.stringify(m));
}

function removeMarker(ns: string): void {
  rmSync(path.join(MARKER_DIR, ns), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept = false;

/** Delete namespaces (and leftover devices) this helper made in processes that no longer exist. */
export async function sweepStaleTestNets(): Promise<string[]> {
  if (!existsSync(MARKER_DIR)) return [];
  const removed: string[] = [];
  for (const file of readdirSync(MARKER_DIR)) {
    let m: Marker;
    try {
      m = JSON.parse(readFileSync(path.join(MARKER_DIR, file), 'utf8')) as Marker;
    } catch {
      continue;
    }
    if (!/^tl-[0-9a-f]+$/.test(m.ns) || alive(m.pid)) continue;
    await run(['ip', 'netns', 'del', m.ns]);
    if (/^tl[0-9a-f]+$/.test(m.dev)) {
      await run(['ip', 'link', 'del', m.dev]);
      rmSync(`/run/tcplab/${m.dev}.json`, { force: true });
    }
    // A user namespace pinned by `tcplab setup` in a setup test.
    const userns = `/run/tcplab/${m.ns}.userns`;
    if (existsSync(userns)) {
      await run(['umount', userns]);
      rmSync(userns, { force: true });
    }
    removeMarker(m.ns);
    removed.push(m.ns);
  }
  return removed;
}

/**
 * Reserve a namespace name and a device name for a test that makes them itself (for example
 * through `tcplab setup`): they are swept like createTestNet's if this process dies first.
 */
export async function reserveNames(): Promise<{ ns: string; dev: string; release(): void }> {
  if (!swept) {
    swept = true;
    await sweepStaleTestNets();
  }
  const ns = uniqueName('tl-');
  const dev = uniqueName('tl');
  writeMarker({ pid: process.pid, ns, dev });
  return { ns, dev, release: () => removeMarker(ns) };
}

/** Make a namespace and (by default) a TUN whose kernel side is in it, configured and up. */
export async function createTestNet(opts: TestNetOptions = {}): Promise<TestNet> {
  if (!isRoot) throw new Error('interop tests need root (they create network namespaces and TUN devices)');
  if (!swept) {
    swept = true;
    await sweepStaleTestNets();
  }
  const ns = uniqueName('tl-');
  const dev = uniqueName('tl');
  writeMarker({ pid: process.pid, ns, dev });
  const children = new Set<ChildProcess>();
  let tun: Tun | null = null;
  let cleaned = false;

  const net: TestNet = {
    ns, dev, kernelAddr: KERNEL_ADDR, labAddr: LAB_ADDR,
    get tun() {
      return tun;
    },
    exec: (argv, o = {}) => run(['ip', 'netns', 'exec', ns, ...argv], o),
    spawn(argv, o = {}) {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'pipe', ...o });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    ip: (...args) => run(['ip', '-n', ns, ...args]),
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      for (const child of children) {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      try {
        tun?.close();
      } finally {
        await run(['ip', 'netns', 'del', ns]);
        removeMarker(ns);
      }
    },
  };

  try {
    await must(['ip', 'netns', 'add', ns]);
    await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    // The lab speaks IPv4 only: no IPv6 router solicitations or MLD reports on the TUN.
    await must(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const mode = opts.tun ?? 'move';
    if (mode === 'none') return net;
    if (mode === 'inside') {
      tun = Tun.open({ name: dev, netns: ns, offload: opts.offload });
    } else {
      tun = Tun.open({ name: dev, offload: opts.offload });
      await must(['ip', 'link', 'set', dev, 'netns', ns]);
    }
    if (!opts.unconfigured) {
      await must(['ip', '-n', ns, 'addr', 'add', `${KERNEL_ADDR}/${PREFIX}`, 'dev', dev]);
      await must(['ip', '-n', ns, 'link', 'set', dev, 'mtu', String(opts.mtu ?? 1500), 'up']);
    }
    return net;
  } catch (err) {
    await net.cleanup();
    throw err;
  }
}
