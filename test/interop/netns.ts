// Interop test helper: a private network namespace holding the kernel side of a TUN device
// (core/link/netns.ts), with random names.
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
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import {
  createPrivateNet, isRoot, NET_KERNEL_ADDR, NET_LAB_ADDR, NET_PREFIX, removeMarker, run, sweepStaleNets, writeMarker,
  type ExecResult, type PrivateNet, type PrivateNetOptions,
} from '../../core/link/netns.ts';

export { isRoot, run, type ExecResult };
export const KERNEL_ADDR = NET_KERNEL_ADDR;
export const LAB_ADDR = NET_LAB_ADDR;
export const PREFIX = NET_PREFIX;
const MARKER_DIR = '/run/tcplab-test';

export type TestNetOptions = Omit<PrivateNetOptions, 'ns' | 'dev' | 'markerDir'>;
export type TestNet = PrivateNet;

/** A random name: prefix + hex, at most 15 characters (IFNAMSIZ - 1). */
export function uniqueName(prefix: string): string {
  const hex = randomBytes(6).toString('hex');
  return (prefix + hex).slice(0, 15);
}

let swept = false;

/** Delete namespaces (and leftover devices) this helper made in processes that no longer exist. */
export async function sweepStaleTestNets(): Promise<string[]> {
  const removed = await sweepStaleNets(MARKER_DIR, { ns: /^tl-[0-9a-f]+$/, dev: /^tl[0-9a-f]+$/ });
  for (const m of removed) {
    if (/^tl[0-9a-f]+$/.test(m.dev)) rmSync(`/run/tcplab/${m.dev}.json`, { force: true });
    // A user namespace pinned by `tcplab setup` in a setup test.
    const userns = `/run/tcplab/${m.ns}.userns`;
    if (existsSync(userns)) {
      await run(['umount', userns]);
      rmSync(userns, { force: true });
    }
  }
  return removed.map((m) => m.ns);
}

async function sweepOnce(): Promise<void> {
  if (swept) return;
  swept = true;
  await sweepStaleTestNets();
}

/**
 * Reserve a namespace name and a device name for a test that makes them itself (for example
 * through `tcplab setup`): they are swept like createTestNet's if this process dies first.
 */
export async function reserveNames(): Promise<{ ns: string; dev: string; release(): void }> {
  await sweepOnce();
  const ns = uniqueName('tl-');
  const dev = uniqueName('tl');
  writeMarker(MARKER_DIR, { pid: process.pid, ns, dev });
  return { ns, dev, release: () => removeMarker(MARKER_DIR, ns) };
}

/** Make a namespace and (by default) a TUN whose kernel side is in it, configured and up. */
export async function createTestNet(opts: TestNetOptions = {}): Promise<TestNet> {
  if (!isRoot) throw new Error('interop tests need root (they create network namespaces and TUN devices)');
  await sweepOnce();
  return createPrivateNet({ ...opts, ns: uniqueName('tl-'), dev: uniqueName('tl'), markerDir: MARKER_DIR });
}
