// Guided scenarios as the UIs show them: the list (title, summary, what it needs), and the
// panel of the running or last scenario: its step, the hints (what to look at, each with a key
// to jump there), the check table (what / expected / observed / pass) and the verdict.
import { CONNECTION_COLUMNS } from './netstat.ts';
import { t, type Lang, type StringKey } from './i18n.ts';
import type { ScenarioInfo } from '../contract.ts';
import type {
  ScenarioCheck, ScenarioHint, ScenarioHintTarget, ScenarioSeries, ScenarioStatus, ScenarioVerdict,
} from '../snapshot.ts';
import type { Role } from './state-roles.ts';

export interface ScenarioListRow {
  name: string;
  title: string;
  summary: string;
  needs: 'kernel' | 'any' | null;
  /** 'kernel' / '内核', '' when any lab will do. */
  needsText: string;
  /** This one is running now. */
  running: boolean;
  /** How its last run here ended (only for the last scenario run). */
  verdict: ScenarioVerdict | null;
  explain: string;
}

export interface HintView {
  /** The key that jumps to it ('a' ...). */
  key: string;
  target: ScenarioHintTarget;
  /** Where: '#3 state', 'L1 SYN queue', 'ListenOverflows', 'knob msl'. */
  where: string;
  text: string;
}

export interface CheckView {
  what: string;
  expected: string;
  observed: string;
  pass: boolean;
  mark: '✓' | '✗';
  role: Role;
}

export interface ScenarioPanel {
  name: string;
  running: boolean;
  step: string;
  hints: HintView[];
  checks: CheckView[];
  passed: number;
  failed: number;
  verdict: ScenarioVerdict | null;
  /** 'running', 'PASS: every check passed', ... */
  verdictText: string;
  /** '● running', '✓ pass'. */
  verdictShort: string;
  /** Its mark alone: '●', '✓', '✗', '!', '■', '·'. */
  verdictMark: string;
  verdictRole: Role;
  series: ScenarioSeries[];
}

/** The keys of the hints, in order (a scenario shows at most 8). */
export const HINT_KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;

export function scenarioTitle(info: ScenarioInfo, lang: Lang): string {
  return lang === 'zh' && info.titleZh ? info.titleZh : info.title;
}

export function scenarioRows(infos: readonly ScenarioInfo[], status: ScenarioStatus | null, lang: Lang): ScenarioListRow[] {
  return infos.map((i) => {
    const mine = status !== null && status.name === i.name;
    return {
      name: i.name,
      title: scenarioTitle(i, lang),
      summary: (lang === 'zh' ? i.summaryZh : undefined) ?? i.summary ?? '',
      needs: i.needs ?? null,
      needsText: i.needs === 'kernel' ? t(lang, 'scenario.needsKernel') : '',
      running: mine && status.running,
      verdict: mine ? status.verdict ?? null : null,
      explain: i.explain?.[lang] ?? '',
    };
  });
}

const LISTENER_FIELD: Record<string, StringKey> = {
  synQueue: 'gauge.synQueue',
  acceptQueue: 'gauge.acceptQueue',
  drops: 'gauge.drops',
  cookies: 'gauge.cookies',
  halfOpen: 'gauge.halfOpen',
};

/** A connection field's column id, where the table has one. */
export function fieldColumn(field: string | undefined): string | null {
  if (field === undefined) return null;
  const id = field === 'retransmits' ? 'retrans' : field === 'stateSince' ? 'since' : field;
  return CONNECTION_COLUMNS.some((c) => c.id === id) ? id : null;
}

/** Where a hint points, in a few words. */
export function hintWhere(target: ScenarioHintTarget, lang: Lang): string {
  switch (target.kind) {
    case 'connection': {
      const col = fieldColumn(target.field);
      const name = col === null ? target.field : CONNECTION_COLUMNS.find((c) => c.id === col)?.header[lang];
      return `#${target.conn}${name ? ` ${name}` : ''}`;
    }
    case 'listener':
      return `L${target.listener}${target.field ? ` ${t(lang, LISTENER_FIELD[target.field] ?? 'gauge.synQueue')}` : ''}`;
    case 'counter': return target.name;
    case 'knob': return `${t(lang, 'scenario.knob')} ${target.name}`;
    case 'segment': return t(lang, 'scenario.segment', { seq: target.seq });
    case 'fault': return `${t(lang, 'scenario.fault')} ${target.rule}`;
    case 'time': return t(lang, 'scenario.time');
    default: {
      const never: never = target;
      throw new Error(`unknown hint target ${JSON.stringify(never)}`);
    }
  }
}

export function hintViews(hints: readonly ScenarioHint[], lang: Lang): HintView[] {
  return hints.slice(0, HINT_KEYS.length).map((h, i) => ({
    key: HINT_KEYS[i], target: h.target, where: hintWhere(h.target, lang), text: lang === 'zh' && h.zh ? h.zh : h.text,
  }));
}

export function checkViews(checks: readonly ScenarioCheck[], lang: Lang): CheckView[] {
  return checks.map((c) => ({
    what: lang === 'zh' && c.zh ? c.zh : c.what,
    expected: c.expected,
    observed: c.observed,
    pass: c.pass,
    mark: c.pass ? '✓' : '✗',
    role: c.pass ? 'ok' : 'error',
  }));
}

const VERDICT_ROLE: Record<ScenarioVerdict, Role> = { pass: 'ok', fail: 'error', refused: 'warn', stopped: 'muted', error: 'error' };

export function verdictText(verdict: ScenarioVerdict | null, running: boolean, checks: readonly CheckView[], lang: Lang): { text: string; role: Role } {
  const failed = checks.filter((c) => !c.pass).length;
  if (verdict === null) return running ? { text: t(lang, 'scenario.running'), role: 'accent' } : { text: t(lang, 'scenario.ended'), role: 'muted' };
  const key: Record<ScenarioVerdict, StringKey> = {
    pass: 'scenario.pass', fail: 'scenario.fail', refused: 'scenario.refused', stopped: 'scenario.stopped', error: 'scenario.error',
  };
  return { text: t(lang, key[verdict], { failed, total: checks.length }), role: VERDICT_ROLE[verdict] };
}

const SHORT: Record<ScenarioVerdict | 'running' | 'ended', { en: string; zh: string; mark: string }> = {
  running: { en: 'running', zh: '运行中', mark: '●' },
  ended: { en: 'ended', zh: '已结束', mark: '·' },
  pass: { en: 'pass', zh: '通过', mark: '✓' },
  fail: { en: 'fail', zh: '未通过', mark: '✗' },
  refused: { en: 'refused', zh: '拒绝运行', mark: '!' },
  stopped: { en: 'stopped', zh: '已停止', mark: '■' },
  error: { en: 'error', zh: '出错', mark: '✗' },
};

/** A few cells for a title bar: '● running', '✓ pass', '✗ fail'. */
export function verdictShort(verdict: ScenarioVerdict | null, running: boolean, lang: Lang): string {
  const x = SHORT[verdict ?? (running ? 'running' : 'ended')];
  return `${x.mark} ${x[lang]}`;
}

/** The running (or last) scenario's panel, or null when none has run. */
export function scenarioPanel(status: ScenarioStatus | null, lang: Lang): ScenarioPanel | null {
  if (status === null) return null;
  const checks = checkViews(status.checks ?? [], lang);
  const verdict = status.verdict ?? null;
  const v = verdictText(verdict, status.running, checks, lang);
  return {
    name: status.name,
    running: status.running,
    step: lang === 'zh' && status.stepZh ? status.stepZh : status.step,
    hints: hintViews(status.hints ?? [], lang),
    checks,
    passed: checks.filter((c) => c.pass).length,
    failed: checks.filter((c) => !c.pass).length,
    verdict,
    verdictText: v.text,
    verdictShort: verdictShort(verdict, status.running, lang),
    verdictMark: verdictShort(verdict, status.running, lang).split(' ')[0],
    verdictRole: v.role,
    series: status.series ?? [],
  };
}
