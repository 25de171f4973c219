// nagle: Nagle's algorithm on both sides. Part 1: the lab writes ten 10-byte pieces at once:
// with Nagle, the first goes out and the rest wait for its ACK and leave as one segment; with
// TCP_NODELAY, ten segments. Part 2: the kernel writes two small pieces (write, write) while
// the lab delays its ACKs by 100 ms: with Nagle the second waits for that ACK (the classic
// Nagle + delayed-ACK stall); with TCP_NODELAY it leaves at once.
import { defineScenario, watchConn, watchKnob, type ScenarioRun } from './framework.ts';
import { ms } from './observe.ts';
import { kernelPort, toolOk } from './util.ts';

const SINK_PORT = 8002;
const LAB_PORT = 8003;
const PIECES = 10;
// Part 2's delayed ACK: below the kernel's 200 ms minimum RTO (its tail-loss probe for a lone
// segment comes at about the same time), so it is our ACK, not the kernel's timer, that releases
// the second piece, with 100 ms to spare for a busy machine on either side: a late ACK (Nagle) or
// a kernel program scheduled late between its two writes (TCP_NODELAY).
const DELACK = 100;

/** Ten writes on a lab connection to a kernel sink; returns the data segments that went out. */
async function tenWrites(s: ScenarioRun, port: number, nodelay: boolean): Promise<{ segments: number; sizes: number[] } | null> {
  const job = s.kernel.tool(['timeout=10', `listen=${port}`, 'accept', 'recvall', 'close'], 20_000);
  if ((await job.line((l) => l.step === 'listen')) === null) {
    s.check('the kernel sink started', '内核接收端启动了', 'listening', toolOk(await job.done), false);
    return null;
  }
  const conn = s.connect(port, { socket: { nodelay } });
  await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 3000);
  s.watch(watchConn(conn, 'sndNxt', nodelay ? 'TCP_NODELAY: every write leaves at once' : 'Nagle: small writes wait while a small segment is unacknowledged',
    nodelay ? 'TCP_NODELAY:每次写入立即发出' : 'Nagle:有未确认的小报文时,小的写入要等待'));
  const since = s.seen.lastSeq;
  for (let i = 0; i < PIECES; i++) s.lab.handlers.send({ conn, data: `piece ${i}..\n`, encoding: 'utf8' });
  await s.until(() => s.row(conn)?.sendQ === 0, 3000);
  s.lab.handlers.close({ conn });
  await job.done;
  const sizes = s.seen.segments(conn, since).filter((e) => e.dir === 'out' && e.segment.len > 0).map((e) => e.segment.len);
  return { segments: sizes.length, sizes };
}

/**
 * The kernel writes two pieces back to back: the gap between the two segments on the wire, and
 * whether the second came only after our ACK of the first (what Nagle waits for).
 */
async function writeWrite(s: ScenarioRun, nodelay: boolean): Promise<{ gap: number; afterOurAck: boolean } | null> {
  const since = s.seen.lastSeq;
  const job = s.kernel.tool(['timeout=5', `connect=${s.labAddr}:${LAB_PORT}`, ...(nodelay ? ['nodelay'] : []), 'sleep=0.1', 'writes=2:10', 'sleep=0.5', 'close'], 10_000);
  const r = await job.done;
  const kport = kernelPort(r.lines);
  const conn = kport === null ? null : s.seen.connByPorts(LAB_PORT, kport, since);
  if (conn === null) {
    s.check('the kernel client connected', '内核客户端连上了', 'a connection', toolOk(r), false);
    return null;
  }
  const segs = s.seen.segments(conn, since);
  const data = segs.filter((e) => e.dir === 'in' && e.segment.len > 0);
  if (data.length < 2) return data.length === 1 ? { gap: 0, afterOurAck: false } : null;
  const end = (data[0].segment.seq + data[0].segment.len) >>> 0;
  const ack = segs.find((e) => e.dir === 'out' && e.seq > data[0].seq && e.segment.ack !== null && ((e.segment.ack - end) | 0) >= 0);
  return { gap: data[1].at - data[0].at, afterOurAck: ack !== undefined && ack.seq < data[1].seq };
}

const gapText = (w: { gap: number; afterOurAck: boolean } | null): string =>
  w === null ? 'no data' : `${ms(w.gap)}, ${w.afterOurAck ? 'after' : 'before'} our ACK of the first`;

export const nagle = defineScenario({
  name: 'nagle',
  title: 'Nagle\'s algorithm and TCP_NODELAY (and the delayed-ACK stall)',
  titleZh: 'Nagle 算法与 TCP_NODELAY(以及与延迟确认的相互等待)',
  summary: 'Ten small writes leave as two segments with Nagle and as ten with TCP_NODELAY. Then the kernel writes twice while the lab delays its ACKs: with Nagle the second write waits for the delayed ACK (100 ms), with TCP_NODELAY it does not.',
  summaryZh: '十次小的写入在 Nagle 下变成两个报文,在 TCP_NODELAY 下是十个。然后内核连续写两次,而实验室延迟确认:有 Nagle 时第二次写入要等延迟的 ACK(100 毫秒),TCP_NODELAY 时则不用等。',
  needs: 'any',
  explain: {
    en: [
      'The teaching material does not cover Nagle\'s algorithm. RFC 896 / RFC 1122 4.2.3.4: while a small segment is unacknowledged, further small writes are held and sent together when the ACK arrives (or when a full segment has gathered). It saves the network from floods of tiny segments (typing over telnet). Linux implements Minshall\'s variant (it holds only while a small segment is in flight) and turns it off per socket with TCP_NODELAY; the lab does the same (knob tcp_nodelay_default for new sockets).',
      'The trap: Nagle on the sender and delayed ACK on the receiver wait for each other. A program that writes a request in two pieces (write, write, read) sends the first at once; the second waits for an ACK, which the receiver delays because it has no reply yet: 40 ms on Linux (up to 200 ms), 100 ms here with delack_ms = 100 (below the kernel\'s 200 ms minimum RTO, so that our ACK, not the kernel\'s retransmission timer, releases the second piece). Part 2 shows exactly this stall on the kernel\'s own Nagle. Remedies: write the whole request at once (writev), or TCP_NODELAY, or TCP_CORK/MSG_MORE for deliberate batching.',
    ].join('\n\n'),
    zh: [
      '教材没有讲 Nagle 算法。RFC 896 / RFC 1122 4.2.3.4:当有一个小报文尚未被确认时,之后的小写入会被扣住,等 ACK 到达(或攒满一个满长度报文)时一起发送。它避免网络被大量微小报文淹没(如通过 telnet 打字)。Linux 实现的是 Minshall 变体(只在有小报文在途时才扣住),并可以用 TCP_NODELAY 按套接字关闭;实验室也是这样(旋钮 tcp_nodelay_default 用于新套接字)。',
      '陷阱:发送方的 Nagle 与接收方的延迟确认会互相等待。一个分两次写入请求的程序(write、write、read)会立即发出第一段;第二段要等 ACK,而接收方因为还没有应答可发而延迟 ACK:Linux 上是 40 毫秒(最多 200 毫秒),这里 delack_ms = 100,即 100 毫秒(低于内核 200 毫秒的最小 RTO,这样放行第二段的是我们的 ACK,而不是内核的重传定时器)。第 2 部分正是用内核自己的 Nagle 演示这个等待。解决方法:一次写出整个请求(writev),或者用 TCP_NODELAY,或者用 TCP_CORK/MSG_MORE 有意地批量发送。',
    ].join('\n\n'),
  },
  async run(s) {
    // ---- part 1: the lab's Nagle -------------------------------------------------------------
    s.step(`Part 1: the lab writes ${PIECES} pieces of 10 bytes at once to a kernel sink, first with Nagle, then with TCP_NODELAY`,
      `第 1 部分:实验室一次向内核接收端写入 ${PIECES} 段 10 字节的数据,先用 Nagle,再用 TCP_NODELAY`);
    const withNagle = await tenWrites(s, SINK_PORT, false);
    if (withNagle === null) return;
    s.check('with Nagle: the first piece, then the other nine in one segment', '使用 Nagle:先发第一段,其余九段合成一个报文', '2 segments (10 + 90 bytes)',
      `${withNagle.segments} segments (${withNagle.sizes.join(' + ')} bytes)`, withNagle.segments === 2 && withNagle.sizes[0] === 10);
    const noDelay = await tenWrites(s, SINK_PORT + 10, true);
    if (noDelay === null) return;
    s.check('with TCP_NODELAY: one segment per write', '使用 TCP_NODELAY:每次写入一个报文', `${PIECES} segments`, `${noDelay.segments} segments`, noDelay.segments === PIECES);

    // ---- part 2: the kernel's Nagle against our delayed ACK -----------------------------------
    s.step(`Part 2: delack_ms = ${DELACK}. A kernel client writes twice (10 bytes, 10 bytes) to ${s.labAddr}:${LAB_PORT}, with Nagle, then with TCP_NODELAY`,
      `第 2 部分:delack_ms = ${DELACK}。内核客户端向 ${s.labAddr}:${LAB_PORT} 连续写两次(10 字节、10 字节),先用 Nagle,再用 TCP_NODELAY`);
    s.setKnob('delack_ms', DELACK);
    s.watch(watchKnob('delack_ms', `The lab delays its ACKs ${DELACK} ms: the kernel's second write waits for that ACK`, `实验室把 ACK 延迟 ${DELACK} 毫秒:内核的第二次写入要等这个 ACK`));
    s.listen(LAB_PORT, { responder: 'manual' });
    // Our ACK leaves delack_ms after the first segment arrived, not sooner (a lab timer), and the
    // kernel sends the second only on that ACK: at least delack_ms; late by what a busy machine
    // delays our ACK (more than 100 ms and the kernel's own timer would have sent it first).
    const stall = await writeWrite(s, false);
    s.check('kernel with Nagle: the second write waited for our delayed ACK', '内核使用 Nagle:第二次写入等待了我们的延迟 ACK', `~${DELACK} ms between the two segments, after our ACK of the first`,
      gapText(stall), stall !== null && stall.afterOurAck && s.onTime(stall.gap, DELACK, 500));
    // Not waiting shows as the second segment arriving before our (delayed) ACK of the first;
    // a gap in ms would also count how late the kernel's program was scheduled between its writes.
    const quick = await writeWrite(s, true);
    s.check('kernel with TCP_NODELAY: no wait', '内核使用 TCP_NODELAY:没有等待', 'the second segment before our ACK of the first', gapText(quick), quick !== null && !quick.afterOurAck);
  },
});
