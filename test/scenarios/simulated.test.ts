// The scenarios that do not need Linux itself run on the simulated wire too, with the lab's own
// stack as the peer (labelled so in their first step); here on a manual clock, so they are
// deterministic and quick. Their checks must pass there as well. syn-flood and rst forge packets
// with hping3 and refuse on the simulated wire.
import { describe, expect, it } from 'vitest';
import { createLab } from '../../core/lab/create.ts';
import { ALL_SCENARIOS, scenarioReport } from '../../core/lab/scenarios/index.ts';
import type { ScenarioReport } from '../../core/lab/scenarios/status.ts';
import { ManualClock } from '../../core/stack/clock.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

type Final = ReturnType<ReturnType<typeof createLab>['snapshot']>['scenario'];

/** Run a scenario to its end: its report, and its status in the lab's last snapshot (what a panel shows). */
async function runSimulated(name: string): Promise<(ScenarioReport & { final: Final }) | null> {
  const lab = createLab({ simulated: true, clock: new ManualClock(1000), seed: 5 });
  try {
    lab.handlers.scenarioRun({ name });
    for (let i = 0; i < 200_000 && lab.snapshot().scenario?.running === true; i++) {
      lab.advance(1);
      await tick();
    }
    const r = scenarioReport(lab);
    return r === null ? null : { ...r, final: lab.snapshot().scenario };
  } finally {
    lab.close();
  }
}

const table = (r: ScenarioReport | null): string =>
  r === null ? 'no report' : [`${r.name}: ${r.verdict} ${r.reason ?? ''}`, ...r.checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'} ${c.what}: expected ${c.expected}, observed ${c.observed}`)].join('\n');

describe('scenarios on the simulated wire (manual clock, the lab\'s stack as the peer)', () => {
  const any = ALL_SCENARIOS.filter((s) => s.needs === 'any').map((s) => s.name);

  it.each(any)('%s passes its own check', async (name) => {
    const r = await runSimulated(name);
    expect(r?.verdict, table(r)).toBe('pass');
    expect(r?.peer).toBe('simulated');
    expect(r?.steps[0].en).toMatch(/simulated wire.*not Linux/);
    // The panel shows the snapshot's last step: the result, not 'done'.
    const n = r?.checks.length;
    expect(r?.final).toMatchObject({ name, running: false, verdict: 'pass', step: `result: PASS (${n} of ${n} checks)` });
  }, 60_000);

  it.each(ALL_SCENARIOS.filter((s) => s.needs === 'kernel').map((s) => s.name))('%s refuses, saying why (also in its final snapshot)', async (name) => {
    const r = await runSimulated(name);
    expect(r?.verdict).toBe('refused');
    expect(r?.reason).toMatch(/needs the real kernel.*Run it on a TUN/);
    // The panel shows the snapshot's last step: it keeps the reason (not 'done').
    expect(r?.final).toMatchObject({ name, running: false, verdict: 'refused', step: `refused: ${r?.reason}`, stepZh: `无法运行:${r?.reason}` });
  });

  it('the Chinese step follows every step and check (never left over from the one before); the result stays the last step', async () => {
    const lab = createLab({ simulated: true, clock: new ManualClock(1000), seed: 5 });
    try {
      lab.handlers.scenarioRun({ name: 'handshake' });
      const seen: { step: string; stepZh: string | undefined }[] = [];
      for (let i = 0; i < 200_000 && lab.snapshot().scenario?.running === true; i++) {
        const st = lab.snapshot().scenario;
        if (st !== null && st.step !== seen.at(-1)?.step) seen.push({ step: st.step, stepZh: st.stepZh });
        lab.advance(1);
        await tick();
      }
      const report = scenarioReport(lab);
      const zhOf = new Map(report?.steps.map((s) => [s.en, s.zh]));
      const checks = seen.filter((s) => s.step.startsWith('check '));
      expect(checks.length).toBeGreaterThan(0);
      for (const c of checks) expect(c.stepZh).toMatch(/^检查(通过|未通过)[:：]/);
      for (const s of seen.filter((x) => zhOf.has(x.step))) expect(s.stepZh).toBe(zhOf.get(s.step));
      const n = report?.checks.length;
      expect(lab.snapshot().scenario).toMatchObject({ running: false, step: `result: PASS (${n} of ${n} checks)`, stepZh: `结果:通过(${n} 项检查全部通过)`, verdict: 'pass' });
    } finally {
      lab.close();
    }
  });

  it('stopped midway: verdict stopped, and what it set up is undone (knob restored, listener closed, peer processes gone)', async () => {
    const lab = createLab({ simulated: true, clock: new ManualClock(1000), seed: 5 });
    try {
      lab.handlers.scenarioRun({ name: 'close' });
      for (let i = 0; i < 2000; i++) {
        lab.advance(1);
        await tick();
      }
      expect(lab.stack.getKnobs().msl).toBe(2);
      expect(lab.snapshot().listeners.some((l) => l.port === 7201)).toBe(true);
      lab.handlers.scenarioStop({});
      for (let i = 0; i < 50; i++) {
        lab.advance(1);
        await tick();
      }
      expect(lab.snapshot().scenario).toMatchObject({ name: 'close', running: false, step: 'stopped', stepZh: '已停止', verdict: 'stopped' });
      expect(scenarioReport(lab)?.verdict).toBe('stopped');
      expect(lab.stack.getKnobs().msl).toBe(30);
      expect(lab.snapshot().listeners.some((l) => l.port === 7201)).toBe(false);
    } finally {
      lab.close();
    }
  });
});
