// Guided scenarios (key 8): the picker (name, title in English and Chinese, summary, what it
// needs, and why it refuses on the simulated wire), and the panel of the chosen one: run / stop,
// the current step, the hints (click or a-h jumps to the row / gauge / counter / knob / ladder
// row / fault rule and highlights it), the check table (what / expected / observed / pass) with
// the verdict, the ISN plot for the isn scenario, and the explanation in either language.
// The texts come from the shared view models (core/api/views/scenario.ts), as in the TUI.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ScenarioInfo } from '../../../core/api/contract.ts';
import { t as st, type Lang } from '../../../core/api/views/i18n.ts';
import { replayOf } from '../../../core/api/views/lab-extras.ts';
import type { PlotMode } from '../../../core/api/views/plot.ts';
import type { Role } from '../../../core/api/views/state-roles.ts';
import { HINT_KEYS, scenarioPanel, scenarioRows, type HintView, type ScenarioListRow, type ScenarioPanel } from '../../../core/api/views/scenario.ts';
import { useStore, useT, type T } from '../hooks.ts';
import { jumpToHint, sameTarget } from '../lab/hints.ts';
import type { LabStore } from '../lab/store.ts';
import { roleClass } from '../model/roles.ts';
import { SeriesPlot } from './series-plot.tsx';

function listMark(r: ScenarioListRow): { mark: string; role: Role | null } {
  if (r.running) return { mark: '●', role: 'accent' };
  switch (r.verdict) {
    case 'pass': return { mark: '✓', role: 'ok' };
    case 'fail': case 'error': return { mark: '✗', role: 'error' };
    case 'refused': return { mark: '!', role: 'warn' };
    case 'stopped': return { mark: '■', role: 'muted' };
    default: return { mark: '', role: null };
  }
}

/** Jump to hint `h` (the key handlers and the buttons). */
export function useHintJump(): (h: HintView) => void {
  const store = useStore();
  const t = useT();
  return (h) => void jumpToHint(store, h, (where) => store.toast('error', t('scn.hintGone', { where })));
}

/** The next hint after the one jumped to last (the global `>` key). */
export function nextHint(store: LabStore): HintView | null {
  const hints = store.hints();
  if (hints.length === 0) return null;
  const i = hints.findIndex((h) => sameTarget(h.target, store.ui.highlight));
  return hints[(i + 1) % hints.length];
}

function Picker({ rows, chosen, onChoose, simulated, t }: { rows: ScenarioListRow[]; chosen: string; onChoose: (name: string) => void; simulated: boolean; t: T }): ReactNode {
  return (
    <div className="scn-list card" role="listbox" aria-label={t('scn.title')}>
      {rows.map((r) => {
        const m = listMark(r);
        const refuses = simulated && r.needs === 'kernel';
        return (
          <button
            key={r.name}
            role="option"
            aria-selected={r.name === chosen}
            className={`scn-item ${r.name === chosen ? 'active' : ''} ${refuses ? 'refuses' : ''}`}
            data-scenario={r.name}
            onClick={() => onChoose(r.name)}
          >
            <span className={`scn-mark ${roleClass(m.role)}`} aria-hidden="true">{m.mark}</span>
            <span className="scn-item-body">
              <span className="scn-item-head">
                <code className="scn-name">{r.name}</code>
                <span className={`needs ${r.needs === 'kernel' ? 'kernel' : 'any'}`}>{r.needs === 'kernel' ? t('scn.needsKernel') : t('scn.needsAny')}</span>
              </span>
              <span className="scn-item-title">{r.title}</span>
            </span>
          </button>
        );
      })}
    </div>
  );
}

function Hints({ p, t }: { p: ScenarioPanel; t: T }): ReactNode {
  const store = useStore();
  const jump = useHintJump();
  return (
    <div className="card scn-hints">
      <h3>{t('scn.hints')} <span className="muted small normal">· {t('scn.hintsHelp')}</span></h3>
      {p.hints.length === 0 ? <p className="muted">{t('scn.noHints')}</p> : (
        <ul className="hint-list">
          {p.hints.map((h) => {
            const on = sameTarget(h.target, store.ui.highlight);
            return (
              <li key={h.key}>
                <button className={`hint ${on ? 'on' : ''}`} data-hint={h.key} data-target={h.target.kind} onClick={() => jump(h)}
                  title={`${h.key}: ${h.where}`} aria-pressed={on}>
                  <kbd className="hint-key">{h.key}</kbd>
                  <span className="hint-where">{h.where}</span>
                  <span className="hint-text">{h.text}</span>
                  <span className="hint-go" aria-hidden="true">↗</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function Checks({ p, t, lang }: { p: ScenarioPanel; t: T; lang: Lang }): ReactNode {
  return (
    <div className="card scn-checks">
      <h3>{t('scn.checks')} {p.checks.length > 0 && <span className="muted small normal">· {t('scn.status', { passed: p.passed, failed: p.failed })}</span>}</h3>
      {p.checks.length === 0 ? <p className="muted">{t('scn.noChecks')}</p> : (
        <table className="check-table">
          <thead>
            <tr>
              <th className="c-pass" aria-label="pass" />
              <th>{st(lang, 'scenario.what')}</th>
              <th>{st(lang, 'scenario.expected')}</th>
              <th>{st(lang, 'scenario.observed')}</th>
            </tr>
          </thead>
          <tbody>
            {p.checks.map((c, i) => (
              <tr key={i} className={c.pass ? 'pass' : 'fail'} data-pass={c.pass}>
                <td className={`c-pass ${roleClass(c.role)}`}>{c.mark}</td>
                <td className="c-what">{c.what}</td>
                <td className="c-exp mono">{c.expected}</td>
                <td className={`c-obs mono ${c.pass ? '' : 'role-error'}`}>{c.observed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className={`verdict ${roleClass(p.verdictRole)} ${p.verdict ?? (p.running ? 'running' : 'ended')}`} data-verdict={p.verdict ?? (p.running ? 'running' : 'ended')} role="status">
        <span className="verdict-mark" aria-hidden="true">{p.verdictMark}</span>
        <span>{p.verdictText}</span>
      </div>
    </div>
  );
}

function Explanation({ info, lang, t }: { info: ScenarioInfo; lang: Lang; t: T }): ReactNode {
  // null: the page's language; a choice holds until another scenario or the page's language changes.
  const [which, setWhich] = useState<Lang | null>(null);
  useEffect(() => setWhich(null), [info.name, lang]);
  const shown = which ?? lang;
  const text = info.explain?.[shown] ?? '';
  return (
    <div className="card scn-explain" lang={shown === 'zh' ? 'zh-CN' : 'en'}>
      <h3>
        {t('scn.explain')}
        <span className="spacer" />
        <span className="seg-toggle small" role="radiogroup" aria-label={t('scn.explain')}>
          {(['en', 'zh'] as const).map((l) => (
            <button key={l} role="radio" aria-checked={shown === l} className={shown === l ? 'active' : ''} onClick={() => setWhich(l === lang ? null : l)}>{l === 'en' ? 'English' : '中文'}</button>
          ))}
        </span>
      </h3>
      {text === '' ? <p className="muted">{st(lang, 'scenario.noExplain')}</p> : text.split(/\n\n+/).map((para, i) => <p key={i}>{para}</p>)}
    </div>
  );
}

export function ScenariosView(): ReactNode {
  const store = useStore();
  const t = useT();
  const lang = store.ui.lang;
  const infos = store.scenarios;
  const status = store.snapshot?.scenario ?? null;
  const info = store.snapshot?.info ?? null;
  const simulated = info?.simulated ?? false;
  const replay = replayOf(info) !== null;
  const rows = useMemo(() => scenarioRows(infos, status, lang), [infos, status, lang]);
  const [chosen, setChosen] = useState<string>(() => status?.name ?? '');
  const [plotMode, setPlotMode] = useState<PlotMode>('relative');
  const jump = useHintJump();
  const name = chosen !== '' && rows.some((r) => r.name === chosen) ? chosen : status?.name ?? rows[0]?.name ?? '';
  const row = rows.find((r) => r.name === name);
  const sel = infos.find((i) => i.name === name);
  const p = status !== null && status.name === name ? scenarioPanel(status, lang) : null;
  const anyRunning = status?.running ?? false;

  const run = (): void => {
    if (name !== '') void store.call('scenarioRun', { name });
  };
  const stop = (): void => void store.call('scenarioStop');

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.metaKey || e.ctrlKey) return;
      const el = e.target as HTMLElement | null;
      if (el !== null && (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable)) return;
      const i = rows.findIndex((r) => r.name === name);
      const move = (d: number): void => {
        const next = rows[Math.max(0, Math.min(rows.length - 1, i + d))];
        if (next !== undefined) {
          setChosen(next.name);
          document.querySelector<HTMLElement>(`.scn-item[data-scenario="${next.name}"]`)?.scrollIntoView({ block: 'nearest' });
        }
      };
      let handled = true;
      if (e.key === 'ArrowDown' || e.key === 'j') move(1);
      else if (e.key === 'ArrowUp' || e.key === 'k') move(-1);
      else if (e.key === 'Enter' && el?.tagName !== 'BUTTON' && el?.tagName !== 'A') run();
      else if (e.key === 'X') stop();
      else if (e.key === 'v') setPlotMode((m) => (m === 'relative' ? 'absolute' : 'relative'));
      else if (e.key === 'i') document.querySelector<HTMLElement>('.scn-explain .seg-toggle button:not(.active)')?.click();
      else if ((HINT_KEYS as readonly string[]).includes(e.key) && p !== null) {
        const h = p.hints.find((x) => x.key === e.key);
        if (h !== undefined) jump(h);
        else handled = false;
      } else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (infos.length === 0) {
    return <section className="page scenarios" aria-label={t('view.scenarios')}><p className="empty">{st(lang, 'scenario.none')}</p></section>;
  }
  const titles = sel === undefined ? null : { main: lang === 'zh' && sel.titleZh ? sel.titleZh : sel.title, other: lang === 'zh' ? sel.title : sel.titleZh };
  const summaryOther = sel === undefined ? undefined : lang === 'zh' ? sel.summary : sel.summaryZh;
  return (
    <section className="page scenarios" aria-label={t('view.scenarios')}>
      <div className="scn-layout">
        <div className="scn-side">
          <Picker rows={rows} chosen={name} onChoose={setChosen} simulated={simulated} t={t} />
          <p className="muted small scn-keys">{t('scn.keys')}</p>
        </div>
        {row !== undefined && sel !== undefined && titles !== null && (
          <div className="scn-panel" data-scenario={name}>
            <header className="card scn-head">
              <div className="scn-title-row">
                <div className="scn-titles">
                  <h2><code>{name}</code> {titles.main}</h2>
                  {titles.other && <div className="scn-alt" lang={lang === 'zh' ? 'en' : 'zh-CN'}>{titles.other}</div>}
                </div>
                <span className="spacer" />
                {p !== null && <span className={`pill verdict-pill ${roleClass(p.verdictRole)}`} data-verdict={p.verdict ?? (p.running ? 'running' : 'ended')}>{p.verdictShort}</span>}
                {p?.running
                  ? <button className="danger" onClick={stop}>■ {t('scenario.stop')}</button>
                  : <button className="solid run" disabled={anyRunning} onClick={run}>▶ {t('scenario.run')}</button>}
              </div>
              <div className="scn-meta">
                <span className={`needs ${row.needs === 'kernel' ? 'kernel' : 'any'}`}>{row.needs === 'kernel' ? t('scn.needsKernel') : t('scn.needsAny')}</span>
                <span className="scn-summary">{row.summary}</span>
              </div>
              {summaryOther && <div className="scn-summary-alt muted small" lang={lang === 'zh' ? 'en' : 'zh-CN'}>{summaryOther}</div>}
              {simulated && <p className={`note ${row.needs === 'kernel' ? 'refuse' : 'sim'}`}>{row.needs === 'kernel' ? t('scn.simKernel') : t('scn.simAny')}</p>}
              {replay && <p className="note">{t('scn.readOnly')}</p>}
            </header>
            {p === null ? <p className="card muted scn-notrun">{t('scn.notRun')}</p> : (
              <>
                <div className={`card scn-step ${p.running ? 'running' : ''}`}>
                  <h3>{t('scn.step')}</h3>
                  <p className="step-text" aria-live="polite">{p.step}</p>
                </div>
                <Hints p={p} t={t} />
                <Checks p={p} t={t} lang={lang} />
                {p.series.length > 0 && (
                  <div className="card scn-plot">
                    <h3>{t('scn.plot')}</h3>
                    <SeriesPlot series={p.series} mode={plotMode} onMode={setPlotMode} />
                  </div>
                )}
              </>
            )}
            <Explanation info={sel} lang={lang} t={t} />
          </div>
        )}
      </div>
    </section>
  );
}

/**
 * While a scenario runs, on every other view: its step and its hints (click to jump), so the
 * user can follow it from the table, the gauges or the counters it points at.
 */
export function ScenarioStrip(): ReactNode {
  const store = useStore();
  const jump = useHintJump();
  const status = store.snapshot?.scenario ?? null;
  if (status === null || !status.running || store.ui.view === 'scenarios') return null;
  const p = scenarioPanel(status, store.ui.lang);
  if (p === null) return null;
  return (
    <div className="banner scn-strip" role="status" data-scenario={p.name}>
      <button className="ghost scn-strip-name" onClick={() => store.setUi({ view: 'scenarios' })}>● {p.name}</button>
      <span className="scn-strip-step" title={p.step}>{p.step}</span>
      <span className="scn-strip-hints">
        {p.hints.map((h) => (
          <button key={h.key} className={`mini hint-chip ${sameTarget(h.target, store.ui.highlight) ? 'on' : ''}`} data-hint={h.key} title={h.text} onClick={() => jump(h)}>
            <kbd>{h.key}</kbd> {h.where}
          </button>
        ))}
      </span>
    </div>
  );
}
