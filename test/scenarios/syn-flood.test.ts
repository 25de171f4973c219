import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot, runOnTun, type ScenarioOutcome } from './harness.ts';

describe.skipIf(!isRoot)('scenario syn-flood (real kernel, own namespace; hping3 -c 200 inside it)', () => {
  let out: ScenarioOutcome;
  beforeAll(async () => {
    out = await runOnTun('syn-flood');
  }, 60_000);

  it('without cookies: the flood fills the SYN queue and a real client cannot connect', () => {
    const part1 = out.report.checks.slice(0, 3);
    expect(part1.map((c) => c.pass), out.table).toEqual([true, true, true]);
  });

  it('passes its own check (with cookies the real client gets through)', () => {
    expect(out.report.verdict, out.table).toBe('pass');
  });
});
