// Trace lines: every lab event as one tcpdump-like line, with state transitions, timers,
// drops, listener and fault events interleaved (the trace pane, `tcplab trace`).
import type { LabEvent } from '../events.ts';
import { eventConn } from '../events.ts';
import { formatLabTime, formatMs } from './format.ts';
import { isRejectedVerdict } from './ladder.ts';
import { segmentRole, stateRole, type Role } from './state-roles.ts';

export interface TraceLine {
  seq: number;
  at: number;
  /** '12.345' (lab seconds). */
  time: string;
  kind: LabEvent['kind'];
  conn: number | null;
  /** A short tag before the text: 'IN', 'OUT', 'STATE', 'TIMER', 'DROP', ... */
  tag: string;
  text: string;
  role: Role | null;
}

function body(e: LabEvent): { tag: string; text: string; role: Role | null } {
  switch (e.kind) {
    case 'segment': {
      const rejected = isRejectedVerdict(e.verdict);
      const verdict = rejected ? ` [${e.verdict}]` : '';
      return { tag: e.dir === 'in' ? 'IN' : 'OUT', text: `${e.segment.text}${verdict}`, role: rejected ? 'error' : segmentRole(e.segment.flags) };
    }
    case 'state':
      return { tag: 'STATE', text: `#${e.conn} ${e.from} -> ${e.to} (${e.cause})`, role: stateRole(e.to) };
    case 'timer': {
      const when = e.action === 'set' && e.deadline !== undefined ? ` in ${formatMs(e.deadline - e.at)}` : '';
      return { tag: 'TIMER', text: `#${e.conn} ${e.timer} ${e.action}${when}`, role: e.action === 'fire' ? 'warn' : 'muted' };
    }
    case 'drop':
      return { tag: 'DROP', text: `${e.reason}${e.detail ? `: ${e.detail}` : ''}`, role: 'warn' };
    case 'error':
      return { tag: 'ERROR', text: `#${e.conn} ${e.code}`, role: 'error' };
    case 'queue': {
      const bad = e.op === 'overflow' || e.op === 'drop';
      const conn = e.conn === null ? '' : ` #${e.conn}`;
      return {
        tag: 'QUEUE',
        text: `:${e.port} ${e.queue} queue ${e.op}${conn} ${e.length}/${e.limit}${e.detail ? ` (${e.detail})` : ''}`,
        role: bad ? 'error' : 'listen',
      };
    }
    case 'icmp':
      return { tag: e.dir === 'in' ? 'ICMP<' : 'ICMP>', text: e.text, role: 'muted' };
    case 'fault':
      return { tag: 'FAULT', text: `${e.rule}: ${e.action} ${e.dir} ${e.summary}`, role: 'warn' };
    case 'lab':
      return { tag: 'LAB', text: `${e.topic}: ${e.message}`, role: 'accent' };
    default: {
      const never: never = e;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

export function traceLine(e: LabEvent): TraceLine {
  const b = body(e);
  return { seq: e.seq, at: e.at, time: formatLabTime(e.at), kind: e.kind, conn: eventConn(e), ...b };
}

/** The plain-text form: '12.345 OUT   10.77.0.2.80 > 10.77.0.1.40000: Flags [S.], ...'. */
export function traceText(line: TraceLine): string {
  return `${line.time} ${line.tag.padEnd(6)} ${line.text}`;
}
