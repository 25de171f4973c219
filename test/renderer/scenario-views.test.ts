// The GUI's pure parts for guided scenarios: the SVG plot geometry of the ISN series
// (core/api/views/gui-plot.ts), the hint marks the views draw (renderer/src/lab/hints.ts), and a
// row rebuilt from a connection's history (renderer/src/lab/ghost-row.ts).
import { describe, expect, it } from 'vitest';
import type { LabEvent, SegmentEvent } from '../../core/api/events.ts';
import { niceTicks, svgPlot } from '../../core/api/views/gui-plot.ts';
import { hintViews } from '../../core/api/views/scenario.ts';
import { ghostRow } from '../../renderer/src/lab/ghost-row.ts';
import { hintMarks, markClass, sameTarget } from '../../renderer/src/lab/hints.ts';

const TWO32 = 2 ** 32;

/** ISNs of one 4-tuple every 150 ms on a clock of `perMs`, starting at `base` (wrapping). */
function clockSeries(name: string, base: number, perMs: number, t0 = 0): { name: string; unit: string; points: [number, number][] } {
  return { name, unit: 'ms, seq', points: Array.from({ length: 8 }, (_, i) => [t0 + i * 150, (base + perMs * i * 150) % TWO32] as [number, number]) };
}

describe('svgPlot (the isn scenario plot)', () => {
  const lab64 = clockSeries('lab ISN, 64 ns', 4_290_000_000, 15625); // wraps past 2^32 on the way
  const kernel = clockSeries('kernel ISN', 1_000_000, 15625);
  const lab4 = clockSeries('lab ISN, 4 µs', 3_000_000_000, 250, 1300);
  const scattered = { name: 'eight 4-tuples', unit: 'ms, seq', points: [[2500, 10], [2501, 3e9], [2502, 1e9], [2503, 4e9], [2504, 2e9]] as [number, number][] };
  const all = [lab64, kernel, lab4, scattered];

  it('relative: the slope is the clock, through the 2^32 wrap; coinciding lines are named; scattered ones left out', () => {
    const p = svgPlot(all, 'relative', { width: 860, height: 330 });
    expect(p.series.map((s) => s.legend.slope)).toEqual(['15625/ms', '15625/ms', '250/ms', null]);
    expect(p.series[3].legend.shown).toBe(false);
    expect(p.series[3].points).toEqual([]);
    expect(p.coincide).toEqual([[0, 1]]);
    // The 64 ns line rises steadily (no jump at the wrap): y falls monotonically on screen.
    const ys = p.series[0].points.map((q) => q.y);
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeLessThan(ys[i - 1]);
    // Everything inside the plot area; the 4 µs line nearly flat next to the 64 ns one.
    for (const s of p.series) {
      for (const q of s.points) {
        expect(q.x).toBeGreaterThanOrEqual(p.area.left - 0.01);
        expect(q.x).toBeLessThanOrEqual(p.area.right + 0.01);
        expect(q.y).toBeGreaterThanOrEqual(p.area.top - 0.01);
        expect(q.y).toBeLessThanOrEqual(p.area.bottom + 0.01);
      }
    }
    const rise = (i: number): number => p.series[i].points[0].y - p.series[i].points[7].y;
    expect(rise(0)).toBeGreaterThan(50 * rise(2));
    // Slope labels of the coinciding lines do not sit on each other.
    expect(Math.abs((p.series[0].label?.y ?? 0) - (p.series[1].label?.y ?? 0))).toBeGreaterThanOrEqual(14);
    expect(p.series[0].path).toMatch(/^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){7}$/);
  });

  it('absolute: 0 to 2^32 with labelled quarters; the scattered series drawn as dots', () => {
    const p = svgPlot(all, 'absolute', { width: 860, height: 330 });
    expect(p.yTicks.map((t) => t.label)).toEqual(['0', '1.1G', '2³¹', '3.2G', '2³²']);
    expect(p.series[3].legend.shown).toBe(true);
    expect(p.series[3].points).toHaveLength(5);
    expect(p.series[3].path).toBe('');
    // The line that wraps is not drawn as a segment from the top to the bottom.
    expect(p.series[0].path).toBe('');
    expect(p.series[1].path).not.toBe('');
    expect(p.yTitle).toBe('sequence number');
  });

  it('copes with nothing to plot', () => {
    const p = svgPlot([], 'relative', { width: 400, height: 200 });
    expect(p.series).toEqual([]);
    expect(p.xTicks.length).toBeGreaterThan(0);
  });

  it('niceTicks: round steps', () => {
    expect(niceTicks(0, 2350, 6)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(-1e6, 1.8e7, 5)).toEqual([0, 5e6, 1e7, 1.5e7]);
    expect(niceTicks(5, 5, 3)).toEqual([5]);
  });
});

describe('hint marks', () => {
  const hints = hintViews([
    { target: { kind: 'connection', conn: 3, field: 'state' }, text: 'a', zh: 'a' },
    { target: { kind: 'listener', listener: 1, field: 'synQueue' }, text: 'b', zh: 'b' },
    { target: { kind: 'counter', name: 'ListenOverflows' }, text: 'c', zh: 'c' },
    { target: { kind: 'knob', name: 'msl' }, text: 'd', zh: 'd' },
    { target: { kind: 'segment', seq: 42 }, text: 'e', zh: 'e' },
    { target: { kind: 'fault', rule: 'r1' }, text: 'f', zh: 'f' },
    { target: { kind: 'time' }, text: 'g', zh: 'g' },
    { target: { kind: 'connection', conn: 3, field: 'timer' }, text: 'h', zh: 'h' },
  ], 'en');

  it('marks every target with its key, and the one jumped to', () => {
    const m = hintMarks(hints, { kind: 'connection', conn: 3, field: 'timer' });
    expect(m.conns.get(3)).toEqual({ key: 'a', jump: true, field: 'timer' });
    expect(m.listeners.get(1)).toEqual({ key: 'b', jump: false, field: 'synQueue' });
    expect(m.counters.get('ListenOverflows')).toEqual({ key: 'c', jump: false });
    expect(m.knobs.get('msl')?.key).toBe('d');
    expect(m.segments.get(42)?.key).toBe('e');
    expect(m.faults.get('r1')?.key).toBe('f');
    expect(m.time?.key).toBe('g');
    expect(markClass(m.conns.get(3))).toBe('hinted hint-jump');
    expect(markClass(m.listeners.get(1))).toBe('hinted');
    expect(markClass(undefined)).toBe('');
  });

  it('keeps the jumped-to target marked after the hints moved on', () => {
    const m = hintMarks([], { kind: 'knob', name: 'tcp_syncookies' });
    expect(m.knobs.get('tcp_syncookies')).toEqual({ key: '›', jump: true });
    expect(sameTarget({ kind: 'time' }, { kind: 'time' })).toBe(true);
    expect(sameTarget({ kind: 'knob', name: 'a' }, null)).toBe(false);
  });
});

describe('ghostRow', () => {
  const seg = (seq: number, dir: 'in' | 'out', flags: string, s: number, state: SegmentEvent['state']): SegmentEvent => ({
    seq, at: seq, kind: 'segment', conn: 7, dir, verdict: dir === 'out' ? 'sent' : 'accepted', state,
    segment: dir === 'out'
      ? { src: '10.77.0.2', srcPort: 40000, dst: '10.77.0.1', dstPort: 7102, flags, seq: s, ack: null, win: 65535, len: 0, options: '', text: '' }
      : { src: '10.77.0.1', srcPort: 7102, dst: '10.77.0.2', dstPort: 40000, flags, seq: s, ack: null, win: 65535, len: 0, options: '', text: '' },
  });

  it('rebuilds a row from a connection\'s history: addresses, last state and since when, ISNs', () => {
    const events: LabEvent[] = [
      { seq: 1, at: 1, kind: 'state', conn: 7, from: 'CLOSED', to: 'SYN-SENT', cause: 'user connect' } as LabEvent,
      seg(2, 'out', 'S', 1000, 'SYN-SENT'),
      seg(3, 'in', 'S.', 5000, 'ESTABLISHED'),
      { seq: 4, at: 4, kind: 'state', conn: 7, from: 'SYN-SENT', to: 'ESTABLISHED', cause: 'rcv SYN-ACK' } as LabEvent,
    ];
    const row = ghostRow(7, events, '10.77.0.2');
    expect(row).toMatchObject({ id: 7, state: 'ESTABLISHED', local: '10.77.0.2:40000', remote: '10.77.0.1:7102', iss: 1000, irs: 5000, stateSince: 4 });
    expect(ghostRow(7, [], '10.77.0.2')).toBeNull();
  });
});
