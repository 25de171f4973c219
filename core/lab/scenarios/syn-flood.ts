// syn-flood: a bounded SYN flood (hping3 -c 200, spoofed random sources, inside the lab's
// namespace only) against a lab listener. Without SYN cookies the SYN queue fills with requests
// that never complete and a real kernel client cannot connect; with tcp_syncookies=1 the lab
// answers the overflow with cookies and the real client gets through. The SYN-ACKs to the
// spoofed addresses go back into the namespace, whose kernel drops them (no forwarding).
import { defineScenario, watchCounter, watchKnob, watchListener, type ScenarioRun } from './framework.ts';
import { stepError, stepLine, toolOk } from './util.ts';

const BACKLOG = 16;
const FLOOD = 200;

/** 200 SYNs at 500 per second from random (spoofed) sources: bounded in count and time. */
function flood(s: ScenarioRun, port: number): Promise<string> {
  return s.kernel.synFlood(port, FLOOD, 2000);
}

function watchFor(s: ScenarioRun, listener: number, cookies: boolean): void {
  s.watch(
    watchListener(listener, 'synQueue', `The SYN queue fills to its limit (backlog ${BACKLOG}) with requests that never complete`, `半连接队列被永远不会完成的请求填满(上限为 backlog ${BACKLOG})`),
    watchListener(listener, 'halfOpen', 'Each spoofed request waits for an ACK that never comes, its SYN-ACK resent with backoff', '每个伪造的请求都在等待永远不会到来的 ACK,它的 SYN-ACK 按退避重发'),
    watchCounter('ListenDrops', 'SYNs dropped by the listener', '监听者丢弃的 SYN'),
    watchCounter(cookies ? 'SyncookiesSent' : 'TCPReqQFullDrop', cookies ? 'SYN-ACKs carrying a cookie instead of a queue entry' : 'SYNs dropped because the SYN queue is full',
      cookies ? '用 cookie 代替队列条目的 SYN-ACK' : '因半连接队列已满而丢弃的 SYN'),
    watchKnob('tcp_syncookies', cookies ? 'tcp_syncookies = 1: cookies when the SYN queue is full' : 'tcp_syncookies = 0: no cookies', cookies ? 'tcp_syncookies = 1:半连接队列满时使用 cookie' : 'tcp_syncookies = 0:不使用 cookie'),
  );
}

export const synFlood = defineScenario({
  name: 'syn-flood',
  title: 'SYN flood, with and without SYN cookies',
  titleZh: 'SYN 洪泛攻击,有无 SYN cookie 的对比',
  summary: `hping3 sends ${FLOOD} SYNs from spoofed addresses. Without cookies the SYN queue fills and a real client cannot connect; with tcp_syncookies=1 the overflow is answered with cookies and the real client gets through.`,
  summaryZh: `hping3 从伪造的地址发送 ${FLOOD} 个 SYN。没有 cookie 时半连接队列被占满,真实客户端无法连接;tcp_syncookies=1 时溢出的 SYN 用 cookie 应答,真实客户端可以连上。`,
  needs: 'kernel',
  tools: ['hping3'],
  explain: {
    en: [
      'What the teaching material says: a flood of SYNs from forged addresses makes the server keep many half-open connections (SYN_RCVD), each waiting about 63 s (five SYN-ACK resends), until the queue is full and real clients are refused. Defences: releasing idle half-open connections, delaying the allocation of the full TCB (SYN cache: a small hash-table entry per SYN), SYN cookies (no state at all: the server\'s ISN encodes the addresses, ports, a coarse time and the MSS, and is checked when the ACK returns), SYN proxies. Right in outline.',
      'Corrections and Linux details: the returning ACK is checked by its acknowledgement number minus 1 (that is the cookie, our ISN), not by its sequence number minus 1 as the article writes. Linux\'s cookie (tcp_syncookies=1, the default: cookies only when the SYN queue is full; 2: always) packs an MSS index into a 4-entry table (536, 1300, 1440, 1460) and a time counter that ticks every 60 s (TCP_SYNCOOKIE_PERIOD), valid for two periods; window scaling and SACK survive only when timestamps carry them. A Linux listener\'s SYN queue is already a compact structure (request sockets, a few hundred bytes, not a full socket), bounded by the listener\'s backlog (capped by somaxconn) and, without cookies, by tcp_max_syn_backlog (SYNs are dropped once less than a quarter of it is left); and while the SYN queue is more than half full of old requests, Linux drops them after 2 or 3 SYN-ACK resends instead of 5 (reqsk_timer_handler), as the lab does. Counters: ListenDrops, TCPReqQFullDrop (no cookies), TCPReqQFullDoCookies, SyncookiesSent, SyncookiesRecv, SyncookiesFailed.',
      'Safety: the flood is bounded (hping3 -c 200 at 500 per second) and runs inside the lab\'s network namespace; the SYN-ACKs to the forged addresses go back into that namespace and are dropped there.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:伪造源地址的大量 SYN 使服务器保持许多半开连接(SYN_RCVD),每个都要等待约 63 秒(五次 SYN-ACK 重发),直到队列被占满,真实客户端被拒绝。防御方法:监视并释放半开连接;延缓 TCB 分配(SYN Cache:每个 SYN 只占一个小的哈希表项);SYN Cookie(完全不保存状态:服务器的 ISN 编码了地址、端口、粗粒度时间和 MSS,在 ACK 返回时校验);SYN Proxy 防火墙。大体正确。',
      '更正与 Linux 细节:返回的 ACK 是用它的确认号减 1(也就是 cookie,我们的 ISN)来校验的,而不是文章写的序列号减 1。Linux 的 cookie(tcp_syncookies=1 为默认:仅在半连接队列满时使用;2:总是使用)把 MSS 编成一个 4 项表(536、1300、1440、1460)的下标,时间计数器每 60 秒加 1(TCP_SYNCOOKIE_PERIOD),有效期两个周期;只有在时间戳选项携带时,窗口缩放和 SACK 才能保留。Linux 监听者的半连接队列本身已经是紧凑结构(request sock,几百字节,而不是完整的套接字),上限是监听者的 backlog(受 somaxconn 限制),没有 cookie 时还受 tcp_max_syn_backlog 限制(剩余不足四分之一时丢弃 SYN);当半连接队列有一半以上被旧请求占据时,Linux 在重发 2 到 3 次 SYN-ACK(而不是 5 次)之后就丢弃它们(reqsk_timer_handler),实验室也是如此。计数器:ListenDrops、TCPReqQFullDrop(无 cookie)、TCPReqQFullDoCookies、SyncookiesSent、SyncookiesRecv、SyncookiesFailed。',
      '安全:洪泛是有界的(hping3 -c 200,每秒 500 个),并且只在实验室的网络命名空间内运行;发往伪造地址的 SYN-ACK 回到该命名空间并在那里被丢弃。',
    ].join('\n\n'),
  },
  async run(s) {
    const cookiesKnob = s.hasKnob('tcp_syncookies');
    // ---- part 1: no cookies ------------------------------------------------------------------
    if (cookiesKnob) s.setKnob('tcp_syncookies', 0);
    const l1 = s.listen(7801, { backlog: BACKLOG, responder: 'echo' });
    watchFor(s, l1, false);
    s.step(`Part 1: no SYN cookies. ${FLOOD} spoofed SYNs to ${s.labAddr}:7801 (backlog ${BACKLOG}), then a real kernel client tries to connect (3 s)`,
      `第 1 部分:不使用 SYN cookie。向 ${s.labAddr}:7801(backlog ${BACKLOG})发送 ${FLOOD} 个伪造的 SYN,然后真实的内核客户端尝试连接(3 秒)`);
    const drops0 = s.counter('ListenDrops');
    const sent1 = await flood(s, 7801);
    const q1 = s.listenerRow(l1);
    s.check('the flood filled the SYN queue', '洪泛填满了半连接队列', `${BACKLOG} half-open requests`,
      `${q1?.synQueue ?? '?'} of ${q1?.synQueueLimit ?? '?'} (${sent1})`, q1 !== null && q1.synQueue >= Math.min(BACKLOG, q1.synQueueLimit));
    s.check('the rest of the flood was dropped (ListenDrops)', '其余的洪泛 SYN 被丢弃(ListenDrops)', `>= ${FLOOD - BACKLOG - 20}`,
      String(s.counter('ListenDrops') - drops0), s.counter('ListenDrops') - drops0 >= FLOOD - BACKLOG - 20);
    const c1 = await s.kernel.tool(['timeout=3', `connect=${s.labAddr}:7801`, 'send=hello\\n', 'recv', 'close'], 10_000).done;
    const err1 = stepError(c1.lines, 'connect');
    s.check('a real client cannot connect (its SYNs are dropped too)', '真实客户端无法连接(它的 SYN 也被丢弃)', 'ETIMEDOUT', err1 ?? 'connected', err1 === 'ETIMEDOUT');

    // ---- part 2: cookies -----------------------------------------------------------------------
    s.step('Part 2: tcp_syncookies = 1. The same flood against a new listener on 7802, then the real client', '第 2 部分:tcp_syncookies = 1。对 7802 上的新监听者进行同样的洪泛,然后是真实客户端');
    if (!cookiesKnob) {
      s.check('SYN cookies are available', 'SYN cookie 可用', 'the tcp_syncookies knob', 'this stack has no tcp_syncookies knob yet (issue 3: listen queues and SYN cookies)', false);
      return;
    }
    s.setKnob('tcp_syncookies', 1);
    const l2 = s.listen(7802, { backlog: BACKLOG, responder: 'echo' });
    watchFor(s, l2, true);
    const sent0 = s.counter('SyncookiesSent');
    const recv0 = s.counter('SyncookiesRecv');
    const sent2 = await flood(s, 7802);
    s.check('the overflow was answered with cookies (SyncookiesSent)', '溢出的 SYN 用 cookie 应答(SyncookiesSent)', `>= ${FLOOD - BACKLOG - 20}`,
      `${s.counter('SyncookiesSent') - sent0} (${sent2})`, s.counter('SyncookiesSent') - sent0 >= FLOOD - BACKLOG - 20);
    const c2 = await s.kernel.tool(['timeout=3', `connect=${s.labAddr}:7802`, 'send=hello\\n', 'recv', 'close'], 10_000).done;
    const echo = stepLine(c2.lines, 'recv');
    s.check('the real client connects and gets its echo', '真实客户端连上并收到回显', '"hello"',
      typeof echo?.text === 'string' ? JSON.stringify(echo.text.trim()) : toolOk(c2), typeof echo?.text === 'string' && echo.text.includes('hello'));
    s.check('its ACK carried a valid cookie (SyncookiesRecv)', '它的 ACK 携带了有效的 cookie(SyncookiesRecv)', '>= 1',
      String(s.counter('SyncookiesRecv') - recv0), s.counter('SyncookiesRecv') - recv0 >= 1);
  },
});
