// The sequence space on the 32-bit circle: the send side on the outer ring, the receive side
// on the inner ring; 0 / 2^32 at the top, so a window that crosses it visibly wraps. Windows are
// tiny next to 2^32, so each arc is drawn at least a few degrees wide, and a linear zoom strip
// per side shows the exact positions.
import type { ReactNode } from 'react';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';
import { sequenceSpace, zoomPosition, type SeqArc, type SeqSide } from '../../../core/api/views/gui-seqspace.ts';
import { useT } from '../hooks.ts';

const SIZE = 250;
const C = SIZE / 2;
const R_OUT = 96;
const R_IN = 70;
const MIN_SWEEP = 0.018; // turns

function point(r: number, turn: number): [number, number] {
  const a = turn * 2 * Math.PI - Math.PI / 2;
  return [C + r * Math.cos(a), C + r * Math.sin(a)];
}

function arcPath(r: number, start: number, sweep: number): string {
  const [x1, y1] = point(r, start);
  const [x2, y2] = point(r, start + sweep);
  const large = sweep > 0.5 ? 1 : 0;
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 ${large} 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

function Arc({ a, r, cls }: { a: SeqArc; r: number; cls: string }): ReactNode {
  if (a.length === 0) return null;
  const sweep = Math.max(MIN_SWEEP, a.length / 2 ** 32);
  return <path className={`arc ${cls}`} d={arcPath(r, a.startTurn, sweep)}><title>{`${a.key}: ${a.start} + ${a.length}${a.wraps ? ' (wraps past 2^32)' : ''}`}</title></path>;
}

function Tick({ r, turn, label, cls, outside }: { r: number; turn: number; label: string; cls: string; outside: boolean }): ReactNode {
  const [x1, y1] = point(r - 7, turn);
  const [x2, y2] = point(r + 7, turn);
  return (
    <g className={`tick ${cls}`}>
      <line x1={x1} y1={y1} x2={x2} y2={y2} />
      <title>{label}</title>
      {outside && <circle cx={x2} cy={y2} r={2} />}
    </g>
  );
}

function Strip({ side, label }: { side: SeqSide; label: string }): ReactNode {
  const W = 300;
  const pos = (v: number): number => 8 + Math.max(0, Math.min(1, zoomPosition(side, v))) * (W - 16);
  return (
    <div className="strip">
      <div className="strip-title">{label}</div>
      <svg width={W} height={58} viewBox={`0 0 ${W} 58`}>
        <line className="strip-axis" x1={8} x2={W - 8} y1={22} y2={22} />
        {side.arcs.map((a) => a.length > 0 && (
          <rect key={a.key} className={`strip-arc ${a.key.replace(/\s/g, '-')}`} x={pos(a.start)} y={16}
            width={Math.max(2, pos(a.start + a.length) - pos(a.start))} height={12} rx={2}>
            <title>{`${a.key}: ${a.length} bytes`}</title>
          </rect>
        ))}
        {side.marks.filter((m) => !m.key.startsWith('IS') && !m.key.startsWith('IR')).map((m, i) => (
          <g key={m.key} className="strip-mark">
            <line x1={pos(m.value)} x2={pos(m.value)} y1={10} y2={34} />
            <text x={pos(m.value)} y={i % 2 === 0 ? 46 : 56} textAnchor="middle">{m.key.replace(/\+.*/, '+WND')}</text>
          </g>
        ))}
      </svg>
    </div>
  );
}

export function SeqSpace({ row }: { row: ConnectionRow }): ReactNode {
  const t = useT();
  const s = sequenceSpace(row);
  const wrapped = [...s.send.arcs, ...s.receive.arcs].some((a) => a.wraps);
  return (
    <div className="seqspace">
      <div className="seq-row">
        <svg width={SIZE} height={SIZE} viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label="sequence space circle">
          <circle className="ring" cx={C} cy={C} r={R_OUT} />
          <circle className="ring inner" cx={C} cy={C} r={R_IN} />
          <line className="zero" x1={C} y1={C - R_OUT - 12} x2={C} y2={C - R_IN + 12} />
          <text className="zero-label" x={C + 6} y={10} textAnchor="start">0 ≡ 2³²</text>
          {[0.25, 0.5, 0.75].map((q) => {
            const [x, y] = point(R_OUT + 14, q);
            return <text key={q} className="quarter" x={x} y={y + 3} textAnchor="middle">{`${q * 4}·2³⁰`}</text>;
          })}
          <Arc a={s.send.arcs[0]} r={R_OUT} cls="inflight" />
          <Arc a={s.send.arcs[1]} r={R_OUT} cls="usable" />
          <Arc a={s.receive.arcs[0]} r={R_IN} cls="rcvwnd" />
          {s.send.marks.map((m) => <Tick key={m.key} r={R_OUT} turn={m.turn} label={`${m.key} = ${m.value}`} cls={m.key.replace(/[.+]/g, '-')} outside />)}
          {s.receive.marks.map((m) => <Tick key={m.key} r={R_IN} turn={m.turn} label={`${m.key} = ${m.value}`} cls={m.key.replace(/[.+]/g, '-')} outside={false} />)}
        </svg>
        <dl className="seq-legend">
          <div><dt><i className="sw inflight" />SND.UNA</dt><dd className="num">{row.sndUna >>> 0}</dd></div>
          <div><dt><i className="sw usable" />SND.NXT</dt><dd className="num">{row.sndNxt >>> 0}</dd></div>
          <div><dt>SND.WND</dt><dd className="num">{row.sndWnd}</dd></div>
          <div><dt><i className="sw rcvwnd" />RCV.NXT</dt><dd className="num">{row.rcvNxt >>> 0}</dd></div>
          <div><dt>RCV.WND</dt><dd className="num">{row.rcvWnd}</dd></div>
          <div><dt>ISS</dt><dd className="num">{row.iss >>> 0}</dd></div>
          <div><dt>IRS</dt><dd className="num">{row.irs === null ? '—' : row.irs >>> 0}</dd></div>
        </dl>
      </div>
      <Strip side={s.send} label={t('detail.ours')} />
      <Strip side={s.receive} label={t('detail.theirs')} />
      <p className={`muted small ${wrapped ? 'wrapped' : ''}`}>{wrapped ? '⚠ ' : ''}{t('detail.wrapNote')}</p>
    </div>
  );
}
