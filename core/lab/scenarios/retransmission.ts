// retransmission: drops on the wire. Part 1: one small message is dropped three times: the
// retransmission timer fires after RTO, 2*RTO, 4*RTO (exponential backoff, Karn). Part 2: one
// segment out of twenty is dropped: the kernel's duplicate ACKs trigger a fast retransmit long
// before the timer would.
import { createHash } from 'node:crypto';
import type { SegmentEvent } from '../../api/events.ts';
import { defineScenario, watchConn, watchCounter, watchFault, type ScenarioRun } from './framework.ts';
import { gaps, ms } from './observe.ts';
import { stepLine, toolOk } from './util.ts';

const PORT_RTO = 7961;
const PORT_FAST = 7962;
const SEGMENTS = 20;
const RTO_MIN_FAST = 1000;

/** A kernel sink on `port` (reads to end of stream) and a lab connection to it. */
async function sinkConnection(s: ScenarioRun, port: number): Promise<{ conn: number; done: Promise<{ bytes: number | null; sha: string | null; why: string }> } | null> {
  const job = s.kernel.tool(['timeout=20', `listen=${port}`, 'accept', 'recvall', 'close'], 30_000);
  if ((await job.line((l) => l.step === 'listen')) === null) {
    s.check('the kernel server started', '内核服务器启动了', 'listening', toolOk(await job.done), false);
    return null;
  }
  const conn = s.connect(port);
  await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 3000);
  const done = job.done.then((r) => {
    const l = stepLine(r.lines, 'recvall');
    return { bytes: typeof l?.bytes === 'number' ? l.bytes : null, sha: typeof l?.sha256 === 'string' ? l.sha256 : null, why: toolOk(r) };
  });
  return { conn, done };
}

/** Data segments sent with this sequence number (the original and its retransmissions). */
function copies(s: ScenarioRun, conn: number, seq: number, since: number): SegmentEvent[] {
  return s.seen.segments(conn, since).filter((e) => e.dir === 'out' && e.segment.len > 0 && e.segment.seq === seq);
}

export const retransmission = defineScenario({
  name: 'retransmission',
  title: 'Retransmission: RTO backoff and fast retransmit',
  titleZh: '重传:RTO 指数退避与快速重传',
  summary: 'A message dropped three times is resent after RTO, 2*RTO, 4*RTO; a segment dropped among twenty is resent after three duplicate ACKs, without waiting for the timer.',
  summaryZh: '一条被丢弃三次的消息在 RTO、2*RTO、4*RTO 之后重发;二十个报文中被丢弃的一个在三个重复 ACK 之后立即重发,无需等待定时器。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: ACKs are cumulative (an ACK for N covers every byte before N), so a lost ACK is often covered by the next; data that is not acknowledged is sent again. Right, and that is all it says.',
      'How the sender decides (RFC 6298, RFC 5681, and Linux): the retransmission timeout RTO comes from the measured round-trip time: SRTT + 4*RTTVAR, at least a minimum. RFC 6298 says the minimum is 1 s; Linux uses 200 ms (TCP_RTO_MIN), which is what you see here, since the round trip through the TUN is well under a millisecond. Each time the timer fires for the same data the RTO doubles (exponential backoff), and by Karn\'s rule a retransmitted segment gives no RTT sample. So: 200 ms, 400 ms, 800 ms. Linux gives up after tcp_retries2 (15) such doublings, about 15 minutes.',
      'Fast retransmit: when a segment is lost among others, the receiver answers each later segment with a duplicate ACK (the same ACK number, plus SACK blocks naming what did arrive). Three duplicate ACKs make the sender resend the missing segment at once (RFC 5681), and NewReno recovery (RFC 6582) continues without dropping back to one segment. Linux today recovers with SACK and RACK-TLP, which often resends even sooner; the lab implements NewReno (it reads SACK blocks but does not use them to recover).',
    ].join('\n\n'),
    zh: [
      '教材怎么说:ACK 是累积的(确认号 N 表示 N 之前的所有字节都已收到),所以丢失的 ACK 往往会被后面的 ACK 覆盖;没有被确认的数据会被重发。说得对,但只说了这么多。',
      '发送方如何决定(RFC 6298、RFC 5681 以及 Linux):重传超时 RTO 由测得的往返时间得出:SRTT + 4*RTTVAR,且不低于一个下限。RFC 6298 规定下限为 1 秒;Linux 用 200 毫秒(TCP_RTO_MIN),你在这里看到的就是它,因为经过 TUN 的往返时间远小于 1 毫秒。同一份数据每次超时,RTO 都加倍(指数退避),根据 Karn 规则,重传的报文不提供 RTT 样本。所以是 200 毫秒、400 毫秒、800 毫秒。Linux 在 tcp_retries2(15)次加倍之后放弃,大约 15 分钟。',
      '快速重传:当多个报文中丢了一个,接收方对之后的每个报文都回复重复 ACK(相同的确认号,加上指明已到达部分的 SACK 块)。三个重复 ACK 让发送方立即重发缺失的报文(RFC 5681),NewReno 恢复(RFC 6582)继续发送而不退回到一个报文。如今的 Linux 用 SACK 和 RACK-TLP 恢复,往往重发得更早;实验室实现的是 NewReno(读取 SACK 块但不用它来恢复)。',
    ].join('\n\n'),
  },
  async run(s) {
    // ---- part 1: RTO and backoff ----------------------------------------------------------------
    s.step(`Part 1: the lab connects to a kernel sink on ${s.kernelAddr}:${PORT_RTO}; its first message is dropped three times`,
      `第 1 部分:实验室连接 ${s.kernelAddr}:${PORT_RTO} 上的内核接收端;它的第一条消息被丢弃三次`);
    const a = await sinkConnection(s, PORT_RTO);
    if (a === null) return;
    const drop3 = s.fault({ id: 'drop-3-times', dir: 'out', dstPort: PORT_RTO, payload: 'data', count: 3, action: 'drop' });
    const rto = s.row(a.conn)?.rto ?? 0;
    s.watch(
      watchConn(a.conn, 'rto', `RTO ${ms(rto)} now; it doubles at each timeout`, `当前 RTO ${ms(rto)};每次超时加倍`),
      watchConn(a.conn, 'timer', 'The retransmit timer', '重传定时器'),
      watchFault(drop3, 'The first three copies are dropped', '前三份拷贝被丢弃'),
      watchCounter('TCPTimeouts', 'Retransmission timeouts', '重传超时次数'),
    );
    const since = s.seen.lastSeq;
    const timeouts0 = s.counter('TCPTimeouts');
    const msg = 'a message that will be dropped three times\n';
    s.lab.handlers.send({ conn: a.conn, data: msg, encoding: 'utf8' });
    await s.until(() => s.row(a.conn)?.sendQ === 0, 5000);
    const first = s.seen.segments(a.conn, since).find((e) => e.dir === 'out' && e.segment.len > 0);
    const sent = first === undefined ? [] : copies(s, a.conn, first.segment.seq, since);
    const g = gaps(sent.map((e) => e.at));
    // Each wait doubles: RTO, 2*RTO, 4*RTO, not shorter (no backoff would show RTO three times);
    // up to 300 ms late on a busy machine.
    const backoff = g.length === 3 && s.onTime(g[0], rto, 300) && s.onTime(g[1], 2 * rto, 300) && s.onTime(g[2], 4 * rto, 300);
    s.check('sent 4 times, the waits doubling: RTO, 2*RTO, 4*RTO', '共发送 4 次,等待时间加倍:RTO、2*RTO、4*RTO',
      `${ms(rto)}, ${ms(2 * rto)}, ${ms(4 * rto)}`, g.length === 0 ? 'no retransmission' : g.map(ms).join(', '), backoff);
    s.check('each was a timeout (TCPTimeouts)', '每次都是超时(TCPTimeouts)', '+3', `+${s.counter('TCPTimeouts') - timeouts0}`, s.counter('TCPTimeouts') - timeouts0 === 3);
    s.lab.handlers.close({ conn: a.conn });
    const r1 = await a.done;
    s.check('the kernel received the message once', '内核收到这条消息一次', `${msg.length} bytes`, r1.bytes === null ? r1.why : `${r1.bytes} bytes`, r1.bytes === msg.length);

    // ---- part 2: fast retransmit ---------------------------------------------------------------
    // RFC 6298's 1 s minimum RTO from here on: the fast retransmit's lead over the timer stays
    // plain even when a busy machine stalls the lab for a moment (with 200 ms, a stall that long
    // would let the timer fire first, and the check would see a timeout).
    s.setKnob('rto_min_ms', RTO_MIN_FAST);
    s.step(`Part 2: a new connection to ${s.kernelAddr}:${PORT_FAST}, with RFC 6298's minimum RTO of ${ms(RTO_MIN_FAST)} (knob rto_min_ms); the lab sends ${SEGMENTS} segments and the second is dropped once`,
      `第 2 部分:新连接到 ${s.kernelAddr}:${PORT_FAST},最小 RTO 取 RFC 6298 的 ${ms(RTO_MIN_FAST)}(旋钮 rto_min_ms);实验室发送 ${SEGMENTS} 个报文,第二个被丢弃一次`);
    const b = await sinkConnection(s, PORT_FAST);
    if (b === null) return;
    const mss = s.row(b.conn)?.mss ?? 1448;
    const data = 'x'.repeat(SEGMENTS * mss);
    const sha = createHash('sha256').update(data).digest('hex');
    const drop1 = s.fault({ id: 'drop-second-segment', dir: 'out', dstPort: PORT_FAST, payload: 'data', nth: 2, count: 1, action: 'drop' });
    s.watch(
      watchFault(drop1, 'The second data segment is dropped once', '第二个数据报文被丢弃一次'),
      watchConn(b.conn, 'cwnd', 'cwnd: halved by fast recovery, not reset to 1 as after a timeout', 'cwnd:快速恢复时减半,而不像超时后那样重置为 1'),
      watchCounter('TCPFastRetrans', 'Fast retransmissions', '快速重传次数'),
    );
    const since2 = s.seen.lastSeq;
    const fast0 = s.counter('TCPFastRetrans');
    const rto2 = s.row(b.conn)?.rto ?? RTO_MIN_FAST;
    s.lab.handlers.send({ conn: b.conn, data, encoding: 'utf8' });
    await s.until(() => s.row(b.conn)?.sendQ === 0, 5000);
    const out = s.seen.segments(b.conn, since2).filter((e) => e.dir === 'out' && e.segment.len > 0);
    const lost = out[1];
    const again = lost === undefined ? undefined : out.slice(2).find((e) => e.segment.seq === lost.segment.seq);
    const dupAcks = lost === undefined || again === undefined ? 0
      : s.seen.segments(b.conn, since2).filter((e) => e.dir === 'in' && e.seq < again.seq && e.segment.ack === lost.segment.seq && e.segment.len === 0).length;
    s.check('the dropped segment was resent after duplicate ACKs, before the RTO', '被丢弃的报文在重复 ACK 之后、RTO 之前被重发',
      `>= 3 duplicate ACKs, resent within ${ms(rto2)}`, again === undefined || lost === undefined ? 'not resent' : `${dupAcks} duplicate ACKs, resent after ${ms(again.at - lost.at)}`,
      again !== undefined && lost !== undefined && dupAcks >= 3 && again.at - lost.at < rto2);
    s.check('it was a fast retransmit (TCPFastRetrans)', '这是一次快速重传(TCPFastRetrans)', '+1', `+${s.counter('TCPFastRetrans') - fast0}`, s.counter('TCPFastRetrans') - fast0 === 1);
    s.lab.handlers.close({ conn: b.conn });
    const r2 = await b.done;
    s.check('the kernel received every byte, in order', '内核按顺序收到了每一个字节', `${data.length} bytes, sha256 ${sha.slice(0, 12)}…`,
      r2.bytes === null ? r2.why : `${r2.bytes} bytes, sha256 ${(r2.sha ?? '').slice(0, 12)}…`, r2.bytes === data.length && r2.sha === sha);
  },
});
