// The guided scenarios: the list (title, what it needs, how its last run ended), and the
// selected scenario's panel: summary or, once it has run, its step, the hints to jump to
// (a-h), the check table and the verdict; the ISN plot for scenarios that send series; the
// explanation (i) in the user's language. One column at 80x24, list beside panel when wide.
import React from 'react';
import { Box, Text } from 'ink';
import { fit, textWidth, truncate, wrapText } from '../../../core/api/views/format.ts';
import { t, type Lang } from '../../../core/api/views/i18n.ts';
import { OVERLAP_GLYPH, PLOT_GLYPHS, textPlot, type PlotMode } from '../../../core/api/views/plot.ts';
import { scenarioPanel, scenarioRows, type ScenarioListRow, type ScenarioPanel } from '../../../core/api/views/scenario.ts';
import type { Role } from '../../../core/api/views/state-roles.ts';
import type { Controller } from '../controller.ts';
import { roleProps, Title } from './style.tsx';

interface Props {
  controller: Controller;
  width: number;
  height: number;
}

const SERIES_ROLES: Role[] = ['established', 'accent', 'opening', 'reset', 'closing', 'peer-closed', 'time-wait', 'warn'];

function listMark(r: ScenarioListRow): { mark: string; role: Role | null } {
  if (r.running) return { mark: '●', role: 'accent' };
  if (r.verdict === 'pass') return { mark: '✓', role: 'ok' };
  if (r.verdict === 'fail' || r.verdict === 'error') return { mark: '✗', role: 'error' };
  if (r.verdict === 'refused') return { mark: '!', role: 'warn' };
  return { mark: ' ', role: null };
}

function ScenarioList({ rows, width, height, start, cursor, lang }: { rows: ScenarioListRow[]; width: number; height: number; start: number; cursor: number; lang: Lang }): React.ReactElement {
  const nameW = Math.min(18, Math.max(6, ...rows.map((r) => r.name.length)));
  const needsW = Math.max(0, ...rows.map((r) => textWidth(r.needsText)));
  const titleW = Math.max(4, width - nameW - needsW - 5);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, 'pane.scenarios')} width={width} right={String(rows.length)} />
      {rows.length === 0 ? <Text dimColor>  {t(lang, 'scenario.none')}</Text> : null}
      {rows.slice(start, start + height - 1).map((r, i) => {
        const m = listMark(r);
        return (
          <Text key={r.name} wrap="truncate" inverse={start + i === cursor}>
            <Text {...roleProps(m.role)}>{m.mark}</Text> <Text bold>{fit(r.name, nameW)}</Text> {fit(r.title, titleW)}{needsW > 0 ? <Text dimColor> {fit(r.needsText, needsW)}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}

/**
 * Lines of the panel for `room` lines: the step, the hints, the checks (two lines each when
 * all fit, else one; when even that is too many, a window that follows the newest and scrolls
 * with PgUp / PgDn), and the verdict, always last.
 */
function panelLines(controller: Controller, p: ScenarioPanel, width: number, lang: Lang, highlighted: string | null, room: number): React.ReactElement[] {
  const lines: React.ReactElement[] = [];
  const step = wrapText(`${t(lang, 'scenario.step')}: ${p.step}`, width - 1).slice(0, 3);
  step.forEach((l, i) => lines.push(<Text key={`s${i}`} wrap="truncate" color="cyan">{l}</Text>));
  lines.push(<Title key="ht" text={t(lang, 'pane.hints')} width={width} right={p.hints.length === 0 ? '' : 'a-h · >'} />);
  if (p.hints.length === 0) lines.push(<Text key="h-" dimColor>  {t(lang, 'scenario.noHints')}</Text>);
  const whereW = Math.min(22, Math.max(...p.hints.map((h) => textWidth(h.where)), 4));
  for (const h of p.hints) {
    const on = highlighted === h.key;
    lines.push(
      <Text key={`h${h.key}`} wrap="truncate">
        <Text bold color="yellow" inverse={on}>{h.key})</Text> <Text bold>{fit(h.where, whereW)}</Text>  {truncate(h.text, Math.max(4, width - whereW - 6))}
      </Text>,
    );
  }
  const verdict = (
    <Text key="v" wrap="truncate" {...roleProps(p.verdictRole)} bold>
      {p.verdictMark} {p.verdictText}
    </Text>
  );
  const n = p.checks.length;
  // Lines left for the checks: below their title, above the verdict.
  const left = room - lines.length - 2;
  let right = n === 0 ? '' : `✓ ${p.passed}  ✗ ${p.failed}`;
  const body: React.ReactElement[] = [];
  controller.checksLines = { total: n, page: n };
  if (n === 0) body.push(<Text key="c-" dimColor>  {t(lang, 'scenario.noChecks')}</Text>);
  else if (2 * n <= left) {
    // Two lines a check: what, then expected and observed in full.
    const exp = t(lang, 'scenario.expected');
    const obs = t(lang, 'scenario.observed');
    p.checks.forEach((c, i) => {
      body.push(<Text key={`c${i}`} wrap="truncate"><Text {...roleProps(c.role)}>{c.mark}</Text> {c.what}</Text>);
      body.push(
        <Text key={`c${i}v`} wrap="truncate">
          {'    '}{c.expected === c.observed
            ? <><Text dimColor>{exp} = {obs}:</Text> {c.observed}</>
            : <><Text dimColor>{exp}</Text> {c.expected}<Text dimColor> · {obs}</Text> <Text {...roleProps(c.pass ? null : 'error')}>{c.observed}</Text></>}
        </Text>,
      );
    });
  } else {
    const rest = width - 2;
    const whatW = Math.max(10, Math.floor(rest * 0.44));
    const expW = Math.max(8, Math.floor((rest - whatW) / 2) - 1);
    const obsW = Math.max(4, rest - whatW - expW - 2);
    body.push(
      <Text key="ch" dimColor wrap="truncate">
        {'  '}{fit(t(lang, 'scenario.what'), whatW)} {fit(t(lang, 'scenario.expected'), expW)} {fit(t(lang, 'scenario.observed'), obsW)}
      </Text>,
    );
    const page = Math.max(1, left - 1);
    controller.checksLines = { total: n, page };
    // Follows the newest until the user scrolls.
    const scroll = controller.state.checksScroll;
    const from = n <= page ? 0 : Math.max(0, Math.min(n - page, scroll ?? n - page));
    if (n > page) right = `${from + 1}-${from + page}/${n} PgUp PgDn · ${right}`;
    p.checks.slice(from, from + page).forEach((c, i) => body.push(
      <Text key={`c${from + i}`} wrap="truncate">
        <Text {...roleProps(c.role)}>{c.mark}</Text> {fit(c.what, whatW)} <Text dimColor>{fit(c.expected, expW)}</Text> <Text {...roleProps(c.pass ? null : 'error')}>{fit(c.observed, obsW)}</Text>
      </Text>,
    ));
  }
  lines.push(<Title key="ct" text={t(lang, 'pane.checks')} width={width} right={right} />, ...body, verdict);
  return lines;
}

function PlotView({ p, width, height, mode, lang }: { p: ScenarioPanel; width: number; height: number; mode: PlotMode; lang: Lang }): React.ReactElement {
  const probe = textPlot(p.series, width, Math.max(4, height - 1 - p.series.length), mode);
  const legendN = p.series.length + (probe.overlaps > 0 ? 1 : 0);
  const legendH = Math.min(legendN, Math.max(1, height - 6));
  const plot = textPlot(p.series, width, Math.max(4, height - 1 - legendH), mode);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={t(lang, mode === 'relative' ? 'scenario.plotRelative' : 'scenario.plotAbsolute')} width={width} right="v" />
      {plot.rows.map((row, r) => {
        const owners = plot.owners[r];
        // Runs of the same series, coloured by series.
        const parts: React.ReactNode[] = [];
        let from = 0;
        const chars = [...row];
        for (let i = 1; i <= chars.length; i++) {
          if (i === chars.length || (owners[i] ?? -1) !== (owners[from] ?? -1)) {
            const o = owners[from] ?? -1;
            const text = chars.slice(from, i).join('');
            parts.push(o < 0 ? text : <Text key={i} {...roleProps(SERIES_ROLES[o % SERIES_ROLES.length])}>{text}</Text>);
            from = i;
          }
        }
        return <Text key={r} wrap="truncate">{parts}</Text>;
      })}
      {plot.legend.slice(0, legendH).map((l, i) => (
        <Text key={`l${i}`} wrap="truncate" dimColor={!l.shown}>
          <Text {...roleProps(SERIES_ROLES[i % SERIES_ROLES.length])}>{PLOT_GLYPHS[i % PLOT_GLYPHS.length]}</Text> {l.name}{l.slope ? `  ${l.slope}` : ''}{!l.shown ? `  ${t(lang, 'scenario.scattered')}` : ''}
        </Text>
      ))}
      {plot.overlaps > 0 && legendH > p.series.length ? <Text wrap="truncate" dimColor>{OVERLAP_GLYPH} {t(lang, 'scenario.overlap')}</Text> : null}
    </Box>
  );
}

function Explanation({ controller, text, title, width, height }: { controller: Controller; text: string; title: string; width: number; height: number }): React.ReactElement {
  const { lang, explainScroll } = controller.state;
  const lines = text === '' ? [t(lang, 'scenario.noExplain')] : wrapText(text, width - 1);
  const bodyH = Math.max(1, height - 1);
  controller.explainLines = { total: lines.length, page: bodyH };
  const at = Math.min(explainScroll, Math.max(0, lines.length - bodyH));
  const more = lines.length > bodyH ? `${at + 1}-${Math.min(lines.length, at + bodyH)}/${lines.length} PgUp PgDn` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Title text={`${t(lang, 'pane.explain')}: ${title}`} width={width} right={more} />
      {lines.slice(at, at + bodyH).map((l, i) => <Text key={i} wrap="truncate">{l === '' ? ' ' : l}</Text>)}
    </Box>
  );
}

export function ScenariosView({ controller, width, height }: Props): React.ReactElement {
  const { lang, explain, plotMode, plotOpen, highlight } = controller.state;
  const status = controller.store.snapshot?.scenario ?? null;
  const rows = scenarioRows(controller.store.scenarios, status, lang);
  const wide = width >= 120;
  controller.scenariosNarrow = !wide;
  // Narrow: a short list once the selected scenario has a panel to show (its step, hints, checks).
  const selName = controller.selectedScenario()?.name;
  const hasPanel = status !== null && status.name === selName;
  const listH = wide ? height : Math.max(3, Math.min(rows.length + 1, hasPanel ? 3 : Math.floor(height * 0.3)));
  const listW = wide ? Math.min(56, Math.floor(width * 0.36)) : width;
  controller.pageSize.scenarios = listH - 1;
  const win = controller.window('scenarios', rows.length, listH - 1);
  const sel = rows[win.cursor];
  const panelW = wide ? width - listW - 1 : width;
  const panelH = wide ? height : height - listH;
  const list = <ScenarioList rows={rows} width={listW} height={listH} start={win.start} cursor={win.cursor} lang={lang} />;
  let panel: React.ReactElement;
  if (sel === undefined) {
    panel = <Box width={panelW} height={panelH} />;
  } else if (explain) {
    panel = <Explanation controller={controller} text={sel.explain} title={sel.name} width={panelW} height={panelH} />;
  } else {
    const p = status !== null && status.name === sel.name ? scenarioPanel(status, lang) : null;
    const head = (
      <Title
        text={`${sel.name} · ${sel.title}`}
        width={panelW}
        right={p === null ? sel.needsText : p.verdictShort}
      />
    );
    const lines: React.ReactElement[] = [];
    if (p === null || wide) {
      const summary = wrapText(sel.summary, panelW - 1).slice(0, p === null ? Math.max(1, panelH - 3) : 4);
      summary.forEach((l, i) => lines.push(<Text key={`sum${i}`} wrap="truncate">{l}</Text>));
      if (p === null) lines.push(<Text key="notrun" dimColor>{t(lang, 'scenario.notRun')}</Text>);
    }
    const hinted = highlight === null ? null : p?.hints.find((h) => JSON.stringify(h.target) === JSON.stringify(highlight))?.key ?? null;
    const showPlot = p !== null && p.series.length > 0 && (wide || plotOpen);
    if (p !== null && !(showPlot && !wide)) lines.push(...panelLines(controller, p, panelW, lang, hinted, panelH - 1 - lines.length - (wide && showPlot ? 10 : 0)));
    const room = panelH - 1 - lines.length;
    const plotH = showPlot && p !== null && (wide ? room >= 8 : true) ? (wide && sel.explain !== '' ? Math.min(room, Math.max(12, Math.floor(room * 0.6))) : room) : 0;
    // Wide: the explanation fills what is left (i shows it whole).
    const explainH = wide ? room - plotH : 0;
    panel = (
      <Box flexDirection="column" width={panelW} height={panelH}>
        {head}
        {lines.slice(0, panelH - 1)}
        {plotH > 0 && p !== null ? <PlotView p={p} width={panelW} height={plotH} mode={plotMode} lang={lang} /> : null}
        {explainH >= 4 && sel.explain !== '' ? <Explanation controller={controller} text={sel.explain} title={sel.name} width={panelW} height={explainH} /> : null}
      </Box>
    );
  }
  return wide
    ? (
      <Box width={width} height={height}>
        {list}
        <Text> </Text>
        {panel}
      </Box>
    )
    : (
      <Box flexDirection="column" width={width} height={height}>
        {list}
        {panel}
      </Box>
    );
}
