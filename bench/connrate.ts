// Serial connections per second from a kernel client (connect, send 1 byte, close), to a lab
// listener (discard responder) and, in the same run, kernel to kernel over a veth pair between
// two namespaces (a C accept loop as the server). Two clients: python (the yardstick;
// lwIP took 9,600/s from one) and C (the same loop without the interpreter's cost).
// The client namespaces reuse TIME-WAIT ports (tcp_tw_reuse=1, ports 1024-65535), so a bounded
// run never runs out of ports. The event loop's delay is measured while the lab serves.
//   TCPLAB_BENCH_SECS=3 (per run)   TCPLAB_BENCH_REPEAT=3 (runs; the median is reported)
// Needs root; prints a note and exits 0 without it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { jsonOf, serverOutput, tcpTool } from '../test/interop/kernel-tools.ts';
import { createLabNet, KERNEL_PEER, type LabNet } from '../test/interop/lab-net.ts';
import { benchConditions, markdownTable, median, onInterrupt, REPEAT } from '../test/interop/bench-util.ts';
import { isRoot, type ExecResult } from '../test/interop/netns.ts';
import { createVethPair } from '../test/interop/veth.ts';

const SECS = Number(process.env.TCPLAB_BENCH_SECS ?? 3);
const TARGET = 10_000;

interface Rate { perSec: number; connections: number; errors: unknown }

type Exec = (argv: string[], opts?: { timeoutMs?: number }) => Promise<ExecResult>;

async function tuneClient(exec: Exec): Promise<void> {
  await exec(['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65535']);
}

function clients(host: string, port: number): Record<'python' | 'C', string[]> {
  return {
    python: ['python3', KERNEL_PEER, 'connrate', host, String(port), String(SECS)],
    C: [tcpTool(), 'connrate', host, String(port), String(SECS)],
  };
}

async function kernelToKernel(): Promise<Record<string, Rate>> {
  const pair = await createVethPair();
  const off = onInterrupt(() => pair.cleanup());
  try {
    await tuneClient(pair.a.exec);
    const srv = serverOutput(pair.b.spawn([tcpTool(), 'accept-loop', pair.b.addr, '5003']));
    await srv.ready;
    const out: Record<string, Rate> = {};
    for (const [name, argv] of Object.entries(clients(pair.b.addr, 5003))) {
      out[name] = jsonOf<Rate>(await pair.a.exec(argv, { timeoutMs: SECS * 1000 + 30_000 }));
    }
    return out;
  } finally {
    off();
    await pair.cleanup();
  }
}

async function toLab(ln: LabNet): Promise<Record<string, Rate & { loopP99: number; cpu: number; labDelta: Record<string, number> }>> {
  await tuneClient(ln.net.exec);
  ln.lab.handlers.listen({ port: 5003, backlog: 4096, responder: 'discard' });
  const out: Record<string, Rate & { loopP99: number; cpu: number; labDelta: Record<string, number> }> = {};
  for (const [name, argv] of Object.entries(clients(ln.net.labAddr, 5003))) {
    const c0 = ln.lab.stack.counters.all();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = jsonOf<Rate>(await ln.net.exec(argv, { timeoutMs: SECS * 1000 + 30_000 }));
    h.disable();
    const u = process.cpuUsage(cpu0);
    const c1 = ln.lab.stack.counters.all();
    const labDelta: Record<string, number> = {};
    for (const k of ['PassiveOpens', 'ListenOverflows', 'ListenDrops', 'EstabResets', 'RetransSegs', 'OutRsts']) labDelta[k] = c1[k] - c0[k];
    out[name] = { ...r, loopP99: h.percentile(99) / 1e6, cpu: (u.user + u.system) / 1e6 / ((performance.now() - t0) / 1000), labDelta };
    // Let the lab finish the last closes before the next client.
    await new Promise((res) => setTimeout(res, 500));
  }
  return out;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  if (!isRoot) {
    process.stdout.write('bench/connrate: needs root (namespaces, TUN, veth); skipped\n');
    return;
  }
  const conditions = benchConditions();
  const refs: Record<string, Rate>[] = [];
  const labs: Awaited<ReturnType<typeof toLab>>[] = [];
  for (let i = 0; i < REPEAT; i++) {
    refs.push(await kernelToKernel());
    const ln = await createLabNet();
    const off = onInterrupt(() => ln.cleanup());
    try {
      labs.push(await toLab(ln));
    } finally {
      off();
      await ln.cleanup();
    }
  }
  const rows = [['client', 'lab, connections/s', 'kernel<->kernel (veth)', 'ratio', 'target', 'event loop p99 (worst)', 'lab CPU', 'per lab core', 'lab counters (last run)']];
  for (const name of Object.keys(refs[0])) {
    const l = labs.map((x) => x[name]);
    const k = refs.map((x) => x[name]);
    const lm = median(l.map((x) => x.perSec));
    const km = median(k.map((x) => x.perSec));
    const last = l[l.length - 1];
    process.stdout.write(`${name} client: lab ${l.map((x) => fmt(x.perSec)).join(', ')}/s; kernel ${k.map((x) => fmt(x.perSec)).join(', ')}/s\n`);
    rows.push([name, `${fmt(lm)} (${fmt(Math.min(...l.map((x) => x.perSec)))}-${fmt(Math.max(...l.map((x) => x.perSec)))})`,
      `${fmt(km)} (${fmt(Math.min(...k.map((x) => x.perSec)))}-${fmt(Math.max(...k.map((x) => x.perSec)))})`,
      (lm / km).toFixed(3), fmt(TARGET), `${Math.max(...l.map((x) => x.loopP99)).toFixed(1)} ms`, last.cpu.toFixed(2),
      fmt(median(l.map((x) => x.perSec / Math.max(x.cpu, 0.01)))),
      Object.entries(last.labDelta).filter(([, v]) => v !== 0).map(([kk, v]) => `${kk} ${v}`).join(', ')]);
  }
  process.stdout.write(`\n${markdownTable(rows)}\n(serial: connect, send 1 byte, close; median of ${REPEAT} runs of ${SECS} s, range in parentheses; ${conditions})\n`);
}

await main();
