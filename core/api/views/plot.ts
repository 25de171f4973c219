// A small text plot of series of [x, y] points (the isn scenario: ISN over lab time), for text
// UIs and the command line. Two ways to look at sequence numbers:
//   'relative': each series minus its first point (modulo 2^32, signed): the slope is the clock
//               (ISN growth per ms); only series that form a line are drawn (scattered ones
//               have no slope: they are listed as such);
//   'absolute': the values in the 32-bit sequence space, 0 at the bottom, 2^32 at the top:
//               where each series sits, and how a hash scatters them.
// The result is rows of text plus, per cell, which series drew it (for colours).

export type PlotMode = 'relative' | 'absolute';

export interface PlotSeries {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface PlotLegend {
  glyph: string;
  name: string;
  /** Drawn in this mode (a scattered series is not, in 'relative'). */
  shown: boolean;
  /** y per x unit, first to last ('relative' only, for lines): '15625/ms'. */
  slope: string | null;
  points: number;
}

export interface Plot {
  rows: string[];
  /** Per row, per cell: the index of the series drawn there, -1 for none, -2 for several. */
  owners: number[][];
  legend: PlotLegend[];
  /** Cells where several series meet (drawn with OVERLAP_GLYPH). */
  overlaps: number;
}

export const PLOT_GLYPHS = ['*', '+', 'o', 'x', '#', '%', '&', '~'] as const;
/** Where two series fall on one cell (e.g. the lab's and the kernel's ISN on the same clock). */
export const OVERLAP_GLYPH = '@';

/** The size of the sequence space. */
export const TWO32 = 2 ** 32;
/** Successive points further apart than this are not on one clock's line. */
const SCATTER = 2 ** 28;

/** b - a in sequence space, -2^31 .. 2^31. */
export function seqDelta(b: number, a: number): number {
  const d = (b - a) % TWO32;
  if (d >= 2 ** 31) return d - TWO32;
  if (d < -(2 ** 31)) return d + TWO32;
  return d;
}

/** Compact numbers for axis labels: '250', '15.6K', '-3.2M', '4.29G'. */
export function shortNumber(n: number): string {
  const a = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  const fmt = (v: number, u: string): string => `${sign}${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10}${u}`;
  if (a >= 1e9) return fmt(a / 1e9, 'G');
  if (a >= 1e6) return fmt(a / 1e6, 'M');
  if (a >= 1e3) return fmt(a / 1e3, 'K');
  return `${sign}${Math.round(a * 10) / 10}`;
}

function isLine(points: readonly (readonly [number, number])[]): boolean {
  if (points.length < 2) return false;
  for (let i = 1; i < points.length; i++) {
    if (Math.abs(seqDelta(points[i][1], points[i - 1][1])) > SCATTER) return false;
  }
  return true;
}

/** The series as the mode sees them: [x, y] (relative: y - first y, through the wrap). The SVG plot draws the same. */
export function plotPoints(s: PlotSeries, mode: PlotMode): [number, number][] {
  if (mode === 'absolute') return s.points.map(([x, y]) => [x, ((y % TWO32) + TWO32) % TWO32]);
  const first = s.points[0]?.[1] ?? 0;
  let acc = 0;
  let prev = first;
  return s.points.map(([x, y]) => {
    acc += seqDelta(y, prev);
    prev = y;
    return [x, acc];
  });
}

/**
 * Plots `series` into `width` x `height` cells (y labels on the left, the x axis and its labels
 * at the bottom). `xUnit` names the x axis ('ms').
 */
export function textPlot(series: readonly PlotSeries[], width: number, height: number, mode: PlotMode, xUnit = 'ms'): Plot {
  const legend: PlotLegend[] = series.map((s, i) => {
    const line = isLine(s.points);
    const shown = s.points.length > 0 && (mode === 'absolute' || line);
    let slope: string | null = null;
    if (mode === 'relative' && line) {
      const a = s.points[0];
      const b = s.points[s.points.length - 1];
      const dx = b[0] - a[0];
      if (dx > 0) slope = `${Math.round(seqDelta(b[1], a[1]) / dx)}/${xUnit}`;
    }
    return { glyph: PLOT_GLYPHS[i % PLOT_GLYPHS.length], name: s.name, shown, slope, points: s.points.length };
  });
  const data = series.map((s, i) => (legend[i].shown ? plotPoints(s, mode) : []));
  const all = data.flat();
  const rowsN = Math.max(2, height - 2);
  let yMin = mode === 'absolute' ? 0 : Math.min(0, ...all.map((p) => p[1]));
  let yMax = mode === 'absolute' ? TWO32 : Math.max(1, ...all.map((p) => p[1]));
  if (yMax === yMin) yMax = yMin + 1;
  if (mode === 'relative') {
    const pad = (yMax - yMin) * 0.02;
    yMin -= pad;
    yMax += pad;
  }
  const xs = all.map((p) => p[0]);
  const xMin = xs.length > 0 ? Math.min(...xs) : 0;
  let xMax = xs.length > 0 ? Math.max(...xs) : 1;
  if (xMax === xMin) xMax = xMin + 1;
  const labels = [shortNumber(yMax), shortNumber((yMax + yMin) / 2), shortNumber(yMin)];
  const labelW = Math.max(...labels.map((l) => l.length));
  const plotW = Math.max(4, width - labelW - 1);
  const grid: string[][] = Array.from({ length: rowsN }, () => new Array<string>(plotW).fill(' '));
  const owners: number[][] = Array.from({ length: rowsN }, () => new Array<number>(plotW).fill(-1));
  let overlaps = 0;
  data.forEach((pts, si) => {
    for (const [x, y] of pts) {
      const col = Math.round(((x - xMin) / (xMax - xMin)) * (plotW - 1));
      const row = rowsN - 1 - Math.round(((y - yMin) / (yMax - yMin)) * (rowsN - 1));
      if (row < 0 || row >= rowsN || col < 0 || col >= plotW) continue;
      const before = owners[row][col];
      if (before !== -1 && before !== si) {
        if (before !== -2) overlaps++;
        grid[row][col] = OVERLAP_GLYPH;
        owners[row][col] = -2;
        continue;
      }
      grid[row][col] = legend[si].glyph;
      owners[row][col] = si;
    }
  });
  const rows: string[] = [];
  const rowOwners: number[][] = [];
  const mid = Math.floor((rowsN - 1) / 2);
  for (let r = 0; r < rowsN; r++) {
    const label = r === 0 ? labels[0] : r === rowsN - 1 ? labels[2] : r === mid ? labels[1] : '';
    rows.push(`${label.padStart(labelW)}│${grid[r].join('')}`);
    rowOwners.push([...new Array<number>(labelW + 1).fill(-1), ...owners[r]]);
  }
  rows.push(`${' '.repeat(labelW)}└${'─'.repeat(plotW)}`);
  rowOwners.push([]);
  const left = `${shortNumber(xMin)} ${xUnit}`;
  const right = `${shortNumber(xMax)} ${xUnit}`;
  rows.push(`${' '.repeat(labelW + 1)}${left}${' '.repeat(Math.max(1, plotW - left.length - right.length))}${right}`);
  rowOwners.push([]);
  return { rows, owners: rowOwners, legend, overlaps };
}
