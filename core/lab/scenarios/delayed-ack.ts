// delayed-ack: the lab's ACK timing for data from the kernel. Single small segments are ACKed
// after the delayed-ACK timer (delack_ms 40 ms, Linux's minimum), two full-sized segments at
// once; with delack_ms 200 ms (Linux's maximum) the single ones wait 200 ms.
import type { SegmentEvent } from '../../api/events.ts';
import { defineScenario, watchConn, watchCounter, watchKnob, type ScenarioRun } from './framework.ts';
import { ms } from './observe.ts';

const LAB_PORT = 8001;

interface AckTiming { data: SegmentEvent; ack: SegmentEvent | undefined; delay: number | null }

/** For each data segment from the kernel: the first ACK of ours that covers it, and how long it took. */
function ackTimings(s: ScenarioRun, conn: number, since: number): AckTiming[] {
  const segs = s.seen.segments(conn, since);
  const seen = new Set<number>();
  // First transmissions only: a copy resent by the peer's timer is not a new segment to ACK.
  const firsts = segs.filter((e) => e.dir === 'in' && e.segment.len > 0 && !seen.has(e.segment.seq) && seen.add(e.segment.seq) !== undefined);
  return firsts.map((data) => {
    const end = (data.segment.seq + data.segment.len) >>> 0;
    const ack = segs.find((e) => e.dir === 'out' && e.seq > data.seq && e.segment.ack !== null && ((e.segment.ack - end) | 0) >= 0);
    return { data, ack, delay: ack === undefined ? null : ack.at - data.at };
  });
}

const show = (t: AckTiming[]): string => t.map((x) => `${x.data.segment.len} B: ${x.delay === null ? 'no ACK' : ms(x.delay)}`).join('; ');

export const delayedAck = defineScenario({
  name: 'delayed-ack',
  title: 'Delayed ACK: one ACK per two segments, or after the timer',
  titleZh: '延迟确认:每两个报文一个 ACK,或等定时器到期',
  summary: 'A kernel client sends small messages, then two full-sized segments. The lab ACKs a single small segment only after delack_ms (40 ms), two full-sized ones at once; with delack_ms = 200 the wait grows to 200 ms.',
  summaryZh: '内核客户端先发送几条小消息,再发送两个满长度报文。实验室对单个小报文要等 delack_ms(40 毫秒)才确认,对两个满长度报文立即确认;delack_ms = 200 时等待增加到 200 毫秒。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: when TCP receives data it sends an acknowledgement, but not at once: usually a little later; ACKs are cumulative, so one ACK may cover several segments. Right.',
      'The rules (RFC 1122 4.2.3.2, RFC 5681 4.2, and Linux): an ACK may be delayed, but by less than 0.5 s, and at least every second full-sized segment must be ACKed at once. Linux delays between 40 ms (TCP_DELACK_MIN) and 200 ms (TCP_DELACK_MAX), adapting the timer to the traffic (the "ato"), and starts each connection in quick-ACK mode, ACKing the first segments at once. The lab keeps it simpler: a fixed timer, the knob delack_ms (40 ms by default), no quick-ACK mode, and "full-sized" measured as Linux does (rcv_mss, the largest segment seen). An ACK also goes at once for out-of-order data, for a segment that fills a hole, for a FIN, and when the application\'s read frees enough buffer to open the window much wider (a window update, Linux\'s tcp_cleanup_rbuf); that is why the listener here does not read. Counter: DelayedACKs (ACKs sent by the timer).',
      'Why it matters: a reply usually follows a request, and the ACK rides on the reply for free. It interacts badly with Nagle\'s algorithm: see the nagle scenario.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:TCP 收到数据后会发送确认,但不是立即发送,一般会延迟一会儿;ACK 是累积的,一个 ACK 可以确认多个报文。没错。',
      '规则(RFC 1122 4.2.3.2、RFC 5681 4.2 以及 Linux):ACK 可以延迟,但不得超过 0.5 秒,而且至少每收到两个满长度报文就要立即确认一次。Linux 的延迟在 40 毫秒(TCP_DELACK_MIN)到 200 毫秒(TCP_DELACK_MAX)之间,会根据流量调整定时器(即 "ato"),并且每个连接一开始处于快速确认模式,对最初的报文立即确认。实验室做得更简单:固定的定时器,旋钮 delack_ms(默认 40 毫秒),没有快速确认模式,"满长度"按 Linux 的方式度量(rcv_mss,见过的最大报文)。乱序数据、填补空洞的报文、FIN,以及应用程序读取后腾出足够缓冲区使窗口大幅打开时(窗口更新,Linux 的 tcp_cleanup_rbuf),也会立即发出 ACK;所以这里的监听者不读取数据。计数器:DelayedACKs(由定时器发出的 ACK)。',
      '为什么重要:请求之后通常跟着应答,ACK 可以免费搭在应答上。它与 Nagle 算法一起使用时效果很差:见 nagle 场景。',
    ].join('\n\n'),
  },
  async run(s) {
    s.step(`A kernel client (TCP_NODELAY, so each send() is one segment) connects to ${s.labAddr}:${LAB_PORT}; the lab only receives`,
      `内核客户端(TCP_NODELAY,每次 send() 一个报文)连接 ${s.labAddr}:${LAB_PORT};实验室只接收`);
    s.listen(LAB_PORT, { responder: 'manual' });
    const small = Array.from({ length: 4 }, () => ['send=ping\\n', 'sleep=0.3']).flat();
    const later = Array.from({ length: 3 }, () => ['send=ping\\n', 'sleep=0.5']).flat();
    const started = await s.kernelClient(LAB_PORT, ['timeout=10', `connect=${s.labAddr}:${LAB_PORT}`, 'nodelay', 'sleep=0.2', ...small, 'sendbytes=2896', 'sleep=0.8', ...later, 'close'], 20_000);
    if (started === null) return;
    const { client, conn, since } = started;
    s.watch(
      watchConn(conn, 'timer', 'The delack timer starts with each lone segment; the ACK leaves when it fires', '每个单独的报文都会启动延迟确认定时器;定时器到期时发出 ACK'),
      watchKnob('delack_ms', 'delack_ms = 40 (Linux TCP_DELACK_MIN)', 'delack_ms = 40(Linux 的 TCP_DELACK_MIN)'),
      watchCounter('DelayedACKs', 'ACKs sent by the delayed-ACK timer', '由延迟确认定时器发出的 ACK'),
    );
    const delack0 = s.counter('DelayedACKs');
    await client.line((l) => l.step === 'sendbytes');
    await s.sleep(300);
    const p1 = ackTimings(s, conn, since);
    const smalls = p1.filter((t) => t.data.segment.len === 5);
    // Not sooner than delack_ms; up to 150 ms late, which still tells it from part 2's 200 ms.
    s.check('each lone small segment was ACKed after delack_ms (40 ms)', '每个单独的小报文都在 delack_ms(40 毫秒)之后被确认', '4 x 40 ms',
      show(smalls), smalls.length === 4 && smalls.every((t) => t.delay !== null && s.onTime(t.delay, 40, 150)));
    const full = p1.filter((t) => t.data.segment.len > 5);
    const pairAck = full.length === 2 ? full[1] : undefined;
    s.check('two full-sized segments: the ACK left at once after the second', '两个满长度报文:第二个之后立即发出 ACK', '2 segments, ACK < 10 ms after the second',
      `${full.length} segments${pairAck !== undefined ? `, ACK ${pairAck.delay === null ? 'missing' : `${ms(pairAck.delay)} after the second`}` : ''}`,
      pairAck !== undefined && pairAck.delay !== null && pairAck.delay < 10 && full[0].ack === pairAck.ack);
    s.check('DelayedACKs counted the timer\'s ACKs', 'DelayedACKs 统计了定时器发出的 ACK', '+4', `+${s.counter('DelayedACKs') - delack0}`, s.counter('DelayedACKs') - delack0 === 4);

    s.step('delack_ms = 200 (Linux TCP_DELACK_MAX): three more lone segments', 'delack_ms = 200(Linux 的 TCP_DELACK_MAX):再发三个单独的报文');
    s.setKnob('delack_ms', 200);
    s.watch(watchKnob('delack_ms', 'delack_ms = 200 now', '现在 delack_ms = 200'), watchConn(conn, 'timer', 'The delack timer now runs 200 ms', '延迟确认定时器现在是 200 毫秒'));
    const since2 = s.seen.lastSeq;
    await client.done;
    await s.sleep(300);
    const p2 = ackTimings(s, conn, since2).filter((t) => t.data.segment.len === 5);
    // Not sooner than 200 ms; up to 500 ms late on a busy machine.
    s.check('each was ACKed after 200 ms', '每个都在 200 毫秒之后被确认', '3 x 200 ms', show(p2), p2.length === 3 && p2.every((t) => t.delay !== null && s.onTime(t.delay, 200, 500)));
  },
});
