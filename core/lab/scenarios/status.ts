// What a running scenario shows beyond its step (core/api/snapshot.ts has the types): hints (the
// row, gauge, counter or knob to watch), the checks of its end (observed against expected), its
// verdict, data to plot. Plus the whole outcome of a run as the framework keeps it.
import type {
  ScenarioCheck, ScenarioHint, ScenarioHintTarget, ScenarioSeries, ScenarioStatus, ScenarioVerdict,
} from '../../api/snapshot.ts';

export type { ScenarioCheck, ScenarioHint, ScenarioHintTarget, ScenarioSeries, ScenarioVerdict };

/** What a scenario may add to its status (the context's update()). */
export type ScenarioStatusPatch = Partial<Omit<ScenarioStatus, 'name' | 'running' | 'step'>>;

/** The whole outcome of one run, also kept by the framework (scenarioReport(lab)). */
export interface ScenarioReport {
  name: string;
  /** Who played the other side: Linux ('kernel', on a TUN) or the simulated wire's peer stack. */
  peer: 'kernel' | 'simulated';
  verdict: ScenarioVerdict | null;
  checks: ScenarioCheck[];
  steps: { at: number; en: string; zh: string }[];
  hints: ScenarioHint[];
  series: ScenarioSeries[];
  /** Why it was refused or failed to run, when it was. */
  reason: string | null;
  startedAt: number;
  finishedAt: number | null;
}
