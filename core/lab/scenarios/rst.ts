// rst: resets three ways. Part 1: the user resets a connection (the kernel's recv() fails with
// ECONNRESET). Part 2: a SYN to a closed port is answered with RST, both ways (ECONNREFUSED).
// Part 3 (RFC 5961): an RST forged with hping3 whose sequence number is inside the window but
// not exactly RCV.NXT gets a challenge ACK and changes nothing; one at exactly RCV.NXT resets.
import { defineScenario, watchConn, watchCounter } from './framework.ts';
import { stepError, toolOk } from './util.ts';

const LAB_PORT = 7901;
const RFC5961_PORT = 7902;
const CLOSED_LAB_PORT = 7909;
const CLOSED_KERNEL_PORT = 7908;

export const rst = defineScenario({
  name: 'rst',
  title: 'RST: user reset, closed port, in-window RST and the challenge ACK',
  titleZh: 'RST:用户重置、关闭的端口、窗口内的 RST 与挑战 ACK',
  summary: 'The lab resets a connection (the kernel sees ECONNRESET); SYNs to closed ports are answered with RST (ECONNREFUSED both ways); a forged RST inside the window but not at RCV.NXT gets a challenge ACK (RFC 5961), an exact one resets.',
  summaryZh: '实验室重置一个连接(内核看到 ECONNRESET);发往关闭端口的 SYN 收到 RST(双向都是 ECONNREFUSED);一个在窗口内但不等于 RCV.NXT 的伪造 RST 得到挑战 ACK(RFC 5961),恰好等于的则重置连接。',
  needs: 'kernel',
  tools: ['hping3'],
  explain: {
    en: [
      'What the teaching material says: RST means a serious error, the connection must be released (and "connection reset by peer" comes from it). True, and there are three everyday sources, all shown here: an application aborting (close() with SO_LINGER 0, or the lab\'s reset button), a segment for a port nobody listens on (answered with RST: connect() fails with ECONNREFUSED), and a segment for a connection that no longer exists.',
      'What the articles leave out: which RST is believed. RFC 793 accepted any RST whose sequence number fell in the receive window, so an attacker who guessed a number within the window (64 KB out of 4 G) could kill a connection. RFC 5961, which Linux implements, accepts an RST only when its sequence number is exactly RCV.NXT; one that is merely inside the window is answered with a "challenge ACK" (an ACK carrying the real RCV.NXT): a real peer that lost sync answers it with a correct RST, a blind attacker cannot. Counter TCPChallengeACK; Linux rate-limits them per connection (tcp_invalid_ratelimit, 500 ms; the lab too) and, before Linux 6.0, also globally (tcp_challenge_ack_limit, 1000 per second, itself a side channel that was found to reveal sequence numbers, CVE-2016-5696; since 6.0 it is unlimited by default). The RSTs in part 3 are forged with hping3 from the kernel\'s address and port.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:RST 表示出现严重差错,必须释放连接("connection reset by peer" 就是它造成的)。没错,日常有三种来源,本场景都会演示:应用程序中止连接(SO_LINGER 为 0 时的 close(),或实验室的重置按钮);发往无人监听端口的报文(回以 RST:connect() 以 ECONNREFUSED 失败);发往已不存在的连接的报文。',
      '文章没讲的:哪个 RST 会被相信。RFC 793 接受序号落在接收窗口内的任何 RST,攻击者只要猜中窗口内的某个数(40 亿中的 64 KB)就能断开连接。Linux 实现的 RFC 5961 只在序号恰好等于 RCV.NXT 时接受 RST;仅仅落在窗口内的 RST 会得到一个"挑战 ACK"(携带真实 RCV.NXT 的 ACK):真正失去同步的对端会用正确的 RST 回应它,盲目的攻击者则不能。计数器 TCPChallengeACK;Linux 按连接限制其速率(tcp_invalid_ratelimit,500 毫秒;实验室也是),在 Linux 6.0 之前还有全局限制(tcp_challenge_ack_limit,每秒 1000 个,这个全局计数本身被发现是一个能泄露序号的旁路,CVE-2016-5696;6.0 起默认不限)。第 3 部分的 RST 是用 hping3 以内核的地址和端口伪造的。',
    ].join('\n\n'),
  },
  async run(s) {
    // ---- part 1: the user resets --------------------------------------------------------------
    s.step(`Part 1: a kernel client connects to ${s.labAddr}:${LAB_PORT} and waits in recv(); the lab resets the connection`,
      `第 1 部分:内核客户端连接 ${s.labAddr}:${LAB_PORT} 并在 recv() 中等待;实验室重置该连接`);
    s.listen(LAB_PORT, { responder: 'manual' });
    const p1 = await s.kernelClient(LAB_PORT, ['timeout=5', `connect=${s.labAddr}:${LAB_PORT}`, 'send=hello\\n', 'recv'], 10_000, 'send');
    if (p1 === null) return;
    const { client: c1, conn } = p1;
    await s.until(() => (s.row(conn)?.recvQ ?? 0) > 0, 2000);
    s.watch(watchConn(conn, 'state', 'reset: RST sent, the row goes straight to CLOSED (no FIN, no TIME-WAIT)', 'reset:发送 RST,这一行直接变为 CLOSED(没有 FIN,也没有 TIME-WAIT)'),
      watchCounter('OutRsts', 'RSTs the lab sent', '实验室发送的 RST'));
    s.lab.handlers.reset({ conn });
    const r1 = await c1.done;
    const rstOut = s.seen.segments(conn).find((e) => e.dir === 'out' && e.segment.flags.includes('R'));
    s.check('the lab sent RST', '实验室发送了 RST', 'R. segment', rstOut?.segment.text ?? 'none', rstOut !== undefined);
    s.check('the kernel\'s recv() failed with ECONNRESET', '内核的 recv() 以 ECONNRESET 失败', 'ECONNRESET', stepError(r1.lines, 'recv') ?? toolOk(r1),
      stepError(r1.lines, 'recv') === 'ECONNRESET');
    s.check('the lab\'s connection ended without TIME-WAIT', '实验室的连接直接结束,没有 TIME-WAIT', 'ESTABLISHED -> CLOSED', s.seen.path(conn).join(' -> '),
      s.seen.path(conn).slice(-2).join(',') === 'ESTABLISHED,CLOSED');

    // ---- part 2: closed ports -----------------------------------------------------------------
    s.step(`Part 2: the kernel connects to ${s.labAddr}:${CLOSED_LAB_PORT} and the lab to ${s.kernelAddr}:${CLOSED_KERNEL_PORT}; nobody listens there`,
      `第 2 部分:内核连接 ${s.labAddr}:${CLOSED_LAB_PORT},实验室连接 ${s.kernelAddr}:${CLOSED_KERNEL_PORT};这两个端口都无人监听`);
    const since = s.seen.lastSeq;
    const c2 = await s.kernel.tool(['timeout=5', `connect=${s.labAddr}:${CLOSED_LAB_PORT}`], 10_000).done;
    const refused = s.seen.segments(null, since).find((e) => e.dir === 'out' && e.segment.flags.includes('R') && e.segment.srcPort === CLOSED_LAB_PORT);
    s.check('the lab answered the SYN to a closed port with RST', '实验室对发往关闭端口的 SYN 回以 RST', 'R. (rst: port closed)',
      refused === undefined ? 'none' : `${refused.segment.flags} (${refused.verdict || 'sent'})`, refused !== undefined);
    s.check('the kernel\'s connect() failed with ECONNREFUSED', '内核的 connect() 以 ECONNREFUSED 失败', 'ECONNREFUSED', stepError(c2.lines, 'connect') ?? 'connected',
      stepError(c2.lines, 'connect') === 'ECONNREFUSED');
    const c3 = s.connect(CLOSED_KERNEL_PORT);
    await s.until(() => s.row(c3) === null, 3000);
    const err = s.seen.ofKind('error').find((e) => e.conn === c3);
    s.check('the kernel answered our SYN with RST: ECONNREFUSED on the lab side', '内核对我们的 SYN 回以 RST:实验室一侧为 ECONNREFUSED', 'ECONNREFUSED',
      err?.code ?? `state ${s.row(c3)?.state ?? 'CLOSED'}, no error`, err?.code === 'ECONNREFUSED');

    // ---- part 3: RFC 5961 ---------------------------------------------------------------------
    s.step(`Part 3: a kernel client connects to ${s.labAddr}:${RFC5961_PORT}; hping3 forges an RST inside the window, then one at exactly RCV.NXT`,
      `第 3 部分:内核客户端连接 ${s.labAddr}:${RFC5961_PORT};hping3 先伪造一个落在窗口内的 RST,再伪造一个恰好等于 RCV.NXT 的 RST`);
    s.listen(RFC5961_PORT, { responder: 'manual' });
    const p4 = await s.kernelClient(RFC5961_PORT, ['timeout=5', `connect=${s.labAddr}:${RFC5961_PORT}`, 'send=hello\\n', 'sleep=4', 'close'], 10_000, 'send');
    if (p4 === null) return;
    const { client: c4, conn: conn4, kport: kp4 } = p4;
    await s.until(() => (s.row(conn4)?.recvQ ?? 0) > 0, 2000);
    const rcvNxt = s.row(conn4)?.rcvNxt ?? 0;
    const forge = (seq: number): Promise<void> => s.kernel.forgeRst(kp4, RFC5961_PORT, seq);
    s.watch(
      watchConn(conn4, 'rcvNxt', `RCV.NXT = ${rcvNxt}: only an RST with exactly this sequence number is accepted`, `RCV.NXT = ${rcvNxt}:只接受序号恰好等于它的 RST`),
      watchCounter('TCPChallengeACK', 'Challenge ACKs sent (RFC 5961)', '发送的挑战 ACK(RFC 5961)'),
    );
    const ch0 = s.counter('TCPChallengeACK');
    const before = s.seen.lastSeq;
    await forge(rcvNxt + 1000);
    await s.until(() => s.counter('TCPChallengeACK') > ch0, 2000);
    const challenge = s.seen.segments(conn4, before).find((e) => e.dir === 'out' && e.segment.flags === '.');
    s.check('an in-window RST (RCV.NXT + 1000) got a challenge ACK', '窗口内的 RST(RCV.NXT + 1000)得到了挑战 ACK', `TCPChallengeACK +1, an ACK with ack ${rcvNxt}`,
      `TCPChallengeACK +${s.counter('TCPChallengeACK') - ch0}${challenge !== undefined ? `, ack ${challenge.segment.ack}` : ''}`,
      s.counter('TCPChallengeACK') === ch0 + 1 && challenge?.segment.ack === rcvNxt);
    s.check('and the connection lives on', '而连接依然存在', 'ESTABLISHED', s.row(conn4)?.state ?? 'CLOSED', s.row(conn4)?.state === 'ESTABLISHED');
    const r0 = s.counter('EstabResets');
    await forge(rcvNxt);
    await s.until(() => s.row(conn4) === null, 2000);
    const last = s.seen.states(conn4).at(-1);
    s.check('an RST at exactly RCV.NXT resets the connection', '序号恰好等于 RCV.NXT 的 RST 重置了连接', 'CLOSED by rcv RST, EstabResets +1',
      `${last?.to ?? '?'} (${last?.cause ?? '?'}), EstabResets +${s.counter('EstabResets') - r0}`, last?.to === 'CLOSED' && s.counter('EstabResets') === r0 + 1);
    c4.kill();
  },
});
