// keepalive: an idle lab connection with SO_KEEPALIVE (TCP_KEEPIDLE 2 s, TCP_KEEPINTVL 1 s,
// TCP_KEEPCNT 3) is probed; the kernel answers the probes. Then a fault rule silences the kernel:
// three probes go unanswered and the connection is dropped (ETIMEDOUT, an RST to the peer).
import type { SegmentEvent } from '../../api/events.ts';
import { defineScenario, watchConn, watchCounter, watchFault } from './framework.ts';
import { gaps, ms } from './observe.ts';
import { toolOk } from './util.ts';

const KERNEL_PORT = 7952;
const IDLE = 2;
const INTVL = 1;
const CNT = 3;

export const keepalive = defineScenario({
  name: 'keepalive',
  title: 'Keepalive: probes of an idle connection, and a dead peer dropped',
  titleZh: '保活:探测空闲连接,以及丢弃失联的对端',
  summary: `An idle connection with keepalive (idle ${IDLE} s, interval ${INTVL} s, ${CNT} probes) is probed and the kernel answers; then the kernel is silenced by a fault rule and the connection is dropped after ${CNT} unanswered probes.`,
  summaryZh: `一个开启保活(空闲 ${IDLE} 秒、间隔 ${INTVL} 秒、${CNT} 次探测)的空闲连接被探测,内核作出应答;随后用故障规则让内核沉默,${CNT} 次探测无应答后连接被丢弃。`,
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: nothing about TCP keepalive; where it says a connection is "kept" (one article, on HTTP/1.1), that is HTTP keep-alive: reusing one connection for several requests, an application-level agreement that sends no probes at all. Do not confuse the two.',
      'TCP keepalive (RFC 1122 4.2.3.6, optional, off by default, at least two hours): after the connection has been idle for tcp_keepalive_time, TCP sends a probe, an ACK with a sequence number one below SND.UNA, which the peer must answer with an ACK; if unanswered, it repeats every tcp_keepalive_intvl; after tcp_keepalive_probes unanswered probes the connection is reset (the application sees ETIMEDOUT). Linux defaults: 7200 s, 75 s, 9 probes. Many texts (and Windows) say 10 probes; Linux sends 9. A program sets them per socket: SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT; here 2 s, 1 s and 3, so the lesson takes seconds instead of hours. The lab\'s defaults are Linux\'s (knobs tcp_keepalive_*).',
      'A peer that answers keeps the connection alive forever: each answered probe restarts the idle time, so the probes come every 2 s (tcp_keepalive_time), not every interval.',
      'With lab time scaled (time control), remember the kernel is not: Linux answers a probe, which is an out-of-window segment, at most once per 500 ms of real time (tcp_invalid_ratelimit). Run this lesson faster than x4 and the kernel stays silent for some probes, as a rate-limited peer would.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:没有讲 TCP 保活;文中说连接"一直保持"的地方(一篇讲 HTTP/1.1 的文章)指的是 HTTP keep-alive:在一个连接上发送多个请求,是应用层的约定,根本不发送探测报文。两者不要混淆。',
      'TCP 保活(RFC 1122 4.2.3.6,可选,默认关闭,至少两小时):连接空闲 tcp_keepalive_time 之后,TCP 发送一个探测报文,即序号比 SND.UNA 小 1 的 ACK,对端必须以 ACK 应答;若无应答,每隔 tcp_keepalive_intvl 重复一次;连续 tcp_keepalive_probes 次无应答后重置连接(应用程序看到 ETIMEDOUT)。Linux 默认值:7200 秒、75 秒、9 次。很多资料(以及 Windows)说是 10 次;Linux 发送 9 次。程序可以按套接字设置:SO_KEEPALIVE、TCP_KEEPIDLE、TCP_KEEPINTVL、TCP_KEEPCNT;这里设为 2 秒、1 秒和 3 次,让这一课只需几秒而不是几小时。实验室的默认值与 Linux 相同(旋钮 tcp_keepalive_*)。',
      '对端只要应答,连接就会一直保持:每次探测得到应答都会重新开始计算空闲时间,所以探测每 2 秒(tcp_keepalive_time)一次,而不是每个间隔一次。',
      '如果用时间控制加快了实验室时间,要记住内核并没有加快:Linux 对探测报文(一个窗口外的报文)每 500 毫秒真实时间最多应答一次(tcp_invalid_ratelimit)。以超过 4 倍的速度运行这一课,内核就会对某些探测保持沉默,就像一个被限速的对端。',
    ].join('\n\n'),
  },
  async run(s) {
    s.step(`The lab connects to a kernel server on ${s.kernelAddr}:${KERNEL_PORT} with SO_KEEPALIVE, TCP_KEEPIDLE ${IDLE}, TCP_KEEPINTVL ${INTVL}, TCP_KEEPCNT ${CNT}; nobody sends anything`,
      `实验室以 SO_KEEPALIVE、TCP_KEEPIDLE ${IDLE}、TCP_KEEPINTVL ${INTVL}、TCP_KEEPCNT ${CNT} 连接 ${s.kernelAddr}:${KERNEL_PORT} 上的内核服务器;双方都不发送任何数据`);
    const server = s.kernel.tool(['timeout=30', `listen=${KERNEL_PORT}`, 'accept', 'recv'], 40_000);
    if ((await server.line((l) => l.step === 'listen')) === null) {
      s.check('the kernel server started', '内核服务器启动了', 'listening', toolOk(await server.done), false);
      return;
    }
    const conn = s.connect(KERNEL_PORT, { socket: { keepalive: true, keepIdle: IDLE, keepIntvl: INTVL, keepCnt: CNT } });
    await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 3000);
    const iss = s.seen.segments(conn).find((e) => e.dir === 'out' && e.segment.flags === 'S')?.segment.seq;
    const isProbe = (e: SegmentEvent): boolean => e.dir === 'out' && e.segment.flags === '.' && e.segment.len === 0 && e.segment.seq === iss;
    s.watch(
      watchConn(conn, 'timer', `The keepalive timer: ${IDLE} s of idleness, then a probe`, `保活定时器:空闲 ${IDLE} 秒后发出探测`),
      watchCounter('TCPKeepAliveTimeouts', 'Connections dropped by keepalive', '因保活而被丢弃的连接'),
    );
    // ---- part 1: answered -------------------------------------------------------------------
    const answerTo = (p: SegmentEvent): SegmentEvent | undefined => s.seen.segments(conn).find((e) => e.dir === 'in' && e.seq > p.seq && e.segment.flags === '.');
    // Until the second probe is answered (a third cannot come before IDLE s more).
    await s.until(() => {
      const p = s.seen.segments(conn).filter(isProbe);
      return p.length >= 2 && answerTo(p[1]) !== undefined;
    }, IDLE * 1000 * 2 + 3000);
    const segs = s.seen.segments(conn);
    const answered = segs.filter(isProbe);
    const acks = answered.map(answerTo);
    // RFC 1122 4.2.3.6 / Linux: idle counts from the last segment received (the handshake's
    // SYN-ACK, then the answer to the probe before). Not sooner; up to 500 ms late on a busy machine.
    const idleBefore = answered.map((p) => p.at - (segs.filter((e) => e.dir === 'in' && e.seq < p.seq).at(-1)?.at ?? -Infinity));
    s.check(`probes every ${IDLE} s while the kernel answers`, `内核应答时每 ${IDLE} 秒探测一次`, `2 probes (seq = SND.UNA - 1 = ${iss ?? '?'}), each after ${IDLE} s without receiving anything, each ACKed`,
      `${answered.length} probes after ${idleBefore.map(ms).join(', ')} idle, ${acks.filter((a) => a !== undefined).length} ACKed`,
      answered.length === 2 && acks.every((a) => a !== undefined) && idleBefore.every((t) => s.onTime(t, IDLE * 1000, 500)));
    s.check('the connection is still established', '连接仍处于 ESTABLISHED', 'ESTABLISHED', s.row(conn)?.state ?? 'CLOSED', s.row(conn)?.state === 'ESTABLISHED');

    // ---- part 2: silenced ---------------------------------------------------------------------
    s.step('The kernel is silenced: a fault rule drops everything it sends on this connection', '让内核沉默:一条故障规则丢弃它在这个连接上发送的一切');
    const silence = s.fault({ id: 'silence-kernel', dir: 'in', srcPort: KERNEL_PORT, count: 'all', action: 'drop' });
    s.watch(watchFault(silence, 'Every segment from the kernel is dropped: the probes go unanswered', '内核的每个报文都被丢弃:探测得不到应答'),
      watchConn(conn, 'timer', `Unanswered: a probe every ${INTVL} s, ${CNT} in all, then the connection is reset`, `无应答:每 ${INTVL} 秒一次探测,共 ${CNT} 次,然后重置连接`));
    const t0 = s.seen.lastSeq;
    const timeouts0 = s.counter('TCPKeepAliveTimeouts');
    await s.until(() => s.row(conn) === null, (IDLE + INTVL * (CNT + 1)) * 1000 + 3000);
    const unanswered = s.seen.segments(conn, t0).filter(isProbe);
    const g = gaps(unanswered.map((e) => e.at));
    // Not closer; up to 500 ms late on a busy machine (probes IDLE s apart would be too far).
    s.check(`${CNT} unanswered probes, ${INTVL} s apart`, `${CNT} 次无应答的探测,间隔 ${INTVL} 秒`, `${CNT} probes, gaps ${ms(INTVL * 1000)}`,
      `${unanswered.length} probes, gaps ${g.map(ms).join(', ') || '-'}`, unanswered.length === CNT && g.every((x) => s.onTime(x, INTVL * 1000, 500)));
    const err = s.seen.ofKind('error').find((e) => e.conn === conn);
    const rstOut = s.seen.segments(conn, t0).find((e) => e.dir === 'out' && e.segment.flags.includes('R'));
    s.check('then the connection was dropped: ETIMEDOUT, an RST to the peer', '然后连接被丢弃:ETIMEDOUT,并向对端发送 RST', 'ETIMEDOUT, RST, TCPKeepAliveTimeouts +1',
      `${err?.code ?? 'no error'}, ${rstOut !== undefined ? 'RST' : 'no RST'}, TCPKeepAliveTimeouts +${s.counter('TCPKeepAliveTimeouts') - timeouts0}`,
      err?.code === 'ETIMEDOUT' && rstOut !== undefined && s.counter('TCPKeepAliveTimeouts') === timeouts0 + 1);
    server.kill();
  },
});
