// `tcplab counters [-z] [--deltas [--interval S] [--count N]] [MATCH]`: the lab's counters in
// netstat -s groups under Linux's names; --deltas prints what moved every interval until Ctrl-C.
import { setTimeout as sleep } from 'node:timers/promises';
import { countersText, deltaLines } from '../../core/api/command-text.ts';
import type { LocalLine } from '../../core/api/command-line.ts';
import { labCommand, type LabContext } from './lab-command.ts';

type CountersLine = Extract<LocalLine, { local: 'counters' }>;

function keep(line: CountersLine, deltas: Record<string, number>): Record<string, number> {
  const m = line.match?.toLowerCase();
  return Object.fromEntries(Object.entries(deltas).filter(([k]) => m === undefined || k.toLowerCase().includes(m)));
}

async function watch(line: CountersLine, ctx: LabContext): Promise<number> {
  const stop = ctx.cli.interrupted();
  let prev = await ctx.must('counterDeltas', {});
  for (let n = 0; line.count === null || n < line.count; n++) {
    try {
      await sleep(line.intervalMs, undefined, { signal: stop });
    } catch {
      break;
    }
    const d = await ctx.must('counterDeltas', { since: prev.at });
    const deltas = keep(line, d.deltas);
    ctx.out(ctx.opts.json ? JSON.stringify({ since: d.since, at: d.at, deltas }) : deltaLines(d.at, deltas));
    prev = d;
  }
  return 0;
}

export const countersCommand = labCommand('counters', {
  async counters(line, ctx) {
    if (line.deltas) return watch(line, ctx);
    const { counters } = await ctx.must('snapshot');
    const opts = { nonZero: line.nonZero, ...(line.match !== null ? { match: line.match } : {}) };
    ctx.out(ctx.opts.json ? JSON.stringify(keep(line, counters)) : countersText(counters, null, opts, ctx.opts.lang));
    return 0;
  },
});
