import { describe, expect, it } from 'vitest';
import type { Lab } from '../../core/lab/lab.ts';
import { isRoot, runOnTun } from './harness.ts';

interface Reading { lab: number; before: number; after: number }

/** Lab time, between two readings of real time. */
function reading(lab: Lab): Reading {
  const before = performance.now();
  const now = lab.clock.now();
  return { lab: now, before, after: performance.now() };
}

/** The lesson's own waits, lab ms: IDLE (2 s) before each of 3 probes, INTVL (1 s) after each of the 3 unanswered ones. */
const IDLE_AND_PROBES_MS = 2 * 2000 + 2000 + 3 * 1000;

describe.skipIf(!isRoot)('scenario keepalive (real kernel, own namespace)', () => {
  it('passes its own check', { timeout: 120_000 }, async () => {
    const { report, table } = await runOnTun('keepalive');
    expect(report.verdict, table).toBe('pass');
  });

  // The same lesson with lab time running x3 (time control): the lab's keepalive timers run
  // three times faster, the kernel answers in real time, the checks (in lab time) still hold.
  // Not faster: Linux answers a probe (an out-of-window segment) at most once per 500 ms of real
  // time (tcp_invalid_ratelimit), so probes 2 s of lab time apart need a scale below 4.
  // "A third of the time" is measured as lab time against the real time actually observed over
  // the whole run (each lab reading bracketed by real ones), not as a wall-clock bound.
  it('passes with lab time scaled x3, in a third of the time', { timeout: 60_000 }, async () => {
    const run: { lab?: Lab; first?: Reading } = {};
    const { report, table } = await runOnTun('keepalive', 60_000, (lab) => {
      lab.setTime({ scale: 3 });
      Object.assign(run, { lab, first: reading(lab) });
    });
    expect(report.verdict, table).toBe('pass');
    if (run.lab === undefined || run.first === undefined) throw new Error('the lab was not made');
    const { first } = run;
    const last = reading(run.lab);
    expect(last.lab - first.lab).toBeGreaterThanOrEqual((last.before - first.after) * 3 - 1e-6);
    expect(last.lab - first.lab).toBeLessThanOrEqual((last.after - first.before) * 3 + 1e-6);
    expect((report.finishedAt ?? 0) - report.startedAt).toBeGreaterThan(IDLE_AND_PROBES_MS);
  });
});
