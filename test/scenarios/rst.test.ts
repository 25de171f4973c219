import { describe, expect, it } from 'vitest';
import { isRoot, runOnTun } from './harness.ts';

describe.skipIf(!isRoot)('scenario rst (real kernel, own namespace; hping3 forges two RSTs inside it)', () => {
  it('passes its own check', { timeout: 120_000 }, async () => {
    const { report, table } = await runOnTun('rst');
    expect(report.verdict, table).toBe('pass');
  });
});
