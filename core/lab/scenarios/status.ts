// What a running scenario shows beyond its step: hints (the row, gauge, counter or knob to watch),
// the checks of its end (observed against expected) and its verdict. These are the shapes
// proposed for core/api's ScenarioStatus (requests.md); the Lab puts them into the snapshot
// through the scenario context's update() where it has one.

/** Where a UI should look: highlight that row / gauge / counter / knob / ladder row. */
export type ScenarioHintTarget =
  | { kind: 'connection'; conn: number; field?: string }
  | { kind: 'listener'; listener: number; field?: 'acceptQueue' | 'synQueue' | 'drops' | 'cookies' | 'halfOpen' }
  | { kind: 'counter'; name: string }
  | { kind: 'knob'; name: string }
  | { kind: 'segment'; seq: number }
  | { kind: 'fault'; rule: string }
  | { kind: 'time' };

export interface ScenarioHint {
  target: ScenarioHintTarget;
  text: string;
  zh: string;
}

/** One observation of a scenario's check. */
export interface ScenarioCheck {
  what: string;
  zh: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export type ScenarioVerdict = 'pass' | 'fail' | 'refused' | 'stopped' | 'error';

/** Data a UI can plot (the isn scenario: ISN over time). */
export interface ScenarioSeries {
  name: string;
  unit: string;
  points: [number, number][];
}

export interface ScenarioStatusPatch {
  stepZh?: string;
  hints?: ScenarioHint[];
  checks?: ScenarioCheck[];
  verdict?: ScenarioVerdict | null;
  series?: ScenarioSeries[];
}

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
