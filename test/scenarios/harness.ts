// Runs a guided scenario end to end on a real TUN whose kernel side is in a private network
// namespace (test/interop/netns.ts), the way a user runs it: scenarioRun through the Lab's
// handlers, then the report. The namespace is deleted afterwards, also on failure.
import { createLab } from '../../core/lab/create.ts';
import type { Lab } from '../../core/lab/lab.ts';
import { ALL_SCENARIOS, scenarioReport } from '../../core/lab/scenarios/index.ts';
import type { ScenarioReport } from '../../core/lab/scenarios/status.ts';
import { createTestNet, isRoot, type TestNet } from '../interop/netns.ts';

export { isRoot };

export interface ScenarioOutcome {
  report: ScenarioReport;
  /** The check table, one line per check (for failure messages). */
  table: string;
}

function table(r: ScenarioReport): string {
  const lines = r.checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'} ${c.what}: expected ${c.expected}, observed ${c.observed}`);
  return [`${r.name}: ${r.verdict}${r.reason !== null ? ` (${r.reason})` : ''}`, ...lines, ...r.steps.map((s) => `  step: ${s.en}`)].join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait for the lab's scenario to finish (real time), at most `timeoutMs`. */
export async function waitScenario(lab: Lab, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (lab.snapshot().scenario?.running === true) {
    if (performance.now() > end) {
      lab.handlers.scenarioStop({});
      throw new Error(`scenario still running after ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

/** Run scenario `name` on a fresh namespace + TUN + lab; everything is removed afterwards. */
export async function runOnTun(name: string, timeoutMs = 60_000, before?: (lab: Lab, net: TestNet) => void): Promise<ScenarioOutcome> {
  const net = await createTestNet();
  let lab: Lab | null = null;
  try {
    lab = createLab({ link: net.tun ?? undefined, device: net.dev, netns: net.ns, scenarios: ALL_SCENARIOS });
    before?.(lab, net);
    lab.handlers.scenarioRun({ name });
    await waitScenario(lab, timeoutMs);
    const report = scenarioReport(lab);
    if (report === null) throw new Error(`scenario ${name} left no report`);
    return { report, table: table(report) };
  } finally {
    lab?.close();
    await net.cleanup();
  }
}
