// A private network namespace holding the kernel side of a TUN device (root only): what the
// interop tests run in (test/interop/netns.ts gives it random names) and what a root user's lab
// gets when nothing was set up (core/lab/ephemeral.ts).
//
//   const net = await createPrivateNet({ ns: 'tl-1a2b', dev: 'tl1a2b', markerDir });
//   await net.exec(['curl', 'http://10.77.0.2/']);     // inside the namespace
//   await net.cleanup();                               // kills what it spawned, closes the TUN, deletes the namespace
//
// Each namespace gets a marker file in `markerDir` naming its creator's PID; `sweepStaleNets()`
// deletes only namespaces whose marker names a dead PID, i.e. leftovers of a crashed process,
// never anyone else's.
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Tun } from './tun.ts';

export const NET_KERNEL_ADDR = '10.77.0.1';
export const NET_LAB_ADDR = '10.77.0.2';
export const NET_PREFIX = 24;

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface ExecResult { code: number | null; signal: string | null; stdout: string; stderr: string }

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

/** Run a command synchronously (for process exit), ignoring every failure. */
function runSync(argv: string[]): void {
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // already gone, or nothing more to do
  }
}

export interface NetMarker { pid: number; ns: string; dev: string }

export function writeMarker(dir: string, m: NetMarker): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, m.ns), JSON.stringify(m));
}

export function removeMarker(dir: string, ns: string): void {
  rmSync(path.join(dir, ns), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Delete the namespaces (and leftover devices) whose marker in `dir` names a process that no
 * longer exists. Only names matching `names.ns` / `names.dev` are touched.
 */
export async function sweepStaleNets(dir: string, names: { ns: RegExp; dev: RegExp }): Promise<NetMarker[]> {
  if (!existsSync(dir)) return [];
  const removed: NetMarker[] = [];
  for (const file of readdirSync(dir)) {
    let m: NetMarker;
    try {
      m = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as NetMarker;
    } catch {
      continue;
    }
    if (!names.ns.test(m.ns) || alive(m.pid)) continue;
    await run(['ip', 'netns', 'del', m.ns]);
    if (names.dev.test(m.dev)) await run(['ip', 'link', 'del', m.dev]);
    removeMarker(dir, m.ns);
    removed.push(m);
  }
  return removed;
}

export interface PrivateNetOptions {
  /** The namespace's name (made here; must not exist). */
  ns: string;
  /** The TUN's name (at most 15 characters). */
  dev: string;
  /** Where the marker naming this process goes (for sweepStaleNets). */
  markerDir: string;
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
  /** Open the TUN with TCP offloads (virtio-net header, GSO; offload.ts). Default false. */
  offload?: boolean;
}

export interface PrivateNet {
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
  /** Kill what it spawned, close the TUN, delete the namespace and the marker. Idempotent. */
  cleanup(): Promise<void>;
  /** The same, synchronously (for a closing lab or process exit). */
  cleanupSync(): void;
}

/** Make a namespace and (by default) a TUN whose kernel side is in it, configured and up. */
export async function createPrivateNet(opts: PrivateNetOptions): Promise<PrivateNet> {
  if (!isRoot) throw new Error('a private network namespace needs root');
  const { ns, dev, markerDir } = opts;
  writeMarker(markerDir, { pid: process.pid, ns, dev });
  const children = new Set<ChildProcess>();
  let tun: Tun | null = null;
  let cleaned = false;

  /** Kills what was spawned and closes the TUN; false when cleaned up already. */
  const release = (): boolean => {
    if (cleaned) return false;
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
    } catch {
      // the namespace goes anyway
    }
    return true;
  };

  const net: PrivateNet = {
    ns, dev, kernelAddr: NET_KERNEL_ADDR, labAddr: NET_LAB_ADDR,
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
      if (!release()) return;
      await run(['ip', 'netns', 'del', ns]);
      removeMarker(markerDir, ns);
    },
    cleanupSync() {
      if (!release()) return;
      runSync(['ip', 'netns', 'del', ns]);
      removeMarker(markerDir, ns);
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
      await must(['ip', '-n', ns, 'addr', 'add', `${NET_KERNEL_ADDR}/${NET_PREFIX}`, 'dev', dev]);
      await must(['ip', '-n', ns, 'link', 'set', dev, 'mtu', String(opts.mtu ?? 1500), 'up']);
    }
    return net;
  } catch (err) {
    await net.cleanup();
    throw err;
  }
}
