// Counters grouped as `netstat -s` / nstat group them (Tcp, TcpExt, Ip, Icmp), with deltas and
// a short explanation of each in both languages. Names stay Linux's.
import type { LocalText } from './i18n.ts';

export const COUNTER_GROUP_IDS = ['Tcp', 'TcpExt', 'Ip', 'Icmp', 'Other'] as const;
export type CounterGroupId = (typeof COUNTER_GROUP_IDS)[number];

const L = (en: string, zh: string): LocalText => ({ en, zh });

/** Group and meaning of the counters the lab knows; others fall into TcpExt (TCP*, Syncookies*) or Other. */
export const COUNTER_INFO: Record<string, { group: CounterGroupId; doc: LocalText }> = {
  ActiveOpens: { group: 'Tcp', doc: L('active connection openings', '主动打开的连接') },
  PassiveOpens: { group: 'Tcp', doc: L('passive connection openings', '被动打开的连接') },
  AttemptFails: { group: 'Tcp', doc: L('failed connection attempts', '失败的连接尝试') },
  EstabResets: { group: 'Tcp', doc: L('connection resets received in ESTABLISHED or CLOSE-WAIT', '在 ESTABLISHED 或 CLOSE-WAIT 中被重置的连接') },
  CurrEstab: { group: 'Tcp', doc: L('connections established now', '当前已建立的连接') },
  InSegs: { group: 'Tcp', doc: L('segments received', '收到的报文段') },
  OutSegs: { group: 'Tcp', doc: L('segments sent', '发出的报文段') },
  RetransSegs: { group: 'Tcp', doc: L('segments retransmitted', '重传的报文段') },
  InErrs: { group: 'Tcp', doc: L('bad segments received', '收到的错误报文段') },
  OutRsts: { group: 'Tcp', doc: L('resets sent', '发出的 RST') },
  InCsumErrors: { group: 'Tcp', doc: L('segments with a bad checksum', '校验和错误的报文段') },
  ListenOverflows: { group: 'TcpExt', doc: L('times the accept queue of a listener overflowed', '监听的 accept 队列溢出的次数') },
  ListenDrops: { group: 'TcpExt', doc: L('SYNs to LISTEN sockets dropped', '被丢弃的发往监听套接字的 SYN') },
  SyncookiesSent: { group: 'TcpExt', doc: L('SYN cookies sent', '发出的 SYN cookie') },
  SyncookiesRecv: { group: 'TcpExt', doc: L('SYN cookies received', '收到的 SYN cookie') },
  SyncookiesFailed: { group: 'TcpExt', doc: L('invalid SYN cookies received', '收到的无效 SYN cookie') },
  TCPReqQFullDoCookies: { group: 'TcpExt', doc: L('SYN queue full: answered with a cookie', 'SYN 队列满：用 cookie 回应') },
  TCPReqQFullDrop: { group: 'TcpExt', doc: L('SYN queue full: SYN dropped', 'SYN 队列满：丢弃 SYN') },
  TCPTimeouts: { group: 'TcpExt', doc: L('retransmission timeouts', '重传超时') },
  DelayedACKs: { group: 'TcpExt', doc: L('delayed ACKs sent', '发出的延迟 ACK') },
  TCPChallengeACK: { group: 'TcpExt', doc: L('challenge ACKs sent (RFC 5961)', '发出的挑战 ACK（RFC 5961）') },
  TCPSYNChallenge: { group: 'TcpExt', doc: L('challenge ACKs for a SYN in a synchronized state', '对已同步状态中的 SYN 发出的挑战 ACK') },
  TCPAbortOnData: { group: 'TcpExt', doc: L('connections reset because data came after close', '关闭后收到数据而重置的连接') },
  TCPAbortOnClose: { group: 'TcpExt', doc: L('connections reset on close with unread data', '关闭时仍有未读数据而重置的连接') },
  TCPAbortOnTimeout: { group: 'TcpExt', doc: L('connections aborted after too many retransmissions', '重传次数过多而中止的连接') },
  TCPKeepAliveTimeouts: { group: 'TcpExt', doc: L('connections ended by keepalive', '因保活探测失败而结束的连接') },
  TCPWinProbe: { group: 'TcpExt', doc: L('zero-window probes sent', '发出的零窗口探测') },
  TCPFastRetrans: { group: 'TcpExt', doc: L('fast retransmits', '快速重传') },
  TCPRenoRecovery: { group: 'TcpExt', doc: L('NewReno fast recoveries', 'NewReno 快速恢复') },
  TCPOFOQueue: { group: 'TcpExt', doc: L('segments queued out of order', '乱序排队的报文段') },
  TW: { group: 'TcpExt', doc: L('TIME-WAIT sockets finished', '结束的 TIME-WAIT 套接字') },
  TCPTimeWaitFinRetrans: { group: 'TcpExt', doc: L('retransmitted FINs re-ACKed in TIME-WAIT', '在 TIME-WAIT 中重新确认的重传 FIN') },
  EmbryonicRsts: { group: 'TcpExt', doc: L('resets received for half-open connections', '半连接收到的 RST') },
  InReceives: { group: 'Ip', doc: L('packets received', '收到的数据包') },
  InHdrErrors: { group: 'Ip', doc: L('packets with bad IP headers', 'IP 头错误的数据包') },
  InAddrErrors: { group: 'Ip', doc: L('packets for another address', '目的地址不是本机的数据包') },
  InUnknownProtos: { group: 'Ip', doc: L('packets of an unknown protocol', '未知协议的数据包') },
  InDelivers: { group: 'Ip', doc: L('packets delivered to TCP or ICMP', '交给 TCP 或 ICMP 的数据包') },
  OutRequests: { group: 'Ip', doc: L('packets sent', '发出的数据包') },
  ReasmReqds: { group: 'Ip', doc: L('fragments received', '收到的分片') },
  ReasmFails: { group: 'Ip', doc: L('fragments dropped (not reassembled)', '丢弃的分片（不重组）') },
  InMsgs: { group: 'Icmp', doc: L('ICMP messages received', '收到的 ICMP 消息') },
  InErrors: { group: 'Icmp', doc: L('bad ICMP messages received', '收到的错误 ICMP 消息') },
  InEchos: { group: 'Icmp', doc: L('echo requests received', '收到的回显请求') },
  OutEchoReps: { group: 'Icmp', doc: L('echo replies sent', '发出的回显应答') },
  InDestUnreachs: { group: 'Icmp', doc: L('destination unreachable received', '收到的目的不可达') },
  OutMsgs: { group: 'Icmp', doc: L('ICMP messages sent', '发出的 ICMP 消息') },
};

export function counterGroup(name: string): CounterGroupId {
  const known = COUNTER_INFO[name];
  if (known !== undefined) return known.group;
  if (name.startsWith('TCP') || name.startsWith('Syncookies') || name.startsWith('Listen') || name.startsWith('PAWS') || name.startsWith('TW')) return 'TcpExt';
  return 'Other';
}

export interface CounterRowView {
  name: string;
  value: number;
  delta: number;
  doc: LocalText | null;
}

export interface CounterGroupView {
  id: CounterGroupId;
  rows: CounterRowView[];
}

export interface CounterGroupOptions {
  /** Only counters that are not zero (or moved). */
  nonZero?: boolean;
  /** Keep counters whose name contains this (any case). */
  match?: string;
}

/**
 * Counters in netstat -s groups. Within a group, known counters keep the order above (the
 * order netstat prints them), unknown ones follow by name. Empty groups are left out.
 */
export function counterGroups(counters: Record<string, number>, deltas: Record<string, number> = {}, opts: CounterGroupOptions = {}): CounterGroupView[] {
  const order = Object.keys(COUNTER_INFO);
  const rank = (n: string): number => {
    const i = order.indexOf(n);
    return i < 0 ? order.length : i;
  };
  const match = opts.match?.toLowerCase();
  const names = Object.keys(counters)
    .filter((n) => !opts.nonZero || counters[n] !== 0 || (deltas[n] ?? 0) !== 0)
    .filter((n) => match === undefined || n.toLowerCase().includes(match))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return COUNTER_GROUP_IDS.map((id) => ({
    id,
    rows: names.filter((n) => counterGroup(n) === id).map((name) => ({
      name, value: counters[name], delta: deltas[name] ?? 0, doc: COUNTER_INFO[name]?.doc ?? null,
    })),
  })).filter((g) => g.rows.length > 0);
}

/** How each counter moved from `before` to `after` (only the ones that moved). */
export function counterDeltas(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}
