// Gauges: a used amount against a limit, with a level for colouring. Listener queue gauges
// (SYN queue, accept queue, drops, cookies) and a connection's buffer and window gauges.
import type { ConnectionRow, HalfOpenView, ListenerRow } from '../snapshot.ts';
import type { Responder } from '../names.ts';
import type { StringKey } from './i18n.ts';
import { formatBytes, formatMs } from './format.ts';
import type { Role } from './state-roles.ts';

export type GaugeLevel = 'ok' | 'warn' | 'full';

export interface Gauge {
  id: string;
  label: StringKey;
  used: number;
  limit: number;
  /** used / limit, 0..1 (1 when the limit is 0 and something is used). */
  ratio: number;
  level: GaugeLevel;
  role: Role;
  /** '3/128' or '12K/256K'. */
  text: string;
}

export const WARN_RATIO = 0.75;

export function gauge(id: string, label: StringKey, used: number, limit: number, fmt: (n: number) => string = String): Gauge {
  const ratio = limit > 0 ? Math.min(1, Math.max(0, used / limit)) : used > 0 ? 1 : 0;
  const level: GaugeLevel = ratio >= 1 ? 'full' : ratio >= WARN_RATIO ? 'warn' : 'ok';
  const role: Role = level === 'full' ? 'error' : level === 'warn' ? 'warn' : 'ok';
  return { id, label, used, limit, ratio, level, role, text: `${fmt(used)}/${fmt(limit)}` };
}

export interface HalfOpenRowView {
  peer: string;
  age: string;
  synAckRetries: number;
  nextRetry: string;           // '' when no retry is due
}

export interface ListenerView {
  id: number;
  port: number;
  endpoint: string;
  responder: Responder;
  backlog: number;
  paused: boolean;
  syn: Gauge;
  accept: Gauge;
  synDrops: number;
  acceptDrops: number;
  cookies: { sent: number; recv: number; failed: number };
  /** 'sent/recv/failed' */
  cookiesText: string;
  halfOpen: HalfOpenRowView[];
}

export function halfOpenRow(h: HalfOpenView): HalfOpenRowView {
  return {
    peer: h.remote,
    age: formatMs(h.age),
    synAckRetries: h.synAckRetries,
    nextRetry: h.nextRetryIn === null ? '' : formatMs(h.nextRetryIn),
  };
}

export function listenerView(l: ListenerRow): ListenerView {
  const cookies = l.cookies ?? { sent: 0, recv: 0, failed: 0 };
  return {
    id: l.id,
    port: l.port,
    endpoint: l.local,
    responder: l.responder,
    backlog: l.backlog,
    paused: l.paused,
    syn: gauge('syn', 'gauge.synQueue', l.synQueue, l.synQueueLimit),
    accept: gauge('accept', 'gauge.acceptQueue', l.acceptQueue, l.acceptQueueLimit),
    synDrops: l.drops?.syn ?? 0,
    acceptDrops: l.drops?.accept ?? 0,
    cookies: { ...cookies },
    cookiesText: `${cookies.sent}/${cookies.recv}/${cookies.failed}`,
    halfOpen: (l.halfOpen ?? []).map(halfOpenRow),
  };
}

export function listenerViews(listeners: readonly ListenerRow[]): ListenerView[] {
  return [...listeners].sort((a, b) => a.port - b.port || a.id - b.id).map(listenerView);
}

export const DEFAULT_BUFFER_BYTES = 262144;

const knobNumber = (knobs: Record<string, number | string>, name: string): number => {
  const v = knobs[name];
  return typeof v === 'number' && v > 0 ? v : DEFAULT_BUFFER_BYTES;
};

/**
 * A connection's buffers and windows:
 * - send buffer: Send-Q against the socket's send buffer (SO_SNDBUF as the lab reports it;
 *   the knob tcp_wmem where the row does not know it: 0, as in a row rebuilt from history),
 * - receive buffer: Recv-Q against the socket's receive buffer (SO_RCVBUF; else tcp_rmem),
 * - in flight: snd.nxt - snd.una against what may be in flight, min(cwnd * mss, snd.wnd),
 * - cwnd: in-flight bytes against cwnd * mss.
 */
export function bufferGauges(row: ConnectionRow, knobs: Record<string, number | string>): Gauge[] {
  const inFlight = (row.sndNxt - row.sndUna) >>> 0;
  const cwndBytes = row.cwndBytes;
  const size = (v: number, knob: string): number => (v > 0 ? v : knobNumber(knobs, knob));
  return [
    gauge('send', 'gauge.sendBuffer', row.sendQ, size(row.sndBuf, 'tcp_wmem'), formatBytes),
    gauge('recv', 'gauge.recvBuffer', row.recvQ, size(row.rcvBuf, 'tcp_rmem'), formatBytes),
    gauge('inflight', 'gauge.inFlight', inFlight, Math.min(cwndBytes, row.sndWnd), formatBytes),
    gauge('cwnd', 'gauge.cwnd', inFlight, cwndBytes, formatBytes),
  ];
}
