// The GUI's plot of sequence-number series (the isn scenario: ISN over lab time), as geometry
// for an SVG: axes with ticks, one path per series, dots, and the legend. The same two ways to
// look as the text plot (plot.ts), with the same legend (which series are drawn, their slopes):
//   'relative': each series minus its first point (modulo 2^32, signed): the slope is the clock;
//               scattered series (no clock line) are left out and listed as such;
//   'absolute': the values in the 32-bit space, 0 at the bottom and 2^32 at the top.
import { plotPoints, shortNumber, textPlot, TWO32, type PlotLegend, type PlotMode, type PlotSeries } from './plot.ts';

export interface SvgPoint {
  x: number;
  y: number;
  /** The data: lab ms and the sequence number as recorded. */
  ms: number;
  seq: number;
}

export interface SvgSeries {
  index: number;
  name: string;
  legend: PlotLegend;
  /** 'M x y L x y ...' through the points (empty when not drawn or scattered in absolute mode). */
  path: string;
  points: SvgPoint[];
  /** Where to write the slope beside the line's end (null when not a drawn line). */
  label: { x: number; y: number; text: string } | null;
}

export interface SvgTick {
  at: number;
  label: string;
}

export interface SvgPlot {
  width: number;
  height: number;
  /** The plot area inside the axes. */
  area: { left: number; top: number; right: number; bottom: number };
  xTicks: SvgTick[];
  yTicks: SvgTick[];
  xTitle: string;
  yTitle: string;
  series: SvgSeries[];
  /** Series drawn on (nearly) the same line: [i, j] pairs, e.g. the lab's and the kernel's 64 ns. */
  coincide: [number, number][];
}

/** About `n` round tick values from lo to hi (1, 2, 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

export function svgPlot(series: readonly PlotSeries[], mode: PlotMode, size: { width: number; height: number }, xUnit = 'ms'): SvgPlot {
  const { legend } = textPlot(series, 40, 6, mode, xUnit);
  const data = series.map((s, i) => (legend[i].shown ? plotPoints(s, mode) : []));
  const all = data.flat();
  const xs = all.map((p) => p[0]);
  let xMin = xs.length > 0 ? Math.min(...xs) : 0;
  let xMax = xs.length > 0 ? Math.max(...xs) : 1;
  if (xMax === xMin) xMax = xMin + 1;
  const xTickValues = niceTicks(xMin, xMax, 6);
  xMin = Math.min(xMin, xTickValues[0]);
  let yMin = mode === 'absolute' ? 0 : Math.min(0, ...all.map((p) => p[1]));
  let yMax = mode === 'absolute' ? TWO32 : Math.max(1, ...all.map((p) => p[1]));
  if (mode === 'relative') {
    const pad = (yMax - yMin) * 0.04;
    yMin -= pad;
    yMax += pad;
  }
  const yTickValues = mode === 'absolute' ? [0, 2 ** 30, 2 ** 31, 3 * 2 ** 30, TWO32] : niceTicks(yMin, yMax, 5);
  const area = { left: 64, top: 14, right: size.width - 150, bottom: size.height - 34 };
  const px = (x: number): number => area.left + ((x - xMin) / (xMax - xMin)) * (area.right - area.left);
  const py = (y: number): number => area.bottom - ((y - yMin) / (yMax - yMin)) * (area.bottom - area.top);
  const out: SvgSeries[] = series.map((s, i) => {
    const pts = data[i].map(([x, y], j) => ({ x: px(x), y: py(y), ms: s.points[j][0], seq: s.points[j][1] }));
    const line = legend[i].slope !== null || (mode === 'absolute' && legend[i].shown && pts.length > 1 && isMonotoneInSpace(data[i]));
    const path = line ? pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ') : '';
    const last = pts[pts.length - 1];
    const label = line && last !== undefined && legend[i].slope !== null ? { x: last.x + 6, y: last.y, text: legend[i].slope as string } : null;
    return { index: i, name: s.name, legend: legend[i], path, points: pts, label };
  });
  const coincide: [number, number][] = [];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (out[i].path !== '' && out[j].path !== '' && close(out[i].points, out[j].points)) coincide.push([i, j]);
    }
  }
  // Slope labels of coinciding lines would sit on each other: the later one moves down.
  for (const [i, j] of coincide) {
    const a = out[i].label;
    const b = out[j].label;
    if (a !== null && b !== null && Math.abs(a.y - b.y) < 14) out[j].label = { ...b, y: a.y + 14 };
  }
  return {
    width: size.width,
    height: size.height,
    area,
    xTicks: xTickValues.filter((v) => v >= xMin && v <= xMax).map((v) => ({ at: px(v), label: shortNumber(v) })),
    yTicks: yTickValues.filter((v) => v >= yMin && v <= yMax).map((v) => ({ at: py(v), label: mode === 'absolute' ? absLabel(v) : shortNumber(v) })),
    xTitle: `lab time (${xUnit})`,
    yTitle: mode === 'absolute' ? 'sequence number' : 'ISN − first ISN',
    series: out,
    coincide,
  };
}

function absLabel(v: number): string {
  if (v === 0) return '0';
  if (v === TWO32) return '2³²';
  if (v === 2 ** 31) return '2³¹';
  return shortNumber(v);
}

/** In absolute mode a line is drawn only while it does not wrap (a jump from top to bottom is not a segment). */
function isMonotoneInSpace(pts: [number, number][]): boolean {
  for (let i = 1; i < pts.length; i++) if (Math.abs(pts[i][1] - pts[i - 1][1]) > 2 ** 28) return false;
  return true;
}

/** Two drawn lines within a few pixels of each other over their common points. */
function close(a: SvgPoint[], b: SvgPoint[]): boolean {
  const n = Math.min(a.length, b.length);
  if (n < 2) return false;
  for (let k = 0; k < n; k++) if (Math.abs(a[k].x - b[k].x) > 3 || Math.abs(a[k].y - b[k].y) > 3) return false;
  return true;
}
