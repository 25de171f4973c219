// Labels, help and messages of the lab's UIs in English and Simplified Chinese. RFC state names
// ('ESTABLISHED', 'TIME-WAIT', ...), Linux counter and sysctl names and tcpdump flags are never
// translated: they are what the student will meet in RFCs, `ss` and `netstat -s`.

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** A text in every language (column headers, group titles). */
export interface LocalText {
  en: string;
  zh: string;
}

const en = {
  // --- general
  'app.title': 'tcplab',
  'app.simulated': 'simulated wire',
  'app.device': 'TUN {device}',
  'app.attached': 'attached to {target}',
  'app.hosted': 'own lab',
  'app.connecting': 'connecting to the lab…',
  'app.disconnected': 'the lab went away: {reason}',
  'app.missed': 'missed {n} events (the view caught up)',
  'app.quitHint': 'q quit · ? help',
  // --- panes
  'pane.connections': 'Connections',
  'pane.listeners': 'Listeners',
  'pane.detail': 'Connection',
  'pane.timeline': 'Timeline',
  'pane.ladder': 'Segments',
  'pane.buffers': 'Buffers',
  'pane.timers': 'Timers',
  'pane.counters': 'Counters',
  'pane.knobs': 'Knobs',
  'pane.trace': 'Trace',
  'pane.faults': 'Faults',
  'pane.help': 'Help',
  // --- tables
  'table.rows': '{shown} of {total}',
  'table.empty': 'no connections',
  'table.emptyFiltered': 'no connection matches "{filter}"',
  'table.sortedBy': 'sorted by {column} {dir}',
  'table.filter': 'filter',
  'conn.queued': 'queued',
  'conn.orphan': 'orphan',
  'listeners.empty': 'no listeners (press l to listen on a port)',
  'listeners.paused': 'paused',
  'listeners.accepting': 'accepting',
  'detail.none': 'select a connection (↑/↓) to see its timeline, segments, buffers and timers',
  'detail.gone': 'connection {id} has gone',
  'ladder.empty': 'no segments recorded',
  'ladder.relative': 'relative sequence numbers',
  'ladder.absolute': 'absolute sequence numbers',
  'timeline.empty': 'no state changes recorded',
  'timeline.now': 'now',
  'trace.empty': 'no events yet',
  'trace.paused': 'trace paused',
  'counters.empty': 'no counters',
  'counters.delta': 'Δ',
  'knobs.empty': 'no knobs',
  'knobs.changed': 'changed',
  'faults.none': 'no fault rules',
  'faults.random': 'random faults: {spec}',
  'pcap.on': 'pcap recording: {packets} packets, {bytes}',
  'pcap.off': 'pcap off',
  // --- gauges
  'gauge.synQueue': 'SYN queue',
  'gauge.acceptQueue': 'accept queue',
  'gauge.drops': 'drops',
  'gauge.cookies': 'cookies sent/recv/failed',
  'gauge.sendBuffer': 'send buffer',
  'gauge.recvBuffer': 'receive buffer',
  'gauge.inFlight': 'in flight',
  'gauge.sendWindow': 'peer window',
  'gauge.cwnd': 'cwnd',
  'gauge.halfOpen': 'half-open',
  // --- timers
  'timer.retransmit': 'retransmit',
  'timer.delack': 'delayed ACK',
  'timer.persist': 'persist',
  'timer.keepalive': 'keepalive',
  'timer.time-wait': 'TIME-WAIT',
  'timer.fin-wait-2': 'FIN-WAIT-2',
  'timer.syn-ack': 'SYN-ACK',
  'timer.off': 'off',
  'timer.expired': 'due',
  'timer.retries': 'retries {n}',
  // --- directions and causes
  'dir.in': 'in',
  'dir.out': 'out',
  'cause.segment': 'segment',
  'cause.timer': 'timer',
  'cause.user': 'user',
  'cause.other': 'lab',
  // --- counter groups
  'group.Tcp': 'Tcp',
  'group.TcpExt': 'TcpExt',
  'group.Ip': 'Ip',
  'group.Icmp': 'Icmp',
  'group.Other': 'Other',
  // --- prompts
  'prompt.filter': 'filter (text, state:ESTABLISHED, port:80, !state:TIME-WAIT): ',
  'prompt.listen': 'listen: PORT [BACKLOG] [echo|discard|http|chargen|manual]: ',
  'prompt.connect': 'connect: ADDR PORT [echo|discard|http|chargen|manual]: ',
  'prompt.send': 'send a line on {conn}: ',
  'prompt.knob': 'set {name} = ',
  'prompt.knobName': 'knob name: ',
  'prompt.fault': 'fault rule (JSON or "drop in S." style): ',
  'prompt.faultRemove': 'remove fault rule id: ',
  'prompt.confirmReset': 'send RST on {conn}? (y/n) ',
  'prompt.cancelHint': 'Enter to confirm, Esc to cancel',
  // --- action results
  'result.closed': 'close {conn}: FIN queued',
  'result.reset': 'RST sent on {conn}',
  'result.resetCancelled': 'RST cancelled',
  'result.shutdown': 'shutdown {conn}: half-closed (FIN after queued data, still receiving)',
  'result.listening': 'listening on port {port} ({responder}), listener {listener}',
  'result.unlistened': 'listener {listener} closed',
  'result.connecting': 'connecting to {addr}:{port}: connection {conn}',
  'result.sent': 'sent {n} bytes on {conn}',
  'result.paused': 'listener {listener}: accepting paused (the accept queue will fill)',
  'result.resumed': 'listener {listener}: accepting resumed',
  'result.knob': '{name} = {value}',
  'result.faultAdded': 'fault rule {id} added',
  'result.faultRemoved': 'fault rule {id} removed',
  'result.pcapStarted': 'pcap recording started',
  'result.pcapStopped': 'pcap stopped: {packets} packets, {bytes} bytes',
  'result.historyCleared': 'history cleared',
  'result.error': '{action} failed: {message}',
  'result.noSelection': 'select a connection first',
  'result.noListener': 'select a listener first (Tab to the listeners pane)',
  'result.badInput': '{message}',
  // --- knob input
  'knob.unknown': 'no knob named {name}',
  'knob.empty': '{name}: type a value',
  'knob.notInteger': '{name} must be an integer',
  'knob.min': '{name} must be at least {min}{unit}',
  'knob.max': '{name} must be at most {max}{unit}',
  'knob.choices': '{name} must be one of: {choices}',
  'knob.range': 'range {range}',
  'knob.default': 'default {value}',
  // --- help
  'help.title': 'Keys',
  'help.close': 'any key closes this help',
} as const;

export type StringKey = keyof typeof en;

const zh: Record<StringKey, string> = {
  'app.title': 'tcplab',
  'app.simulated': '模拟线路',
  'app.device': 'TUN {device}',
  'app.attached': '已连接到 {target}',
  'app.hosted': '本地实验',
  'app.connecting': '正在连接实验…',
  'app.disconnected': '实验已断开：{reason}',
  'app.missed': '丢失了 {n} 个事件（视图已同步到最新）',
  'app.quitHint': 'q 退出 · ? 帮助',
  'pane.connections': '连接',
  'pane.listeners': '监听',
  'pane.detail': '连接详情',
  'pane.timeline': '状态时间线',
  'pane.ladder': '报文段',
  'pane.buffers': '缓冲区',
  'pane.timers': '定时器',
  'pane.counters': '计数器',
  'pane.knobs': '参数',
  'pane.trace': '跟踪',
  'pane.faults': '故障注入',
  'pane.help': '帮助',
  'table.rows': '{shown} / {total}',
  'table.empty': '没有连接',
  'table.emptyFiltered': '没有连接匹配 "{filter}"',
  'table.sortedBy': '按 {column} {dir} 排序',
  'table.filter': '过滤',
  'conn.queued': '排队中',
  'conn.orphan': '孤儿',
  'listeners.empty': '没有监听（按 l 在端口上监听）',
  'listeners.paused': '已暂停',
  'listeners.accepting': '正在 accept',
  'detail.none': '用 ↑/↓ 选择一个连接，查看它的时间线、报文段、缓冲区和定时器',
  'detail.gone': '连接 {id} 已不存在',
  'ladder.empty': '没有记录到报文段',
  'ladder.relative': '相对序号',
  'ladder.absolute': '绝对序号',
  'timeline.empty': '没有记录到状态变化',
  'timeline.now': '现在',
  'trace.empty': '还没有事件',
  'trace.paused': '跟踪已暂停',
  'counters.empty': '没有计数器',
  'counters.delta': 'Δ',
  'knobs.empty': '没有参数',
  'knobs.changed': '已修改',
  'faults.none': '没有故障规则',
  'faults.random': '随机故障：{spec}',
  'pcap.on': 'pcap 抓包中：{packets} 个包，{bytes}',
  'pcap.off': 'pcap 未开启',
  'gauge.synQueue': 'SYN 队列',
  'gauge.acceptQueue': 'accept 队列',
  'gauge.drops': '丢弃',
  'gauge.cookies': 'cookie 发送/接收/失败',
  'gauge.sendBuffer': '发送缓冲区',
  'gauge.recvBuffer': '接收缓冲区',
  'gauge.inFlight': '在途数据',
  'gauge.sendWindow': '对端窗口',
  'gauge.cwnd': '拥塞窗口',
  'gauge.halfOpen': '半连接',
  'timer.retransmit': '重传',
  'timer.delack': '延迟 ACK',
  'timer.persist': '坚持',
  'timer.keepalive': '保活',
  'timer.time-wait': 'TIME-WAIT',
  'timer.fin-wait-2': 'FIN-WAIT-2',
  'timer.syn-ack': 'SYN-ACK',
  'timer.off': '未启动',
  'timer.expired': '到期',
  'timer.retries': '重试 {n} 次',
  'dir.in': '收',
  'dir.out': '发',
  'cause.segment': '报文段',
  'cause.timer': '定时器',
  'cause.user': '用户',
  'cause.other': '实验',
  'group.Tcp': 'Tcp',
  'group.TcpExt': 'TcpExt',
  'group.Ip': 'Ip',
  'group.Icmp': 'Icmp',
  'group.Other': '其他',
  'prompt.filter': '过滤（文本、state:ESTABLISHED、port:80、!state:TIME-WAIT）：',
  'prompt.listen': '监听：端口 [backlog] [echo|discard|http|chargen|manual]：',
  'prompt.connect': '连接：地址 端口 [echo|discard|http|chargen|manual]：',
  'prompt.send': '在连接 {conn} 上发送一行：',
  'prompt.knob': '设置 {name} = ',
  'prompt.knobName': '参数名：',
  'prompt.fault': '故障规则（JSON 或 "drop in S." 形式）：',
  'prompt.faultRemove': '删除故障规则 id：',
  'prompt.confirmReset': '在连接 {conn} 上发送 RST？(y/n) ',
  'prompt.cancelHint': '回车确认，Esc 取消',
  'result.closed': '关闭 {conn}：FIN 已排队',
  'result.reset': '已在 {conn} 上发送 RST',
  'result.resetCancelled': '已取消 RST',
  'result.shutdown': 'shutdown {conn}：半关闭（排队数据发完后发 FIN，仍可接收）',
  'result.listening': '正在监听端口 {port}（{responder}），监听 {listener}',
  'result.unlistened': '监听 {listener} 已关闭',
  'result.connecting': '正在连接 {addr}:{port}：连接 {conn}',
  'result.sent': '在 {conn} 上发送了 {n} 字节',
  'result.paused': '监听 {listener}：暂停 accept（accept 队列将被填满）',
  'result.resumed': '监听 {listener}：恢复 accept',
  'result.knob': '{name} = {value}',
  'result.faultAdded': '已添加故障规则 {id}',
  'result.faultRemoved': '已删除故障规则 {id}',
  'result.pcapStarted': '开始 pcap 抓包',
  'result.pcapStopped': 'pcap 已停止：{packets} 个包，{bytes} 字节',
  'result.historyCleared': '历史已清除',
  'result.error': '{action} 失败：{message}',
  'result.noSelection': '请先选择一个连接',
  'result.noListener': '请先选择一个监听（Tab 切换到监听面板）',
  'result.badInput': '{message}',
  'knob.unknown': '没有名为 {name} 的参数',
  'knob.empty': '{name}：请输入一个值',
  'knob.notInteger': '{name} 必须是整数',
  'knob.min': '{name} 不能小于 {min}{unit}',
  'knob.max': '{name} 不能大于 {max}{unit}',
  'knob.choices': '{name} 必须是以下之一：{choices}',
  'knob.range': '范围 {range}',
  'knob.default': '默认 {value}',
  'help.title': '按键',
  'help.close': '按任意键关闭帮助',
};

const TABLES: Record<Lang, Record<StringKey, string>> = { en, zh };

export type Params = Record<string, string | number>;

function fill(template: string, params: Params | undefined): string {
  if (params === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : m));
}

/** The string `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function t(lang: Lang, key: StringKey, params?: Params): string {
  return fill(TABLES[lang][key], params);
}

/** A LocalText in `lang`. */
export function local(lang: Lang, text: LocalText): string {
  return text[lang];
}

export function isLang(x: unknown): x is Lang {
  return typeof x === 'string' && (LANGS as readonly string[]).includes(x);
}

/**
 * The language from a `--lang` value or the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE):
 * Chinese when it starts with 'zh', English otherwise.
 */
export function pickLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  const norm = (s: string): Lang => (s.toLowerCase().startsWith('zh') ? 'zh' : 'en');
  if (flag !== undefined && flag !== '') return norm(flag);
  for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE']) {
    const v = env[k];
    if (v !== undefined && v !== '' && v !== 'C' && v !== 'POSIX') return norm(v);
  }
  return 'en';
}

/** Every key (for tests that both tables are complete). */
export const STRING_KEYS = Object.keys(en) as StringKey[];
