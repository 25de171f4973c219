// The small framework every guided scenario is written in. A scenario is a definition (name,
// titles, summary and explanation in English and Simplified Chinese, what it needs) and a run
// function that gets a ScenarioRun: the lab, the kernel side (tools inside the lab's network
// namespace), steps, hints, checks, and setters that undo themselves when the run ends (knobs
// are restored, fault rules removed, listeners closed, kernel processes killed by PID).
//
//   export const handshake = defineScenario({ name: 'handshake', ..., async run(s) {
//     s.step('Listening on 7001', '在 7001 端口监听');
//     const l = s.listen(7001, { responder: 'http' });
//     ...
//     s.check('SYN-ACK acknowledges the SYN', 'SYN-ACK 确认了 SYN', `${syn + 1}`, `${ack}`, ack === syn + 1);
//   } });
//
// The end: verdict 'pass' when every check passed (and there was at least one), else 'fail';
// 'refused' when the scenario cannot run here (the simulated wire, a missing tool); 'stopped'
// on scenarioStop; 'error' when it threw. The report is kept (scenarioReport(lab)) and shown
// in the snapshot through the context's update() where the Lab has it, and always as steps.
import type { ArgsOf } from '../../api/contract.ts';
import type { Responder } from '../../api/names.ts';
import type { FaultRule } from '../../link/fault-rules.ts';
import type { SocketOptions } from '../../stack/socket.ts';
import type { Lab } from '../lab.ts';
import type { Scenario, ScenarioContext } from '../scenarios.ts';
import { KernelSide, type KernelApi, type KernelJob } from './kernel.ts';
import { Observer } from './observe.ts';
import { ScenarioRefused } from './refused.ts';
import { SimulatedKernel } from './simulated-kernel.ts';
import { kernelPort, toolOk } from './util.ts';
import type {
  ScenarioCheck, ScenarioHint, ScenarioHintTarget, ScenarioReport, ScenarioSeries, ScenarioStatusPatch, ScenarioVerdict,
} from './status.ts';

export interface Bilingual {
  en: string;
  zh: string;
}

export interface ScenarioDefinition {
  name: string;
  title: string;
  titleZh: string;
  summary: string;
  summaryZh: string;
  /** 'kernel': runs only on a TUN with the kernel as peer (refused on the simulated wire). */
  needs: 'kernel' | 'any';
  /** Programs the kernel side must have besides python3 (e.g. hping3). */
  tools?: readonly string[];
  /** What the teaching material says, what Linux does, where they differ. */
  explain: Bilingual;
  run(s: ScenarioRun): Promise<void>;
}

export type LabScenario = Scenario<Lab> & Omit<ScenarioDefinition, 'run'>;

type Ctx = ScenarioContext<Lab>;

export { ScenarioRefused };

const reports = new WeakMap<Lab, ScenarioReport>();

/** The report of the last scenario run on this lab (also while it runs), or null. */
export function scenarioReport(lab: Lab): ScenarioReport | null {
  return reports.get(lab) ?? null;
}

const MAX_HINTS = 8;

/** Real ms an event may be stamped after the moment the stack acted at (a busy machine's preemption included). */
const STAMP_MS = 20;

export class ScenarioRun {
  readonly lab: Lab;
  readonly signal: AbortSignal;
  readonly seen = new Observer();
  readonly report: ScenarioReport;
  private kernelSide: KernelApi | null = null;
  private readonly undo: (() => void | Promise<void>)[] = [];
  private readonly ctx: Ctx;

  constructor(ctx: Ctx, readonly def: ScenarioDefinition) {
    this.ctx = ctx;
    this.lab = ctx.lab;
    this.signal = ctx.signal;
    this.report = {
      name: def.name, peer: 'kernel', verdict: null, checks: [], steps: [], hints: [], series: [], reason: null,
      startedAt: this.lab.clock.now(), finishedAt: null,
    };
  }

  /** Lab time now, ms. */
  now(): number {
    return this.lab.clock.now();
  }

  /**
   * Whether a lab timer's wait, measured between the events' own lab timestamps, is `expected`
   * lab ms. A timer never fires before its deadline, but an event is stamped as the stack emits
   * it, a moment after it read the clock to act: a wait may come out short by that moment
   * (STAMP_MS of real time allowed) and long by as much as a busy machine delays the lab's event
   * loop: `lateMs` of real time, chosen by each check to stay clear of what the lesson's timer
   * could be confused with (a doubled wait, the next knob value). Real ms count as lab ms at the
   * lab's time scale.
   */
  onTime(observed: number, expected: number, lateMs: number): boolean {
    const scale = this.lab.timeStatus().scale;
    return observed >= expected - STAMP_MS * scale && observed <= expected + lateMs * scale;
  }

  get kernel(): KernelApi {
    if (this.kernelSide === null) throw new ScenarioRefused('this scenario needs the kernel side; it runs only on a TUN');
    return this.kernelSide;
  }

  get kernelAddr(): string {
    return this.lab.info.kernelAddr;
  }

  get labAddr(): string {
    return this.lab.info.labAddr;
  }

  /** A step: what happens now, in both languages (the snapshot's scenario step and a lab note). */
  step(en: string, zh: string): void {
    this.report.steps.push({ at: this.now(), en, zh });
    this.ctx.step(en);
    this.push({ stepZh: zh });
  }

  /** What to watch now (replaces the hints shown before). */
  watch(...hints: ScenarioHint[]): void {
    this.report.hints = hints.slice(0, MAX_HINTS);
    this.push({ hints: this.report.hints });
  }

  /**
   * Start a kernel-tool.py client (`steps`, with a connect= to the lab's `port`) and find the lab's
   * connection for it once the client has printed its step `after` (default 'connect'). Null when
   * it did not connect: the failed check is recorded, and the scenario should end there.
   */
  async kernelClient(port: number, steps: readonly string[], timeoutMs: number, after = 'connect'): Promise<{ client: KernelJob; conn: number; kport: number; since: number } | null> {
    const since = this.seen.lastSeq;
    const client = this.kernel.tool(steps, timeoutMs);
    const line = await client.line((l) => l.step === after);
    const kport = line === null ? null : kernelPort(client.lines);
    const conn = kport === null ? null : this.seen.connByPorts(port, kport, since);
    if (conn === null || kport === null) {
      this.check('the kernel client connected', '内核客户端连上了', 'a connection', toolOk(await client.done), false);
      return null;
    }
    return { client, conn, kport, since };
  }

  /** Record one check: what was expected and what was observed. */
  check(what: string, zh: string, expected: string, observed: string, pass: boolean): boolean {
    const c: ScenarioCheck = { what, zh, expected, observed, pass };
    this.report.checks.push(c);
    this.ctx.step(`check ${pass ? 'ok' : 'FAILED'}: ${what}: expected ${expected}, observed ${observed}`);
    this.push({ checks: [...this.report.checks], stepZh: `检查${pass ? '通过' : '未通过'}:${zh}:预期 ${expected},观察到 ${observed}` });
    return pass;
  }

  /** Data a UI can plot. */
  series(s: ScenarioSeries): void {
    const i = this.report.series.findIndex((x) => x.name === s.name);
    if (i >= 0) this.report.series[i] = s;
    else this.report.series.push(s);
    this.push({ series: [...this.report.series] });
  }

  private push(patch: ScenarioStatusPatch): void {
    if (this.signal.aborted) return;
    try {
      this.ctx.update(patch);
    } catch {
      // the scenario has already ended
    }
  }

  /**
   * Wait `ms` of lab time (rejects when the scenario is stopped). One abort listener serves
   * every pending sleep, so waiting in small steps costs nothing.
   */
  sleep(ms: number): Promise<void> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const entry = { reject, cancel: (): void => {} };
      entry.cancel = this.lab.after(ms, () => {
        this.sleeping.delete(entry);
        resolve();
      });
      this.sleeping.add(entry);
    });
  }

  private readonly sleeping = new Set<{ reject: (e: Error) => void; cancel: () => void }>();

  private wakeAll(): void {
    for (const e of this.sleeping) {
      e.cancel();
      e.reject(this.signal.reason as Error);
    }
    this.sleeping.clear();
  }

  /**
   * Wait until `pred()` holds (checked after every lab event and every 25 ms) or `timeoutMs`
   * pass; resolves true/false, rejects only when the scenario is stopped.
   */
  async until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    if (pred()) return true;
    const end = this.now() + timeoutMs;
    let wake: (() => void) | null = null;
    const off = this.seen.onEvent(() => {
      if (wake !== null && pred()) wake();
    });
    try {
      while (this.now() < end) {
        const tick = this.sleep(Math.min(25, Math.max(1, end - this.now())));
        await Promise.race([tick, new Promise<void>((r) => (wake = r))]);
        wake = null;
        if (pred()) return true;
      }
      return pred();
    } finally {
      off();
    }
  }

  /** Run `fn` when the scenario ends (last registered, first run). */
  defer(fn: () => void | Promise<void>): void {
    this.undo.push(fn);
  }

  /** Set a knob for this run; its value is restored at the end. */
  setKnob(name: string, value: number | string): void {
    const before = this.lab.stack.getKnobs()[name];
    this.lab.handlers.setKnob({ name, value });
    if (before !== undefined && before !== value) {
      this.defer(() => {
        this.lab.handlers.setKnob({ name, value: before });
      });
    }
  }

  /** Whether the stack has this knob (some come with later work, e.g. tcp_syncookies). */
  hasKnob(name: string): boolean {
    return Object.hasOwn(this.lab.stack.getKnobs(), name);
  }

  /** Add a fault rule for this run (removed at the end). Returns its id. */
  fault(rule: FaultRule): string {
    const r = this.lab.handlers.faultAdd({ rule: rule as ArgsOf<'faultAdd'>['rule'] }) as { id: string };
    this.defer(() => {
      try {
        this.lab.handlers.faultRemove({ id: r.id });
      } catch {
        // removed already
      }
    });
    return r.id;
  }

  removeFault(id: string): void {
    try {
      this.lab.handlers.faultRemove({ id });
    } catch {
      // gone already
    }
  }

  /** Listen on the lab side for this run (closed at the end). */
  listen(port: number, opts: { backlog?: number; responder?: Responder } = {}): number {
    const r = this.lab.handlers.listen({ port, backlog: opts.backlog ?? 128, responder: opts.responder ?? 'echo' }) as { listener: number };
    this.defer(() => {
      try {
        this.lab.handlers.unlisten({ listener: r.listener });
      } catch {
        // closed already
      }
    });
    return r.listener;
  }

  /** Open a lab-side connection (as the connect command does), with socket options. */
  connect(port: number, opts: { localPort?: number; responder?: Responder; socket?: SocketOptions } = {}): number {
    const r = this.lab.handlers.connect({
      addr: this.kernelAddr, port, responder: opts.responder ?? 'manual',
      ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
    }) as { conn: number };
    if (opts.socket !== undefined) this.lab.socket(r.conn).setOption(opts.socket);
    return r.conn;
  }

  /** The lab's current row of a connection (null once it is gone). */
  row(conn: number): ReturnType<Lab['snapshot']>['connections'][number] | null {
    return this.lab.snapshot().connections.find((c) => c.id === conn) ?? null;
  }

  listenerRow(listener: number): ReturnType<Lab['snapshot']>['listeners'][number] | null {
    return this.lab.snapshot().listeners.find((l) => l.id === listener) ?? null;
  }

  counter(name: string): number {
    return this.lab.stack.counters.all()[name] ?? 0;
  }

  // ---- the run's life ---------------------------------------------------------------------

  /** Called by defineScenario: set up the kernel side (or refuse), run, check, clean up. */
  async execute(): Promise<void> {
    reports.set(this.lab, this.report);
    this.signal.addEventListener('abort', () => this.wakeAll(), { once: true });
    this.push({ verdict: null, hints: [], checks: [], series: [] });
    const off = this.lab.events.subscribe((e) => this.seen.add(e));
    try {
      await this.prepare();
      await this.def.run(this);
      this.finish(this.report.checks.length > 0 && this.report.checks.every((c) => c.pass) ? 'pass' : 'fail', null);
    } catch (err) {
      if (err instanceof ScenarioRefused) this.finish('refused', err.message);
      else if (this.signal.aborted) this.finish('stopped', 'stopped');
      else {
        this.finish('error', err instanceof Error ? err.message : String(err));
        throw err;
      }
    } finally {
      off();
      this.kernelSide?.close();
      for (const fn of this.undo.reverse()) {
        try {
          await fn();
        } catch {
          // undo what can be undone
        }
      }
    }
  }

  private async prepare(): Promise<void> {
    if (this.def.needs === 'kernel' && this.lab.info.simulated) {
      throw new ScenarioRefused(
        `'${this.def.name}' needs the real kernel as the peer (it runs Linux's own tools on the kernel side), and this lab runs on a simulated wire. ` +
        'Run it on a TUN: tcplab setup, then tcplab serve.');
    }
    if (this.lab.info.simulated) {
      if (this.lab.peer === null) throw new ScenarioRefused('this lab has no peer to talk to');
      this.kernelSide = new SimulatedKernel(this.lab, this.lab.peer);
      this.report.peer = 'simulated';
      this.step('On the simulated wire the other side is a second copy of the lab\'s own stack, not Linux: where this scenario says "the kernel", read "the simulated peer". Run it on a TUN to see Linux.',
        '在模拟线路上,另一端是实验室自己协议栈的第二个副本,而不是 Linux:本场景中说"内核"的地方,请理解为"模拟对端"。要观察 Linux,请在 TUN 上运行。');
      return;
    }
    this.kernelSide = new KernelSide(this.lab.netns, this.lab.info.device, this.lab.info.kernelAddr, this.lab.info.labAddr);
    for (const tool of ['python3', ...(this.def.tools ?? [])]) {
      if (!(await this.kernelSide.has(tool))) {
        throw new ScenarioRefused(`'${this.def.name}' runs ${tool} on the kernel side (${this.kernelSide.where}), and it is not installed. ` +
          `Install it (Debian/Ubuntu: apt-get install ${tool === 'python3' ? 'python3' : tool}) and run the scenario again.`);
      }
    }
  }

  private finish(verdict: ScenarioVerdict, reason: string | null): void {
    this.report.verdict = verdict;
    this.report.reason = reason;
    this.report.finishedAt = this.now();
    const n = this.report.checks.length;
    const passed = this.report.checks.filter((c) => c.pass).length;
    const failed = this.report.checks.find((c) => !c.pass);
    let en: string;
    let zh: string;
    switch (verdict) {
      case 'pass':
        en = `result: PASS (${passed} of ${n} checks)`;
        zh = `结果:通过(${n} 项检查全部通过)`;
        break;
      case 'fail':
        en = n === 0 ? 'result: FAIL (nothing was checked)' : `result: FAIL (${passed} of ${n} checks passed; first difference: ${failed?.what}: expected ${failed?.expected}, observed ${failed?.observed})`;
        zh = n === 0 ? '结果:失败(没有完成任何检查)' : `结果:失败(${n} 项中 ${passed} 项通过;第一处不同:${failed?.zh}:预期 ${failed?.expected},观察到 ${failed?.observed})`;
        break;
      case 'refused':
        en = `refused: ${reason}`;
        zh = `无法运行:${reason}`;
        break;
      case 'stopped':
        en = 'stopped';
        zh = '已停止';
        break;
      case 'error':
        en = `error: ${reason}`;
        zh = `出错:${reason}`;
        break;
      default: {
        const never: never = verdict;
        throw new Error(`unknown verdict ${String(never)}`);
      }
    }
    if (verdict !== 'stopped') this.step(en, zh);
    this.push({ verdict });
  }
}

/** A Scenario the Lab's registry takes, from a definition. */
export function defineScenario(def: ScenarioDefinition): LabScenario {
  const { run: _run, ...info } = def;
  return {
    ...info,
    run: (ctx) => new ScenarioRun(ctx, def).execute(),
  };
}

// ---- hint helpers -----------------------------------------------------------------------------

export function hint(target: ScenarioHintTarget, text: string, zh: string): ScenarioHint {
  return { target, text, zh };
}

export const watchConn = (conn: number, field: string | undefined, text: string, zh: string): ScenarioHint =>
  hint(field === undefined ? { kind: 'connection', conn } : { kind: 'connection', conn, field }, text, zh);
export const watchListener = (listener: number, field: 'acceptQueue' | 'synQueue' | 'drops' | 'cookies' | 'halfOpen' | undefined, text: string, zh: string): ScenarioHint =>
  hint(field === undefined ? { kind: 'listener', listener } : { kind: 'listener', listener, field }, text, zh);
export const watchCounter = (name: string, text: string, zh: string): ScenarioHint => hint({ kind: 'counter', name }, text, zh);
export const watchKnob = (name: string, text: string, zh: string): ScenarioHint => hint({ kind: 'knob', name }, text, zh);
export const watchSegment = (seq: number, text: string, zh: string): ScenarioHint => hint({ kind: 'segment', seq }, text, zh);
export const watchFault = (rule: string, text: string, zh: string): ScenarioHint => hint({ kind: 'fault', rule }, text, zh);
