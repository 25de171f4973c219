// The listeners table (ss -ltn with the queues spelled out) over ListenerViews (gauges.ts).
import type { ColumnDef } from './columns.ts';
import type { ListenerView } from './gauges.ts';
import { t, type LocalText } from './i18n.ts';

const L = (en: string, zh: string): LocalText => ({ en, zh });

type Col = ColumnDef<ListenerView>;

export const LISTENER_COLUMNS: readonly Col[] = [
  {
    id: 'local', header: L('Local Address', '本地地址'), doc: L('Where the listener listens', '监听的地址和端口'),
    width: 21, minWidth: 15, align: 'left', priority: 0, format: (l) => l.endpoint, sortValue: (l) => l.port,
  },
  {
    id: 'app', header: L('App', '应用'), doc: L('The responder that serves accepted connections', '处理已接受连接的响应器'),
    width: 8, minWidth: 5, align: 'left', priority: 1, format: (l) => l.responder, sortValue: (l) => l.responder,
  },
  {
    id: 'syn', header: L('SYN queue', 'SYN 队列'), doc: L('Half-open connections / limit (tcp_max_syn_backlog)', '半连接数 / 上限（tcp_max_syn_backlog）'),
    width: 11, minWidth: 7, align: 'right', priority: 0, format: (l) => l.syn.text, sortValue: (l) => l.syn.ratio,
    role: (l) => l.syn.role,
  },
  {
    id: 'accept', header: L('Accept queue', 'accept 队列'), doc: L('Connections waiting for accept / backlog (min with somaxconn)', '等待 accept 的连接 / backlog（与 somaxconn 取小）'),
    width: 12, minWidth: 7, align: 'right', priority: 0, format: (l) => l.accept.text, sortValue: (l) => l.accept.ratio,
    role: (l) => l.accept.role,
  },
  {
    id: 'drops', header: L('Drops', '丢弃'), doc: L('SYN queue drops + accept queue overflows', 'SYN 队列丢弃 + accept 队列溢出'),
    width: 6, minWidth: 5, align: 'right', priority: 1, format: (l) => String(l.synDrops + l.acceptDrops),
    sortValue: (l) => l.synDrops + l.acceptDrops, role: (l) => (l.synDrops + l.acceptDrops > 0 ? 'warn' : null),
  },
  {
    id: 'cookies', header: L('Cookies', 'Cookies'), doc: L('SYN cookies sent/received/failed', 'SYN cookie 发送/接收/失败'),
    width: 9, minWidth: 7, align: 'right', priority: 2, format: (l) => l.cookiesText, sortValue: (l) => l.cookies.sent,
  },
  {
    id: 'paused', header: L('Accepting', 'Accept'), doc: L('Whether the lab takes connections from the accept queue', '实验是否从 accept 队列取连接'),
    width: 9, minWidth: 6, align: 'left', priority: 1,
    format: (l, ctx) => t(ctx.lang, l.paused ? 'listeners.paused' : 'listeners.accepting'), sortValue: (l) => (l.paused ? 1 : 0), role: (l) => (l.paused ? 'warn' : null),
  },
];
