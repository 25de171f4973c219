// Bulk TCP throughput, the lab's stack against Linux's, in the same run:
//   kernel -> lab   a C sender in the test namespace writes for SECS seconds to a lab listener
//                   (discard responder); rate = bytes / time until the lab had read them all
//   lab -> kernel   the lab writes for SECS seconds to a C sink in the namespace; rate = what it read
//   kernel -> kernel the same C sender and sink over a veth pair between two namespaces
// at MTU 1500 and 65000, plus the event loop's delay (p50/p99/max, perf_hooks) while the lab
// moves data and the CPU the lab's process used. Measured, not asserted.
// Each lab case runs twice: on a plain TUN (every packet one segment) and with TCP offloads
// (core/link/offload.ts: GSO super-segments both ways, the '-gso' cases).
//   TCPLAB_BENCH_SECS=3 (per run)   TCPLAB_BENCH_REPEAT=3 (runs per case; the median is reported)
//   TCPLAB_BENCH_ONLY=k2l-1500,l2k-65000-gso,... (a subset)
// Profile a case:  node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/throughput.ts
// Needs root (namespaces, TUN, veth); prints a note and exits 0 without it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Lab } from '../core/lab/lab.ts';
import { jsonOf, serverOutput, tcpTool } from '../test/interop/kernel-tools.ts';
import { createLabNet, type LabNet } from '../test/interop/lab-net.ts';
import { benchConditions, markdownTable, onInterrupt, repeated, REPEAT } from '../test/interop/bench-util.ts';
import { isRoot } from '../test/interop/netns.ts';
import { createVethPair } from '../test/interop/veth.ts';

const SECS = Number(process.env.TCPLAB_BENCH_SECS ?? 3);
const ONLY = (process.env.TCPLAB_BENCH_ONLY ?? '').split(',').filter((s) => s !== '');
const want = (id: string): boolean => ONLY.length === 0 || ONLY.includes(id);
const MTUS = [1500, 65000];
/** Lab knobs for the runs, e.g. TCPLAB_BENCH_KNOBS=tcp_rmem=4194304,tcp_wmem=4194304 (default: the lab's defaults). */
const KNOBS = Object.fromEntries((process.env.TCPLAB_BENCH_KNOBS ?? '').split(',').filter((s) => s.includes('='))
  .map((s) => s.split('=')).map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)]));
const TARGET: Record<string, number> = { 'k2l-1500': 2.5, 'k2l-65000': 5 };

interface Measured {
  gbit: number;
  loop?: { p50: number; p99: number; max: number };
  cpu?: number;       // lab process CPU seconds per wall second
  note?: string;
}

function gbit(bytes: number, secs: number): number {
  return (bytes * 8) / secs / 1e9;
}

/** Event-loop delay and CPU over a run of the lab. */
function watch(): () => { loop: Measured['loop']; cpu: number } {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    h.disable();
    const u = process.cpuUsage(cpu0);
    const wall = (performance.now() - t0) / 1000;
    return {
      loop: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 },
      cpu: (u.user + u.system) / 1e6 / wall,
    };
  };
}

async function kernelToKernel(mtu: number): Promise<Measured> {
  const pair = await createVethPair({ mtu });
  const off = onInterrupt(() => pair.cleanup());
  try {
    const sink = serverOutput<{ got: number; secs: number }>(pair.b.spawn([tcpTool(), 'sink', pair.b.addr, '5001']));
    await sink.ready;
    const s = jsonOf<{ sent: number; secsToEof: number }>(await pair.a.exec([tcpTool(), 'send', pair.b.addr, '5001', String(SECS)], { timeoutMs: SECS * 1000 + 30_000 }));
    const k = await sink.result;
    return { gbit: gbit(k.got, k.secs), note: `sender ${gbit(s.sent, s.secsToEof).toFixed(2)}` };
  } finally {
    off();
    await pair.cleanup();
  }
}

async function kernelToLab(ln: LabNet): Promise<Measured> {
  const { listener } = ln.lab.handlers.listen({ port: 5001, backlog: 16, responder: 'discard' }) as { listener: number };
  const stop = watch();
  const r = jsonOf<{ sent: number; secsToEof: number; error?: string }>(
    await ln.net.exec([tcpTool(), 'send', ln.net.labAddr, '5001', String(SECS)], { timeoutMs: SECS * 1000 + 60_000 }));
  const w = stop();
  ln.lab.handlers.unlisten({ listener });
  if (r.error !== undefined) throw new Error(`sender: ${r.error}`);
  return { gbit: gbit(r.sent, r.secsToEof), loop: w.loop, cpu: w.cpu };
}

/**
 * At most this much per connection: the stack's sender stalls after 2^31 bytes on one connection
 * (reported to the tcp engineer; test/interop/lab-wrap.test.ts), and a benchmark must not hang.
 */
const MAX_PER_CONNECTION = 1.9 * 2 ** 30;

/** The lab writes as fast as the connection takes it for SECS seconds, then closes. */
function labSource(lab: Lab, conn: number): Promise<number> {
  const sock = lab.socket(conn);
  const block = new Uint8Array(1 << 20).fill(0x78);
  let written = 0;
  let stop = false;
  let closed = false;
  return new Promise((resolve, reject) => {
    const push = (): void => {
      if (closed) return;
      try {
        while (!stop && written < MAX_PER_CONNECTION) {
          const n = sock.write(block);
          written += n;
          if (n < block.length) return;
        }
      } catch (err) {
        closed = true;
        reject(err as Error);
        return;
      }
      closed = true;
      sock.close();
      resolve(written);
    };
    sock.on('connect', push);
    sock.on('drain', push);
    setTimeout(() => {
      stop = true;
      push();
    }, SECS * 1000);
  });
}

async function labToKernel(ln: LabNet): Promise<Measured> {
  const sink = serverOutput<{ got: number; secs: number }>(ln.net.spawn([tcpTool(), 'sink', ln.net.kernelAddr, '5002']));
  await sink.ready;
  const stop = watch();
  const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: 5002, responder: 'manual' }) as { conn: number };
  await labSource(ln.lab, conn);
  const k = await Promise.race([sink.result, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('lab -> kernel: the sink got no EOF within 60 s')), 60_000))]);
  const w = stop();
  return { gbit: gbit(k.got, k.secs), loop: w.loop, cpu: w.cpu };
}

function fmtLoop(m: Measured): string {
  return m.loop === undefined ? '' : `${m.loop.p99.toFixed(1)} ms (p50 ${m.loop.p50.toFixed(1)}, max ${m.loop.max.toFixed(1)})`;
}

async function main(): Promise<void> {
  if (!isRoot) {
    process.stdout.write('bench/throughput: needs root (namespaces, TUN, veth); skipped\n');
    return;
  }
  tcpTool();
  const conditions = benchConditions();
  const range = (xs: number[]): string => (xs.length > 1 ? ` (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})` : '');
  const rows: string[][] = [['case', 'lab, Gbit/s', 'kernel<->kernel (veth), Gbit/s', 'ratio', 'target', 'event loop p99 (worst run)', 'lab CPU', 'Gbit/s per lab core']];
  for (const mtu of MTUS) {
    const ids = [`k2l-${mtu}`, `l2k-${mtu}`, `k2l-${mtu}-gso`, `l2k-${mtu}-gso`];
    const ref = ids.some(want) || want(`k2k-${mtu}`) ? await repeated(() => kernelToKernel(mtu), (m) => m.gbit) : null;
    if (ref !== null) process.stdout.write(`kernel -> kernel (veth) MTU ${mtu}: ${ref.runs.map((r) => r.gbit.toFixed(2)).join(', ')} Gbit/s\n`);
    for (const offload of [false, true]) {
      const sfx = offload ? '-gso' : '';
      const cases = [[`k2l-${mtu}${sfx}`, 'kernel -> lab', kernelToLab], [`l2k-${mtu}${sfx}`, 'lab -> kernel', labToKernel]] as const;
      if (!cases.some(([id]) => want(id))) continue;
      const ln = await createLabNet({ mtu, offload, lab: { knobs: KNOBS } });
      const off = onInterrupt(() => ln.cleanup());
      try {
        for (const [id, dir, fn] of cases) {
          if (!want(id)) continue;
          const label = `${dir}, MTU ${mtu}${offload ? ', offload' : ''}`;
          const r = await repeated(() => fn(ln), (m) => m.gbit);
          const m = r.median;
          const worst = r.runs.reduce((a, b) => ((b.loop?.p99 ?? 0) > (a.loop?.p99 ?? 0) ? b : a));
          process.stdout.write(`${label}: ${r.runs.map((x) => x.gbit.toFixed(2)).join(', ')} Gbit/s; event loop p99 ${r.runs.map((x) => x.loop?.p99.toFixed(1)).join(', ')} ms; lab CPU ${r.runs.map((x) => (x.cpu ?? 0).toFixed(2)).join(', ')} cores\n`);
          const target = TARGET[id.replace('-gso', '')];
          rows.push([
            label, `${m.gbit.toFixed(2)}${range(r.runs.map((x) => x.gbit))}`,
            ref === null ? '-' : `${ref.median.gbit.toFixed(2)}${range(ref.runs.map((x) => x.gbit))}`,
            ref === null ? '-' : `${(m.gbit / ref.median.gbit).toFixed(3)}`, target !== undefined && dir === 'kernel -> lab' ? `${target}` : '-',
            fmtLoop(worst), `${(m.cpu ?? 0).toFixed(2)}`, m.cpu ? (m.gbit / m.cpu).toFixed(2) : '-',
          ]);
        }
      } finally {
        off();
        await ln.cleanup();
      }
    }
  }
  process.stdout.write(`\n${markdownTable(rows)}\n(median of ${REPEAT} runs of ${SECS} s, range in parentheses; 'Gbit/s per lab core' = rate / the lab ` +
    `process's CPU (user + system, which includes the kernel's work inside our TUN reads and writes): what one uncontended core ` +
    `would give if the lab were CPU-bound; event-loop target: p99 under 20 ms ` +
    `during bulk transfer; lab knobs ${Object.keys(KNOBS).length === 0 ? 'default' : JSON.stringify(KNOBS)}; ${conditions})\n`);
}

await main();
