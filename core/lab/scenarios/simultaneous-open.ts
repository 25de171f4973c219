// simultaneous-open: the kernel (bound to port 7502) connects to the lab's port 7501 while the
// lab (bound to 7501) connects to the kernel's 7502; no listener anywhere. The fault injector
// holds the kernel's SYN until the lab's SYN is out, so the SYNs cross: four segments, both
// sides pass through SYN-RECEIVED.
import { defineScenario, watchConn, watchFault } from './framework.ts';
import { stepLine, toolOk } from './util.ts';

const LAB_PORT = 7501;
const KERNEL_PORT = 7502;

export const simultaneousOpen = defineScenario({
  name: 'simultaneous-open',
  title: 'Simultaneous open: two SYNs cross, no listener',
  titleZh: '同时打开:两个 SYN 交叉,没有监听者',
  summary: 'The kernel and the lab connect to each other\'s port at the same time. Each receives a SYN while in SYN-SENT, answers SYN-ACK and passes SYN-RECEIVED: four segments instead of three.',
  summaryZh: '内核和实验室同时连接对方的端口。双方都在 SYN-SENT 中收到 SYN,回复 SYN-ACK,经过 SYN-RECEIVED:四个报文而不是三个。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: one article states that a connection must be opened actively by one side and passively by the other (a listener). That is the usual case, not the only one.',
      'What TCP allows (RFC 9293 figure 8) and Linux does: two sockets that know each other\'s address and port may both connect(). Each sends a SYN, each receives the other\'s SYN while in SYN-SENT, goes to SYN-RECEIVED and answers SYN-ACK (same sequence number as its SYN, now acknowledging the peer\'s); when each receives the other\'s SYN-ACK it is ESTABLISHED. Four segments, no listener, no client or server. Linux accepts the peer\'s SYN-ACK in SYN-RECEIVED for exactly this case (a special case in its RFC 5961 SYN checks). It is rare because both ends must pick their ports in advance; NAT hole punching uses it.',
      'Here the two connect() calls happen a few milliseconds apart and the wire is fast, so the fault injector holds the kernel\'s SYN for 500 ms (and its SYN-ACK for 700 ms) until the lab\'s SYN is out.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:有一篇文章说连接必须由一方主动打开、另一方(监听者)被动打开。这是常见情况,但不是唯一情况。',
      'TCP 允许的(RFC 9293 图 8)以及 Linux 的做法:两个知道对方地址和端口的套接字可以同时 connect()。双方各发一个 SYN,各自在 SYN-SENT 中收到对方的 SYN,进入 SYN-RECEIVED 并回复 SYN-ACK(序号与自己的 SYN 相同,现在确认对方的 SYN);各自收到对方的 SYN-ACK 后进入 ESTABLISHED。四个报文,没有监听者,也没有客户端和服务器之分。Linux 在 SYN-RECEIVED 中接受对方的 SYN-ACK 正是为了这种情况(在它的 RFC 5961 SYN 检查里有专门的例外)。这种情况很少见,因为双方必须事先约定端口;NAT 打洞会用到它。',
      '这里两次 connect() 相隔几毫秒,而线路很快,所以故障注入器把内核的 SYN 扣住 500 毫秒(把它的 SYN-ACK 扣住 700 毫秒),直到实验室的 SYN 发出。',
    ].join('\n\n'),
  },
  async run(s) {
    s.step(`The kernel binds port ${KERNEL_PORT} and connects to ${s.labAddr}:${LAB_PORT}; the lab binds ${LAB_PORT} and connects to ${s.kernelAddr}:${KERNEL_PORT}`,
      `内核绑定端口 ${KERNEL_PORT} 并连接 ${s.labAddr}:${LAB_PORT};实验室绑定 ${LAB_PORT} 并连接 ${s.kernelAddr}:${KERNEL_PORT}`);
    const synRule = s.fault({ id: 'hold-kernel-syn', dir: 'in', dstPort: LAB_PORT, srcPort: KERNEL_PORT, flags: 'S', action: { type: 'delay', ms: 500 } });
    const synAckRule = s.fault({ id: 'hold-kernel-synack', dir: 'in', dstPort: LAB_PORT, srcPort: KERNEL_PORT, flags: 'S.', action: { type: 'delay', ms: 700 } });
    const since = s.seen.lastSeq;
    const kernel = s.kernel.tool(['timeout=5', `bind=${KERNEL_PORT}`, `connect=${s.labAddr}:${LAB_PORT}`, 'send=hello from Linux\\n', 'recv', 'sleep=0.3', 'close'], 15_000);
    const held = await s.until(() => s.seen.ofKind('fault', since).some((e) => e.rule === synRule), 5000);
    if (!held) {
      s.check('the kernel sent its SYN', '内核发出了它的 SYN', 'a SYN held by the fault injector', toolOk(await kernel.done), false);
      return;
    }
    s.step('The kernel\'s SYN is on the wire (held); the lab connects now', '内核的 SYN 已在线路上(被扣住);实验室现在发起连接');
    const conn = s.connect(KERNEL_PORT, { localPort: LAB_PORT });
    s.watch(
      watchConn(conn, 'state', 'SYN-SENT, then SYN-RECEIVED when the kernel\'s SYN arrives, then ESTABLISHED', '先是 SYN-SENT,收到内核的 SYN 后是 SYN-RECEIVED,然后 ESTABLISHED'),
      watchFault(synRule, 'The kernel\'s SYN, held 500 ms so the SYNs cross', '内核的 SYN,被扣住 500 毫秒以便两个 SYN 交叉'),
      watchFault(synAckRule, 'The kernel\'s SYN-ACK, held 700 ms', '内核的 SYN-ACK,被扣住 700 毫秒'),
    );
    await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 5000);
    if (s.row(conn)?.state === 'ESTABLISHED') s.lab.handlers.send({ conn, data: 'hello from the lab\n', encoding: 'utf8' });
    const k = await kernel.done;
    await s.until(() => s.seen.segments(conn).some((e) => e.dir === 'in' && e.segment.flags === 'S.'), 2000);
    await s.until(() => s.row(conn)?.state === 'CLOSE-WAIT', 2000);
    const segs = s.seen.segments(conn);
    const path = s.seen.path(conn);
    s.check('lab states', '实验室一侧的状态', 'SYN-SENT, SYN-RECEIVED, ESTABLISHED', path.slice(0, 3).join(', '),
      path.slice(0, 3).join(',') === 'SYN-SENT,SYN-RECEIVED,ESTABLISHED');
    const order = segs.filter((e) => e.segment.flags === 'S' || e.segment.flags === 'S.').map((e) => `${e.dir === 'out' ? 'lab' : 'kernel'} ${e.segment.flags}`);
    const synOut = segs.find((e) => e.dir === 'out' && e.segment.flags === 'S');
    const synIn = segs.find((e) => e.dir === 'in' && e.segment.flags === 'S');
    const synAckOut = segs.find((e) => e.dir === 'out' && e.segment.flags === 'S.');
    const synAckIn = segs.find((e) => e.dir === 'in' && e.segment.flags === 'S.');
    s.check('four handshake segments: a SYN and a SYN-ACK from each side', '四个握手报文:每一方各一个 SYN 和一个 SYN-ACK',
      'lab S, kernel S, lab S., kernel S.', order.join(', '), synOut !== undefined && synIn !== undefined && synAckOut !== undefined && synAckIn !== undefined);
    if (synOut !== undefined && synAckOut !== undefined && synIn !== undefined) {
      s.check('our SYN-ACK repeats our SYN\'s sequence number and acknowledges the kernel\'s SYN', '我们的 SYN-ACK 重用 SYN 的序号并确认内核的 SYN',
        `seq ${synOut.segment.seq}, ack ${(synIn.segment.seq + 1) >>> 0}`, `seq ${synAckOut.segment.seq}, ack ${synAckOut.segment.ack}`,
        synAckOut.segment.seq === synOut.segment.seq && synAckOut.segment.ack === ((synIn.segment.seq + 1) >>> 0));
    }
    const connected = stepLine(k.lines, 'connect');
    const got = stepLine(k.lines, 'recv');
    s.check('the kernel\'s connect() succeeded and data flowed both ways', '内核的 connect() 成功,数据双向流动',
      'connected, "hello from the lab"', connected?.ok !== true ? toolOk(k) : `connected, ${JSON.stringify(String(got?.text ?? '').trim())}`,
      connected?.ok === true && typeof got?.text === 'string' && got.text.includes('hello from the lab'));
    const sock = s.lab.stack.connection(conn);
    const text = sock?.read();
    s.check('the lab received the kernel\'s data', '实验室收到了内核的数据', '"hello from Linux"',
      text instanceof Uint8Array ? JSON.stringify(Buffer.from(text).toString().trim()) : 'nothing', text instanceof Uint8Array && Buffer.from(text).toString().includes('hello from Linux'));
    if (s.row(conn) !== null) s.lab.handlers.close({ conn });
  },
});
