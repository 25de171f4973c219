// Two private network namespaces joined by a veth pair: the kernel-to-kernel reference for the
// benchmarks (same machine, same run, no TUN and no userspace stack in the path).
//   const pair = await createVethPair({ mtu: 65000 });   // tl-<hex> x2, 10.78.0.1 <-> 10.78.0.2
//   await pair.a.exec([...]); pair.b.spawn([...]); await pair.cleanup();
// The namespaces are netns.ts's (IPv6 off, markers), so a crashed run's leftovers are swept like theirs.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { createTestNet, run, type ExecResult, type TestNet } from './netns.ts';

export interface VethEnd {
  readonly ns: string;
  readonly dev: string;
  readonly addr: string;
  exec(argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** A long-running command in the namespace; killed (by PID) at cleanup. */
  spawn(argv: string[], opts?: SpawnOptions): ChildProcess;
}

export interface VethPair {
  a: VethEnd;
  b: VethEnd;
  cleanup(): Promise<void>;
}

async function must(argv: string[]): Promise<void> {
  const r = await run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
}

const end = (net: TestNet, addr: string): VethEnd => ({ ns: net.ns, dev: net.dev, addr, exec: net.exec, spawn: net.spawn });

export async function createVethPair(opts: { mtu?: number } = {}): Promise<VethPair> {
  const nets: TestNet[] = [];
  const cleanup = async (): Promise<void> => {
    for (const n of nets) await n.cleanup();
  };
  try {
    nets.push(await createTestNet({ tun: 'none' }), await createTestNet({ tun: 'none' }));
    const [na, nb] = nets;
    const pair: VethPair = { a: end(na, '10.78.0.1'), b: end(nb, '10.78.0.2'), cleanup };
    await must(['ip', 'link', 'add', na.dev, 'netns', na.ns, 'type', 'veth', 'peer', 'name', nb.dev, 'netns', nb.ns]);
    for (const [n, e] of [[na, pair.a], [nb, pair.b]] as const) {
      await must(['ip', '-n', n.ns, 'addr', 'add', `${e.addr}/24`, 'dev', n.dev]);
      await must(['ip', '-n', n.ns, 'link', 'set', n.dev, 'mtu', String(opts.mtu ?? 1500), 'up']);
    }
    return pair;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
