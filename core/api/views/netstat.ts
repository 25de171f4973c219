// The connections table: the columns of `ss -tanoi` over the snapshot's ConnectionRows.
import type { ConnectionRow } from '../snapshot.ts';
import type { TimerName } from '../names.ts';
import type { ColumnDef, ViewContext } from './columns.ts';
import { formatBytes, formatMs, formatRtt } from './format.ts';
import { t, type LocalText } from './i18n.ts';
import { stateRole } from './state-roles.ts';

type Col = ColumnDef<ConnectionRow>;

const L = (en: string, zh: string): LocalText => ({ en, zh });

/** ss names for the timers where ss has one (`timer:(on,...)` is the retransmit timer). */
export const TIMER_SHORT: Record<TimerName, string> = {
  retransmit: 'rto',
  delack: 'delack',
  persist: 'persist',
  keepalive: 'keepalive',
  'time-wait': 'timewait',
  'fin-wait-2': 'finwait2',
  'syn-ack': 'synack',
};

/** Time left on the row's running timer at ctx.now (its deadline is in lab time). */
export function timerLeftMs(row: ConnectionRow, ctx: ViewContext): number | null {
  if (row.timer === null) return null;
  return row.timer.deadline - ctx.now;
}

/** How long the connection has been in its state at ctx.now. */
export function timeInStateMs(row: ConnectionRow, ctx: ViewContext): number {
  return Math.max(0, ctx.now - row.stateSince);
}

/** 'rto 1.2s', 'timewait 59s', 'rto 3.2s/2' (2 retransmits so far), '' when no timer runs. */
export function formatTimer(row: ConnectionRow, ctx: ViewContext): string {
  const left = timerLeftMs(row, ctx);
  if (row.timer === null || left === null) return '';
  const retries = row.timer.name === 'retransmit' && row.retransmits > 0 ? `/${row.retransmits}` : '';
  return `${TIMER_SHORT[row.timer.name]} ${formatMs(Math.max(0, left))}${retries}`;
}

/** ss's rtt:srtt/rttvar in ms; '' before the first sample (both 0). */
export function formatRttCell(row: ConnectionRow): string {
  if (row.rtt === 0 && row.rttvar === 0) return '';
  return `${formatRtt(row.rtt)}/${formatRtt(row.rttvar)}`;
}

const num = (id: string, header: LocalText, doc: LocalText, width: number, priority: number,
  get: (r: ConnectionRow) => number | null, show: (n: number) => string = (n) => String(n)): Col => ({
  id, header, doc, width, minWidth: Math.min(width, 4), align: 'right', priority,
  format: (r) => { const v = get(r); return v === null ? '' : show(v); },
  sortValue: (r) => get(r),
});

/** Every connection column, in the default order (the first nine are the netstat set). */
export const CONNECTION_COLUMNS: readonly Col[] = [
  {
    id: 'proto', header: L('Proto', '协议'), doc: L('Protocol (always tcp here)', '协议（这里总是 tcp）'),
    width: 5, minWidth: 3, align: 'left', priority: 6, format: () => 'tcp', sortValue: () => 'tcp',
  },
  {
    id: 'local', header: L('Local Address', '本地地址'), doc: L('Our end: the lab\'s address:port', '本端：实验的地址:端口'),
    width: 15, minWidth: 15, align: 'left', priority: 0, grow: true, growTo: 21,
    format: (r) => r.local,
    sortValue: (r) => r.localPort,
  },
  {
    id: 'remote', header: L('Peer Address', '对端地址'), doc: L('The peer\'s address:port (the kernel side)', '对端（内核一侧）的地址:端口'),
    width: 15, minWidth: 15, align: 'left', priority: 0, grow: true, growTo: 21,
    format: (r) => r.remote,
    sortValue: (r) => r.remotePort,
  },
  {
    id: 'state', header: L('State', '状态'), doc: L('The RFC 9293 state', 'RFC 9293 状态'),
    width: 12, minWidth: 12, align: 'left', priority: 0,
    format: (r) => r.state, sortValue: (r) => r.state, role: (r) => stateRole(r.state),
  },
  {
    id: 'since', header: L('In state', '状态持续'), doc: L('How long it has been in this state', '处于当前状态多久了'),
    width: 8, minWidth: 6, align: 'right', priority: 3, live: true,
    format: (r, ctx) => formatMs(timeInStateMs(r, ctx)),
    sortValue: (r, ctx) => timeInStateMs(r, ctx),
  },
  num('recvQ', L('Recv-Q', 'Recv-Q'), L('Bytes received and not yet read by the application', '已收到但应用尚未读取的字节'), 6, 1, (r) => r.recvQ),
  num('sendQ', L('Send-Q', 'Send-Q'), L('Bytes sent or queued and not yet acknowledged', '已发送或排队、尚未被确认的字节'), 6, 1, (r) => r.sendQ),
  {
    id: 'timer', header: L('Timer', '定时器'), doc: L('The running timer and its time left (ss -o), /N: retries', '正在运行的定时器和剩余时间（ss -o），/N：重试次数'),
    width: 14, minWidth: 9, align: 'left', priority: 2, live: true,
    format: formatTimer,
    sortValue: (r, ctx) => timerLeftMs(r, ctx),
  },
  {
    id: 'rtt', header: L('RTT ms', 'RTT ms'), doc: L('Smoothed RTT / RTT variance in ms (RFC 6298)', '平滑 RTT / RTT 偏差，毫秒（RFC 6298）'),
    width: 9, minWidth: 6, align: 'right', priority: 2,
    format: formatRttCell, sortValue: (r) => (r.rtt === 0 && r.rttvar === 0 ? null : r.rtt),
  },
  num('cwnd', L('cwnd', 'cwnd'), L('Congestion window in segments', '拥塞窗口（报文段数）'), 5, 3, (r) => r.cwnd),
  num('rto', L('RTO', 'RTO'), L('Retransmission timeout', '重传超时'), 6, 4, (r) => r.rto, formatMs),
  num('retrans', L('Retr', '重传'), L('Retransmissions of the oldest unacknowledged segment (tcpi_retransmits)', '最早未确认报文段的重传次数（tcpi_retransmits）'), 5, 4, (r) => r.retransmits),
  num('mss', L('MSS', 'MSS'), L('Maximum segment size we send', '我们发送的最大报文段长度'), 5, 5, (r) => r.mss),
  num('ssthresh', L('ssthresh', 'ssthresh'), L('Slow-start threshold in segments (empty: infinite)', '慢启动阈值（报文段数，空：无穷大）'), 8, 6, (r) => r.ssthresh),
  {
    id: 'wscale', header: L('wscale', 'wscale'), doc: L('Window scale: send,receive (RFC 7323)', '窗口缩放：发送,接收（RFC 7323）'),
    width: 6, minWidth: 5, align: 'right', priority: 6,
    format: (r) => (r.sndWscale === null || r.rcvWscale === null ? '' : `${r.sndWscale},${r.rcvWscale}`),
    sortValue: (r) => r.sndWscale,
  },
  num('sndWnd', L('snd_wnd', 'snd_wnd'), L('The peer\'s advertised window, bytes', '对端通告的窗口（字节）'), 8, 5, (r) => r.sndWnd, formatBytes),
  num('rcvWnd', L('rcv_wnd', 'rcv_wnd'), L('The window we advertise, bytes', '我们通告的窗口（字节）'), 8, 5, (r) => r.rcvWnd, formatBytes),
  num('sndUna', L('snd_una', 'snd_una'), L('Oldest unacknowledged sequence number', '最早未确认的序号'), 10, 7, (r) => r.sndUna),
  num('sndNxt', L('snd_nxt', 'snd_nxt'), L('Next sequence number to send', '下一个要发送的序号'), 10, 7, (r) => r.sndNxt),
  num('rcvNxt', L('rcv_nxt', 'rcv_nxt'), L('Next sequence number expected', '期望收到的下一个序号'), 10, 7, (r) => r.rcvNxt),
  num('iss', L('ISS', 'ISS'), L('Our initial sequence number (RFC 6528)', '我方初始序号（RFC 6528）'), 10, 7, (r) => r.iss),
  num('irs', L('IRS', 'IRS'), L('The peer\'s initial sequence number', '对方初始序号'), 10, 7, (r) => r.irs),
  {
    id: 'responder', header: L('App', '应用'), doc: L('Who reads and writes: a responder (echo, http, ...), manual; queued: still in the accept queue; orphan: closed by the user, finishing', '谁在读写：响应器（echo、http 等）或手动；排队中：还在 accept 队列；孤儿：用户已关闭，正在收尾'),
    width: 7, minWidth: 4, align: 'left', priority: 5,
    format: (r, ctx) => (r.orphan ? t(ctx.lang, 'conn.orphan') : r.responder ?? (r.accepted ? '' : t(ctx.lang, 'conn.queued'))),
    sortValue: (r) => r.responder ?? '',
  },
  num('id', L('#', '#'), L('Connection id in the lab', '实验中的连接编号'), 5, 5, (r) => r.id),
];

/** The netstat set, in order. */
export const DEFAULT_CONNECTION_COLUMN_IDS = ['proto', 'local', 'remote', 'state', 'recvQ', 'sendQ', 'timer', 'rtt', 'cwnd'] as const;

/** Every cell of `row` for the given columns, as text (not padded). */
export function connectionCells(row: ConnectionRow, columns: readonly Col[], ctx: ViewContext): string[] {
  return columns.map((c) => c.format(row, ctx));
}
