// A scenario's series as an SVG plot (the isn scenario: ISN over lab time). Two views, as in the
// TUI: the growth of each series since its first point, where the slope is the clock (15625 per
// ms at Linux's 64 ns, 250 per ms at the RFC's 4 µs; the kernel's own line beside the lab's),
// and the 32-bit space, where the hash F scatters the ISNs of different 4-tuples.
import { useState, type ReactNode } from 'react';
import type { ScenarioSeries } from '../../../core/api/snapshot.ts';
import { svgPlot } from '../../../core/api/views/gui-plot.ts';
import type { PlotMode } from '../../../core/api/views/plot.ts';
import { useT } from '../hooks.ts';

const WIDTH = 860;
const HEIGHT = 330;

export function SeriesPlot({ series, mode: forced, onMode }: { series: ScenarioSeries[]; mode?: PlotMode; onMode?: (m: PlotMode) => void }): ReactNode {
  const t = useT();
  const [own, setOwn] = useState<PlotMode>('relative');
  const mode = forced ?? own;
  const setMode = onMode ?? setOwn;
  const plot = svgPlot(series, mode, { width: WIDTH, height: HEIGHT });
  const { area } = plot;
  return (
    <div className="series-plot">
      <div className="seg-toggle" role="radiogroup" aria-label={t('scn.plot')}>
        {(['relative', 'absolute'] as const).map((m) => (
          <button key={m} role="radio" aria-checked={mode === m} className={mode === m ? 'active' : ''} onClick={() => setMode(m)}>
            {t(m === 'relative' ? 'scn.relative' : 'scn.absolute')}
          </button>
        ))}
        <kbd title="v">v</kbd>
      </div>
      <svg className={`plot mode-${mode}`} width="100%" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img"
        aria-label={`${t('scn.plot')}: ${plot.series.map((s) => `${s.name}${s.legend.slope ? ` ${s.legend.slope}` : ''}`).join('; ')}`}>
        <rect className="plot-bg" x={area.left} y={area.top} width={area.right - area.left} height={area.bottom - area.top} />
        {plot.yTicks.map((y) => (
          <g key={`y${y.at}`} className="tick">
            <line x1={area.left} x2={area.right} y1={y.at} y2={y.at} className="grid-line" />
            <text x={area.left - 6} y={y.at + 4} textAnchor="end">{y.label}</text>
          </g>
        ))}
        {plot.xTicks.map((x) => (
          <g key={`x${x.at}`} className="tick">
            <line x1={x.at} x2={x.at} y1={area.top} y2={area.bottom} className="grid-line" />
            <text x={x.at} y={area.bottom + 16} textAnchor="middle">{x.label}</text>
          </g>
        ))}
        <line className="axis" x1={area.left} x2={area.right} y1={area.bottom} y2={area.bottom} />
        <line className="axis" x1={area.left} x2={area.left} y1={area.top} y2={area.bottom} />
        <text className="axis-title" x={(area.left + area.right) / 2} y={HEIGHT - 4} textAnchor="middle">{t('scn.xTitle')}</text>
        <text className="axis-title" transform={`translate(14 ${(area.top + area.bottom) / 2}) rotate(-90)`} textAnchor="middle">{t(mode === 'absolute' ? 'scn.yAbsolute' : 'scn.yRelative')}</text>
        {plot.series.map((s) => (
          <g key={s.index} className={`series s${s.index % 8}`} data-series={s.name}>
            {s.path !== '' && <path d={s.path} className="line" />}
            {s.points.map((p, i) => (
              <circle key={i} cx={p.x} cy={p.y} r={s.path === '' ? 4 : 3} className="dot">
                <title>{`${s.name}\n${p.ms} ms: ${p.seq}`}</title>
              </circle>
            ))}
            {s.label && <text className="slope" x={s.label.x} y={s.label.y + 4}>{s.label.text}</text>}
          </g>
        ))}
      </svg>
      <ul className="plot-legend">
        {plot.series.map((s) => (
          <li key={s.index} className={`series s${s.index % 8} ${s.legend.shown ? '' : 'hidden-series'}`}>
            <svg width="26" height="10" aria-hidden="true"><line x1="1" x2="25" y1="5" y2="5" className="line" /><circle cx="13" cy="5" r="3" className="dot" /></svg>
            <span>{s.name}</span>
            {s.legend.slope && <b className="num">{s.legend.slope}</b>}
            {!s.legend.shown && <span className="muted small">{t('scn.scattered')}</span>}
          </li>
        ))}
      </ul>
      {plot.coincide.map(([i, j]) => (
        <p key={`${i}-${j}`} className="muted small">{t('scn.coincide', { a: plot.series[i].name, b: plot.series[j].name })}</p>
      ))}
    </div>
  );
}
