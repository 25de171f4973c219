import { describe, expect, it } from 'vitest';
import { isRoot, runOnTun } from './harness.ts';

describe.skipIf(!isRoot)('scenario wraparound (real kernel, own namespace)', () => {
  it('passes its own check', { timeout: 120_000 }, async () => {
    const { report, table } = await runOnTun('wraparound');
    expect(report.verdict, table).toBe('pass');
  });
});
