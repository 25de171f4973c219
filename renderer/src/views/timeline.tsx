// The state timeline (core/api/views/timeline.ts drawn): a swimlane per state the connection went
// through (RFC order), each stay a bar in the state's colour with its duration, each transition
// a connector labelled with its cause. Stays get equal widths (a handshake takes a millisecond,
// TIME-WAIT a minute); the real durations are written on the bars.
import type { ReactNode } from 'react';
import type { LabEvent } from '../../../core/api/events.ts';
import { formatMs } from '../../../core/api/views/format.ts';
import { buildTimeline } from '../../../core/api/views/timeline.ts';
import { marker, roleClass } from '../model/roles.ts';

const LANE_H = 26;
const LABEL_W = 132;
const STAY_W = 128;
const CAUSE_ICON = { segment: '⇄', timer: '◷', user: '☝', other: '·' } as const;

export function Timeline({ events, now }: { events: readonly LabEvent[]; now: number }): ReactNode {
  const tl = buildTimeline(events, now);
  if (tl.entries.length === 0) return null;
  const laneOf = new Map(tl.lanes.map((l, i) => [l.state, i]));
  const width = LABEL_W + tl.entries.length * STAY_W + 16;
  const height = tl.lanes.length * LANE_H + 34;
  const summary = tl.entries.map((e) => `${e.state} (${e.cause})`).join(' → ');
  return (
    <div className="timeline-wrap" role="img" aria-label={`state timeline: ${summary}`}>
      <svg className="timeline" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
        {tl.lanes.map((l, i) => (
          <g key={l.state} className={roleClass(l.role)}>
            <rect className="lane-bg" x={0} y={i * LANE_H + 2} width={width} height={LANE_H - 4} rx={4} />
            <text className="lane-label" x={8} y={i * LANE_H + LANE_H / 2 + 4}>{marker(l.role)} {l.state}</text>
          </g>
        ))}
        {tl.entries.map((e, i) => {
          const lane = laneOf.get(e.state) ?? 0;
          const x = LABEL_W + i * STAY_W;
          const y = lane * LANE_H + 5;
          const prev = i > 0 ? tl.entries[i - 1] : null;
          const prevLane = prev ? (laneOf.get(prev.state) ?? 0) : lane;
          const cause = `${CAUSE_ICON[e.causeKind]} ${e.cause}`;
          return (
            <g key={e.eventSeq} className={`${roleClass(e.role)} ${e.current ? 'current' : ''}`} data-state={e.state}>
              <title>{`${e.from} → ${e.state}: ${e.cause}${e.segment ? `\n${e.segment.text}` : ''}\n${formatMs(e.durationMs)}`}</title>
              {prev && <line className="transition" x1={x} x2={x} y1={prevLane * LANE_H + LANE_H / 2} y2={lane * LANE_H + LANE_H / 2} />}
              <rect className="stay" x={x + 2} y={y} width={STAY_W - 4} height={LANE_H - 10} rx={3} />
              <text className="stay-dur" x={x + STAY_W / 2} y={y + LANE_H / 2 - 1} textAnchor="middle">
                {e.current && e.state === 'CLOSED' ? '' : formatMs(e.durationMs)}{e.current && e.state !== 'CLOSED' ? ' …' : ''}
              </text>
              <text className="cause" x={x + 4} y={tl.lanes.length * LANE_H + 18}>
                {cause.length > 19 ? `${cause.slice(0, 18)}…` : cause}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
