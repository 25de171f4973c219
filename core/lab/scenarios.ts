// Guided scenarios plug in here. A scenario is a module exporting a Scenario: a name (the
// Lab API's scenarioRun({ name })), a title, and run(ctx), which drives the lab (listen, connect,
// faults, knobs, the simulated peer...) and reports its steps. The lab runs at most one at a time;
// scenarioStop aborts ctx.signal. Registering a module:
//   const lab = createLab({ ..., scenarios: [handshakeScenario, closeScenario] });
//   // or later: lab.scenarios.add(mine)
import type { ScenarioInfo } from '../api/contract.ts';
import type { ScenarioStatus } from '../api/snapshot.ts';

/** What a scenario may add to its status besides the step (the API's optional ScenarioStatus fields). */
export type ScenarioStatusPatch = Partial<Omit<ScenarioStatus, 'name' | 'running' | 'step'>>;

export interface ScenarioContext<L = unknown> {
  /** The lab the scenario drives. */
  readonly lab: L;
  /** Aborted by scenarioStop (and when the lab closes). */
  readonly signal: AbortSignal;
  /** Report a step: shown as the scenario's step in the snapshot and as a lab note event. */
  step(text: string): void;
  /** Merge more into the status (hints, checks, ... as the API defines them); kept when the scenario ends. */
  update(patch: ScenarioStatusPatch): void;
  /** Resolves after `ms` of lab time (real timers, or the manual clock in tests); rejects when stopped. */
  sleep(ms: number): Promise<void>;
}

export interface Scenario<L = unknown> extends Readonly<Omit<ScenarioInfo, 'name' | 'title'>> {
  /** 1 to 64 of a-z, 0-9 and '-' (the API's name rule). */
  readonly name: string;
  readonly title: string;
  run(ctx: ScenarioContext<L>): Promise<void> | void;
}

const INFO_KEYS = ['titleZh', 'summary', 'summaryZh', 'needs', 'explain'] as const;

const NAME_RE = /^[a-z0-9-]{1,64}$/;

export class ScenarioRegistry<L = unknown> {
  private readonly byName = new Map<string, Scenario<L>>();

  constructor(scenarios: readonly Scenario<L>[] = []) {
    for (const s of scenarios) this.add(s);
  }

  add(s: Scenario<L>): void {
    if (!NAME_RE.test(s.name)) throw new Error(`scenario name '${s.name}' must be 1 to 64 of a-z, 0-9 and '-'`);
    if (this.byName.has(s.name)) throw new Error(`a scenario named '${s.name}' is already registered`);
    this.byName.set(s.name, s);
  }

  get(name: string): Scenario<L> | undefined {
    return this.byName.get(name);
  }

  list(): ScenarioInfo[] {
    return [...this.byName.values()].map((s) => {
      const info: ScenarioInfo = { name: s.name, title: s.title };
      for (const k of INFO_KEYS) if (s[k] !== undefined) Object.assign(info, { [k]: s[k] });
      return info;
    });
  }
}
