import { describe, expect, it } from 'vitest';
import { isRoot, runOnTun } from './harness.ts';

describe.skipIf(!isRoot)('scenario wraparound (real kernel, own namespace)', () => {
  // One retry: the checks time real timers against the real kernel; a very busy machine can delay a timer past its bound.
  it('passes its own check', { retry: 1, timeout: 120_000 }, async () => {
    const { report, table } = await runOnTun('wraparound');
    expect(report.verdict, table).toBe('pass');
  });
});
