// Two private network namespaces joined by a veth pair: the kernel-to-kernel reference for the
// benchmarks (same machine, same run, no TUN and no userspace stack in the path).
//   const pair = await createVethPair({ mtu: 65000 });   // tl-<hex> x2, 10.78.0.1 <-> 10.78.0.2
//   await pair.a.exec([...]); pair.b.spawn([...]); await pair.cleanup();
// The namespaces carry netns.ts's markers, so a crashed run's leftovers are swept like theirs.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { reserveNames, run, type ExecResult } from './netns.ts';

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

export async function createVethPair(opts: { mtu?: number } = {}): Promise<VethPair> {
  const ra = await reserveNames();
  const rb = await reserveNames();
  const children = new Set<ChildProcess>();
  const end = (ns: string, dev: string, addr: string): VethEnd => ({
    ns, dev, addr,
    exec: (argv, o = {}) => run(['ip', 'netns', 'exec', ns, ...argv], o),
    spawn(argv, o = {}) {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'pipe', ...o });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
  });
  const pair: VethPair = {
    a: end(ra.ns, ra.dev, '10.78.0.1'),
    b: end(rb.ns, rb.dev, '10.78.0.2'),
    async cleanup() {
      for (const c of children) {
        if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      await run(['ip', 'netns', 'del', ra.ns]);
      await run(['ip', 'netns', 'del', rb.ns]);
      ra.release();
      rb.release();
    },
  };
  try {
    for (const r of [ra, rb]) {
      await must(['ip', 'netns', 'add', r.ns]);
      await must(['ip', '-n', r.ns, 'link', 'set', 'lo', 'up']);
    }
    await must(['ip', 'link', 'add', ra.dev, 'netns', ra.ns, 'type', 'veth', 'peer', 'name', rb.dev, 'netns', rb.ns]);
    for (const [r, e] of [[ra, pair.a], [rb, pair.b]] as const) {
      await must(['ip', '-n', r.ns, 'addr', 'add', `${e.addr}/24`, 'dev', r.dev]);
      await must(['ip', '-n', r.ns, 'link', 'set', r.dev, 'mtu', String(opts.mtu ?? 1500), 'up']);
    }
    return pair;
  } catch (err) {
    await pair.cleanup();
    throw err;
  }
}
