// The ladder diagram, drawn like the teaching figures: two vertical lines, the kernel on the
// left and the lab on the right, time flowing down; each segment an arrow from its sender to
// its receiver labelled with flags, seq, ack, len and win (core/api/views/ladder.ts); our state
// printed beside each arrow at the moment it happened. Rejected segments are dashed and stop
// half way with a cross and the verdict.
import type { ReactNode } from 'react';
import type { SegmentEvent } from '../../../core/api/events.ts';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';
import { ladderRows } from '../../../core/api/views/ladder.ts';
import { useT } from '../hooks.ts';
import { markClass, type Mark } from '../lab/hints.ts';
import { roleClass, stateClass } from '../model/roles.ts';

const ROW_H = 40;
const TOP = 44;
const WIDTH = 780;
const KERNEL_X = 150;
const LAB_X = 590;
const MAX_ROWS = 300;

function fmtTime(ms: number): string {
  return ms < 1000 ? `+${ms.toFixed(ms < 10 ? 2 : 0)}ms` : `+${(ms / 1000).toFixed(3)}s`;
}

const NO_MARKS = new Map<number, Mark>();

export function Ladder({ segments, row, relative, marks = NO_MARKS }: { segments: SegmentEvent[]; row: ConnectionRow; relative: boolean; marks?: ReadonlyMap<number, Mark> }): ReactNode {
  const t = useT();
  if (segments.length === 0) return <p className="muted">{t('detail.noSegments')}</p>;
  const rows = ladderRows(segments, { relative, conn: row }).slice(-MAX_ROWS);
  const t0 = rows[0].at;
  const height = TOP + rows.length * ROW_H + 24;
  return (
    <div className="ladder-wrap">
      <svg className="ladder" width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`} role="img"
        aria-label={`ladder diagram, ${rows.length} segments`}>
        <defs>
          <marker id="arrow-in" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="arrowhead in" />
          </marker>
          <marker id="arrow-out" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="arrowhead out" />
          </marker>
          <marker id="arrow-rst" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="arrowhead rst" />
          </marker>
        </defs>
        <text className="end-label" x={KERNEL_X} y={16} textAnchor="middle">{t('detail.kernel')}</text>
        <text className="end-addr" x={KERNEL_X} y={32} textAnchor="middle">{row.remote}</text>
        <text className="end-label" x={LAB_X} y={16} textAnchor="middle">{t('detail.lab')}</text>
        <text className="end-addr" x={LAB_X} y={32} textAnchor="middle">{row.local}</text>
        <line className="lifeline" x1={KERNEL_X} x2={KERNEL_X} y1={TOP - 4} y2={height - 8} />
        <line className="lifeline" x1={LAB_X} x2={LAB_X} y1={TOP - 4} y2={height - 8} />
        {rows.map((r, i) => {
          const y1 = TOP + i * ROW_H + 6;
          const y2 = y1 + ROW_H - 14;
          const out = r.dir === 'out';
          const [x1, x2] = out ? [LAB_X, KERNEL_X] : [KERNEL_X, LAB_X];
          const midX = (KERNEL_X + LAB_X) / 2;
          const endX = r.rejected ? midX + (out ? -70 : 70) : x2;
          const endY = r.rejected ? (y1 + y2) / 2 + 4 : y2;
          const rst = r.flags.includes('R');
          // The label runs along the arrow, just above it, reading left to right.
          const angle = (Math.atan2(y2 - y1, x2 - x1) * 180) / Math.PI;
          const textAngle = out ? angle - 180 : angle;
          const midY = (y1 + y2) / 2;
          const head = rst ? 'arrow-rst' : out ? 'arrow-out' : 'arrow-in';
          const mark = marks.get(r.eventSeq);
          return (
            <g key={r.eventSeq} className={`seg ${out ? 'out' : 'in'} ${r.rejected ? 'rejected' : ''} ${rst ? 'rst' : ''} ${roleClass(r.role)} ${markClass(mark)}`} data-seq={r.eventSeq} data-flags={r.flags}>
              <title>{`${r.text}\n${r.verdict}${r.options ? `\noptions [${r.options}]` : ''}`}</title>
              {mark !== undefined && (
                <>
                  <rect className="hint-band" x={2} y={y1 - 10} width={WIDTH - 4} height={ROW_H - 2} rx={6} />
                  <circle className="hint-dot" cx={KERNEL_X - 22} cy={y1 + 1} r={8} />
                  <text className="hint-dot-key" x={KERNEL_X - 22} y={y1 + 5} textAnchor="middle">{mark.key}</text>
                </>
              )}
              <text className="time" x={8} y={y1 + 4}>{fmtTime(r.at - t0)}</text>
              <line x1={x1} y1={y1} x2={endX} y2={endY} markerEnd={r.rejected ? undefined : `url(#${head})`} />
              {r.rejected && <text className="cross" x={endX} y={endY + 5} textAnchor="middle">✕</text>}
              <text className="seg-label" x={0} y={-5} textAnchor="middle" transform={`translate(${midX} ${midY}) rotate(${textAngle.toFixed(2)})`}>
                {r.label}
              </text>
              {r.rejected && <text className="verdict" x={midX} y={y2 + 9} textAnchor="middle">{r.verdict}</text>}
              {r.state && (
                <text className={`state-at ${stateClass(r.state)} ${i > 0 && rows[i - 1].state === r.state ? 'same' : ''}`} x={LAB_X + 12} y={out ? y1 + 4 : y2 + 4}>{r.state}</text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
