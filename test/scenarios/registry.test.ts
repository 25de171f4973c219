// The scenario set itself (no TUN needed): every lesson of issue 8 is registered by default, each
// with titles, summaries and explanations in English and Simplified Chinese; on the simulated
// wire the kernel scenarios refuse clearly (verdict 'refused', a step saying why and what to do).
import { describe, expect, it } from 'vitest';
import { createLab } from '../../core/lab/create.ts';
import { ALL_SCENARIOS, scenarioReport } from '../../core/lab/scenarios/index.ts';
import { ManualClock } from '../../core/stack/clock.ts';

const ISSUE_8 = ['handshake', 'close', 'half-close', 'simultaneous-close', 'simultaneous-open', 'lost-final-ack', 'accept-overflow',
  'syn-flood', 'rst', 'keepalive', 'retransmission', 'isn', 'wraparound', 'delayed-ack', 'nagle'];
const HAN = /[\u4e00-\u9fff]/;

describe('the scenario set', () => {
  it('has every lesson of issue 8, registered by createLab by default', () => {
    expect(ALL_SCENARIOS.map((s) => s.name).sort()).toEqual([...ISSUE_8].sort());
    const lab = createLab({ simulated: true, clock: new ManualClock(0) });
    try {
      const listed = lab.handlers.scenarioList({}) as { scenarios: { name: string }[] };
      expect(listed.scenarios.map((s) => s.name).sort()).toEqual([...ISSUE_8].sort());
    } finally {
      lab.close();
    }
  });

  it.each(ALL_SCENARIOS.map((s) => [s.name, s] as const))('%s: bilingual title, summary and explanation', (_name, s) => {
    for (const en of [s.title, s.summary, s.explain.en]) {
      expect(en.length).toBeGreaterThan(10);
      expect(HAN.test(en)).toBe(false);
    }
    for (const zh of [s.titleZh, s.summaryZh, s.explain.zh]) expect(HAN.test(zh)).toBe(true);
    // The explanation says what the teaching material says and where Linux differs.
    expect(s.explain.en).toMatch(/teaching material/);
    expect(s.explain.zh).toMatch(/教材/);
    expect(s.explain.en).toMatch(/Linux/);
  });

  it('refuses kernel scenarios on the simulated wire, saying why and what to do', async () => {
    const clock = new ManualClock(0);
    const lab = createLab({ simulated: true, clock });
    try {
      lab.handlers.scenarioRun({ name: 'rst' });
      for (let i = 0; i < 50 && lab.snapshot().scenario?.running === true; i++) {
        await new Promise((r) => setTimeout(r, 0));
        lab.advance(10);
      }
      const report = scenarioReport(lab);
      expect(report?.verdict).toBe('refused');
      expect(report?.reason).toMatch(/needs the real kernel.*simulated wire.*tcplab setup/);
      expect(lab.snapshot().scenario).toMatchObject({ name: 'rst', running: false });
    } finally {
      lab.close();
    }
  });
});
