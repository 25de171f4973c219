import { describe, expect, it } from 'vitest';
import { isRoot, runOnTun } from './harness.ts';

describe.skipIf(!isRoot)('scenario keepalive (real kernel, own namespace)', () => {
  // One retry: the checks time real timers against the real kernel; a very busy machine can delay a timer past its bound.
  it('passes its own check', { retry: 1, timeout: 120_000 }, async () => {
    const { report, table } = await runOnTun('keepalive');
    expect(report.verdict, table).toBe('pass');
  });

  // The same lesson with lab time running x3 (time control): the lab's keepalive timers run
  // three times faster, the kernel answers in real time, the checks (in lab time) still hold.
  // Not faster: Linux answers a probe (an out-of-window segment) at most once per 500 ms of real
  // time (tcp_invalid_ratelimit), so probes 2 s of lab time apart need a scale below 4.
  it('passes with lab time scaled x3, in a third of the time', { retry: 1, timeout: 60_000 }, async () => {
    const start = performance.now();
    const { report, table } = await runOnTun('keepalive', 60_000, (lab) => lab.setTime({ scale: 3 }));
    expect(report.verdict, table).toBe('pass');
    expect(performance.now() - start).toBeLessThan(10_000);
  });
});
