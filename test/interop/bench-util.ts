// Shared by the interop benchmarks (bench/throughput.ts, bench/connrate.ts): repeated runs with
// a median, a fair share of a busy machine (a raised priority for the run and the processes it
// starts), and a markdown table.
import { loadavg, setPriority } from 'node:os';

export const REPEAT = Math.max(1, Number(process.env.TCPLAB_BENCH_REPEAT ?? 3));

/**
 * As root, run at a raised priority (nice -10; the namespace tools inherit it), so a machine
 * busy with other work disturbs the figures less. Returns a line for the report.
 */
export function benchConditions(): string {
  let prio = 'normal priority';
  try {
    setPriority(-10);
    prio = 'nice -10';
  } catch {
    // not permitted: keep the normal priority
  }
  const [l1, l5] = loadavg();
  return `${prio}, load average ${l1.toFixed(1)} / ${l5.toFixed(1)} (1 / 5 min) at the start`;
}

const cleanups = new Set<() => Promise<void>>();
let hooked = false;

/**
 * Register a cleanup to run if the benchmark is interrupted (SIGINT, SIGTERM): namespaces and the
 * processes in them go away even then. Returns the function that unregisters it.
 */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  if (!hooked) {
    hooked = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
      });
    }
  }
  return () => cleanups.delete(cleanup);
}

/** Median (upper middle) of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Run `fn` REPEAT times; the run with the median `key`, plus all runs. */
export async function repeated<T>(fn: () => Promise<T>, key: (t: T) => number): Promise<{ median: T; runs: T[] }> {
  const runs: T[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await fn());
  const m = median(runs.map(key));
  return { median: runs.find((r) => key(r) === m) as T, runs };
}

export function markdownTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
