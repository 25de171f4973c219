// lost-final-ack: the third segment of the handshake (the kernel's ACK) is dropped on the wire.
// The kernel believes it is connected; the lab sits in SYN-RECEIVED and retransmits its SYN-ACK
// with exponential backoff (1, 2, 4 s), each answered by an ACK that is dropped too. After 8 s
// the kernel sends data: that segment carries the ACK and completes the handshake.
import { defineScenario, watchConn, watchFault, watchKnob, watchListener } from './framework.ts';
import { gaps, ms } from './observe.ts';
import { stepLine, toolOk } from './util.ts';

const LAB_PORT = 7601;
const RETRIES = 3;

export const lostFinalAck = defineScenario({
  name: 'lost-final-ack',
  title: 'Lost final ACK: SYN-RECEIVED and SYN-ACK backoff',
  titleZh: '第三次握手的 ACK 丢失:SYN-RECEIVED 与 SYN-ACK 指数退避',
  summary: 'Every pure ACK from the kernel is dropped. The kernel thinks it is connected; the lab stays in SYN-RECEIVED and resends its SYN-ACK after 1, 2, 4 s. Data from the kernel finally completes the handshake.',
  summaryZh: '内核发来的纯 ACK 全部被丢弃。内核以为连接已建立;实验室停留在 SYN-RECEIVED,在 1、2、4 秒后重发 SYN-ACK。最终内核发来的数据完成了握手。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: a server hardly ever shows SYN_RCVD in netstat "unless you write a client that deliberately does not send the last ACK of the handshake" (that is this scenario). If the ACK does not come, Linux resends the SYN-ACK 5 times (tcp_synack_retries), after 1, 2, 4, 8 and 16 s, and gives up 32 s after the last one: 63 s in all. That is right for Linux, and the lab does the same; here tcp_synack_retries is 3 (resends after 1, 2 and 4 s, giving up at 15 s) to keep it short.',
      'What the client sees: its SYN was answered, so connect() has returned and it is ESTABLISHED (ss on the kernel side shows ESTAB while the lab shows SYN-RECEIVED). Each repeated SYN-ACK makes it send the ACK again (dropped here too). When it sends data, that segment also carries the ACK, and the server completes the handshake with it; Linux does exactly that. Had the client stayed silent past the last retry, the server would have dropped the request without a word, and the client\'s first data would be answered with RST.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:服务器在 netstat 中几乎看不到 SYN_RCVD,"除非你特意写了一个客户端测试程序,故意将三次TCP握手过程中最后一个ACK报文不予发送"(这正是本场景)。如果 ACK 不来,Linux 会重发 SYN-ACK 5 次(tcp_synack_retries),间隔 1、2、4、8、16 秒,最后一次之后再等 32 秒才放弃:总共 63 秒。对 Linux 来说这是对的,实验室也一样;这里为了缩短时间把 tcp_synack_retries 设为 3(在 1、2、4 秒后重发,15 秒时放弃)。',
      '客户端看到什么:它的 SYN 得到了回应,所以 connect() 已经返回,它处于 ESTABLISHED(内核一侧的 ss 显示 ESTAB,而实验室显示 SYN-RECEIVED)。每个重发的 SYN-ACK 都让它再发一次 ACK(这里也被丢弃)。当它发送数据时,这个报文同样携带 ACK,服务器就用它完成握手;Linux 正是这样做的。如果客户端在最后一次重试之后仍然沉默,服务器会悄无声息地丢弃这个请求,客户端之后发出的第一份数据会收到 RST。',
    ].join('\n\n'),
  },
  async run(s) {
    s.setKnob('tcp_synack_retries', RETRIES);
    const listener = s.listen(LAB_PORT, { responder: 'echo' });
    const drop = s.fault({ id: 'drop-final-ack', dir: 'in', dstPort: LAB_PORT, flags: '.', payload: 'empty', count: 'all', action: 'drop' });
    s.step(`Every pure ACK to ${s.labAddr}:${LAB_PORT} is dropped. A kernel client connects, stays silent for 8 s, then sends "ping"`,
      `发往 ${s.labAddr}:${LAB_PORT} 的纯 ACK 全部丢弃。内核客户端连接后沉默 8 秒,然后发送 "ping"`);
    const started = await s.kernelClient(LAB_PORT, ['timeout=10', `connect=${s.labAddr}:${LAB_PORT}`, 'ss', 'sleep=8', 'send=ping\\n', 'recv', 'close'], 20_000);
    if (started === null) return;
    const { client, conn } = started;
    s.watch(
      watchConn(conn, 'state', 'SYN-RECEIVED: our SYN-ACK is not acknowledged', 'SYN-RECEIVED:我们的 SYN-ACK 没有被确认'),
      watchConn(conn, 'timer', 'The SYN-ACK timer: 1 s, then 2 s, then 4 s', 'SYN-ACK 定时器:1 秒,然后 2 秒,然后 4 秒'),
      watchListener(listener, 'synQueue', 'The request stays in the SYN queue', '请求一直留在半连接队列中'),
      watchFault(drop, 'The kernel\'s ACKs are dropped here', '内核的 ACK 在这里被丢弃'),
      watchKnob('tcp_synack_retries', `tcp_synack_retries = ${RETRIES} for this scenario (Linux default 5: 63 s)`, `本场景 tcp_synack_retries = ${RETRIES}(Linux 默认 5:63 秒)`),
    );
    const done = await client.done;
    await s.until(() => s.row(conn)?.state !== 'SYN-RECEIVED', 2000);
    const synAcks = s.seen.segments(conn).filter((e) => e.dir === 'out' && e.segment.flags === 'S.');
    const g = gaps(synAcks.map((e) => e.at));
    const expected = [1000, 2000, 4000];
    // Each wait not shorter than its doubling (no backoff would show 1 s, 1 s, 1 s); up to 500 ms late on a busy machine.
    s.check('SYN-ACK sent, then resent with exponential backoff', 'SYN-ACK 发出后按指数退避重发', expected.map(ms).join(', '),
      g.length === 0 ? 'no resends' : g.map(ms).join(', '), g.length === expected.length && g.every((x, i) => s.onTime(x, expected[i], 500)));
    const ssLine = stepLine(done.lines, 'ss');
    const estab = Array.isArray(ssLine?.lines) && (ssLine.lines as string[]).some((l) => l.startsWith('ESTAB') && l.includes(`${s.labAddr}:${LAB_PORT}`));
    s.check('meanwhile the kernel already counted itself connected (ss: ESTAB)', '此时内核已认为自己连接成功(ss:ESTAB)', 'ESTAB',
      estab ? 'ESTAB' : 'not ESTAB', estab);
    const estEv = s.seen.states(conn).find((e) => e.to === 'ESTABLISHED');
    const by = estEv?.segment;
    s.check('the lab stayed in SYN-RECEIVED until the kernel\'s data completed the handshake', '实验室一直停留在 SYN-RECEIVED,直到内核的数据完成握手',
      'ESTABLISHED on the data segment (~8 s)', estEv === undefined || synAcks.length === 0 ? `path ${s.seen.path(conn).join(', ')}`
        : `ESTABLISHED ${ms(estEv.at - synAcks[0].at)} after the SYN-ACK, on ${by === undefined ? 'no segment' : `${by.flags} len ${by.len}`}`,
      estEv !== undefined && synAcks.length > 0 && by !== undefined && by.len > 0 && estEv.at - synAcks[0].at > 7000);
    const echo = stepLine(done.lines, 'recv');
    s.check('the kernel got its echo', '内核收到了回显', '"ping"', typeof echo?.text === 'string' ? JSON.stringify(echo.text.trim()) : toolOk(done),
      typeof echo?.text === 'string' && echo.text.includes('ping'));
  },
});
