import { describe, expect, it } from 'vitest';
import { isRoot, runOnTun } from './harness.ts';

describe.skipIf(!isRoot)('scenario retransmission (real kernel, own namespace)', () => {
  it('passes its own check', { timeout: 120_000 }, async () => {
    const { report, table } = await runOnTun('retransmission');
    expect(report.verdict, table).toBe('pass');
  });
});
