// `tcplab scenario ls|run NAME|stop`: guided scenarios, parsed by the shared command language
// (core/api/command-line.ts; `tcplab help scenario`). Two CLI-only forms on top:
//   tcplab scenario show NAME         the title, summary and explanation (--lang zh for Chinese)
//   tcplab scenario run NAME --wait   follow its steps and checks to the end; exit 0 when it
//                                     passed, 1 otherwise (Ctrl-C stops the scenario)
import type { LabClient } from '../../core/api/client.ts';
import type { ScenarioInfo } from '../../core/api/contract.ts';
import type { ScenarioStatus } from '../../core/api/snapshot.ts';
import type { Lang } from '../../core/api/views/i18n.ts';
import { labCommand, processEnv, splitGlobalOptions, type CliEnv, type LabCommand } from './lab-command.ts';

const base = labCommand('scenario');

const EXTRA_HELP = `
CLI only:
  scenario show NAME          the scenario's title, summary and explanation (--lang zh: Chinese)
  scenario run NAME --wait    follow its steps and checks until it ends; exit 0 on pass, 1 otherwise`;

/** The explanation of one scenario, in `lang`. */
export function scenarioShowText(s: ScenarioInfo, lang: Lang): string[] {
  const zh = lang === 'zh';
  const out = [`${s.name}: ${(zh ? s.titleZh : undefined) ?? s.title}`];
  const summary = zh ? s.summaryZh ?? s.summary : s.summary;
  if (summary !== undefined) out.push('', summary);
  if (s.needs !== undefined) {
    out.push('', s.needs === 'kernel'
      ? (zh ? '需要:真实内核作为对端(TUN);在模拟线路上会拒绝运行。' : 'Needs: the real kernel as the peer (a TUN); refused on the simulated wire.')
      : (zh ? '需要:任何实验室(在模拟线路上由模拟对端扮演内核)。' : 'Needs: any lab (on the simulated wire the simulated peer plays the kernel).'));
  }
  const explain = s.explain === undefined ? undefined : zh ? s.explain.zh : s.explain.en;
  if (explain !== undefined) out.push('', ...explain.split('\n'));
  return out;
}

/** One check as a line. */
export function checkLine(c: NonNullable<ScenarioStatus['checks']>[number], lang: Lang): string {
  return `  ${c.pass ? '✓' : '✗'} ${lang === 'zh' ? c.zh : c.what}: ${lang === 'zh' ? '预期' : 'expected'} ${c.expected}, ${lang === 'zh' ? '观察到' : 'observed'} ${c.observed}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run the scenario and follow its steps (lab notes, in order) and checks until it ends. */
async function runAndFollow(client: LabClient, name: string, lang: Lang, env: CliEnv): Promise<number> {
  const stop = env.interrupted();
  const steps: string[] = [];
  let wake: (() => void) | null = null;
  // Follow the notes from before the run starts: its first steps come at once.
  const sub = await client.subscribeEvents({ kinds: ['lab'] }, (msg) => {
    if (msg.kind !== 'events') return;
    for (const e of msg.events) {
      if (e.kind === 'lab' && e.topic === 'scenario' && e.message.startsWith(`${name}: `)) steps.push(e.message.slice(name.length + 2));
    }
    wake?.();
  });
  const run = await client.call('scenarioRun', { name });
  if (!run.ok) {
    if (sub.ok) sub.value.close();
    env.io.err(`tcplab scenario: ${run.error.code}: ${run.error.message}\n`);
    return 1;
  }
  let shownChecks = 0;
  let shownSteps = 0;
  let endedAt: number | null = null;
  const ended = (): boolean => steps.some((t) => t === 'done' || t === 'stopped' || t.startsWith('failed:'));
  try {
    for (;;) {
      if (stop.aborted) {
        await client.call('scenarioStop');
        env.io.err(`tcplab scenario: stopped ${name}\n`);
        return 130;
      }
      const r = await client.call('snapshot');
      if (!r.ok) {
        env.io.err(`tcplab scenario: ${r.error.code}: ${r.error.message}\n`);
        return 1;
      }
      const s = r.value.scenario;
      for (; shownSteps < steps.length; shownSteps++) {
        const text = steps[shownSteps];
        if (text.startsWith('check ') || text === 'done' || text === 'stopped') continue;
        env.io.out(`${lang === 'zh' && s?.step === text && s.stepZh !== undefined ? s.stepZh : text}\n`);
      }
      const checks = s?.name === name ? s.checks ?? [] : [];
      for (; shownChecks < checks.length; shownChecks++) env.io.out(`${checkLine(checks[shownChecks], lang)}\n`);
      if (s !== null && s.name === name && !s.running) endedAt ??= performance.now();
      // The last steps may still be on their way in the event stream: wait for the end note (at most 2 s).
      if (s !== null && s.name === name && !s.running && (ended() || performance.now() - (endedAt ?? 0) > 2000)) {
        const verdict = s.verdict ?? null;
        const passed = checks.filter((c) => c.pass).length;
        env.io.out(`${name}: ${verdict ?? s.step}${checks.length > 0 ? ` (${passed}/${checks.length} checks)` : ''}\n`);
        return verdict === 'pass' ? 0 : 1;
      }
      await Promise.race([sleep(250), new Promise<void>((res) => (wake = res))]);
      wake = null;
    }
  } finally {
    if (sub.ok) sub.value.close();
  }
}

async function runWith(argv: readonly string[], env: CliEnv): Promise<number> {
  const g = splitGlobalOptions(argv, env.env);
  if ('error' in g) return base.runWith(argv, env);
  const words = g.argv;
  if (words.includes('--help') || words.includes('-h') || words[0] === 'help') {
    const code = await base.runWith(argv, { ...env, io: { ...env.io, out: (s) => env.io.out(s.replace(/\n*$/, `\n${EXTRA_HELP}\n`)) } });
    return code;
  }
  const show = words[0] === 'show';
  const wait = words[0] === 'run' && words.includes('--wait');
  if (!show && !wait) return base.runWith(argv, env);
  const rest = words.slice(1).filter((w) => w !== '--wait');
  if (rest.length !== 1) {
    env.io.err(`tcplab scenario: ${rest.length === 0 ? 'missing NAME (scenario ls lists them)' : `unexpected '${rest[1]}'`}\n`);
    return 2;
  }
  const name = rest[0];
  let client: LabClient;
  try {
    client = await env.connect(g.opts.target);
  } catch (err) {
    env.io.err(`tcplab scenario: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    if (show) {
      const r = await client.call('scenarioList');
      if (!r.ok) {
        env.io.err(`tcplab scenario: ${r.error.code}: ${r.error.message}\n`);
        return 1;
      }
      const s = r.value.scenarios.find((x) => x.name === name);
      if (s === undefined) {
        env.io.err(`tcplab scenario: no such scenario: ${name} (known: ${r.value.scenarios.map((x) => x.name).join(', ')})\n`);
        return 1;
      }
      env.io.out(`${scenarioShowText(s, g.opts.lang).join('\n')}\n`);
      return 0;
    }
    return await runAndFollow(client, name, g.opts.lang, env);
  } finally {
    await client.close();
  }
}

export const scenarioCommand: LabCommand = {
  name: 'scenario',
  summary: base.summary,
  run: (argv) => runWith(argv, processEnv),
  runWith,
};
