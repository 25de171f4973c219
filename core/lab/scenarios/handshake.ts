// handshake: the three-way handshake both ways, with the kernel as the other side.
// Part 1: a kernel client (python) connects to a lab listener (passive open on the lab side).
// Part 2: the lab connects to a kernel server (active open on the lab side).
// Checked: SYN, SYN-ACK, ACK with ack = seq + 1 each way, and the states on the lab's side.
import type { SegmentEvent } from '../../api/events.ts';
import { defineScenario, watchConn, watchListener, watchSegment, type ScenarioRun } from './framework.ts';
import { isFlags } from './observe.ts';
import { kernelPort, toolOk } from './util.ts';

const LAB_PORT = 7101;
const KERNEL_PORT = 7102;

const u32 = (n: number): number => n >>> 0;

interface Three { syn: SegmentEvent | undefined; synAck: SegmentEvent | undefined; ack: SegmentEvent | undefined }

/** The handshake's three segments on a connection, seen from the lab: `active` when the lab sent the SYN. */
function three(s: ScenarioRun, conn: number, active: boolean): Three {
  const segs = s.seen.segments(conn);
  const synDir = active ? 'out' : 'in';
  const other = active ? 'in' : 'out';
  const syn = segs.find((e) => e.dir === synDir && isFlags(e, 'S'));
  const synAck = segs.find((e) => e.dir === other && isFlags(e, 'S.'));
  const ack = segs.find((e) => e.dir === synDir && e.segment.ack !== null && !e.segment.flags.includes('S') &&
    synAck !== undefined && e.segment.ack === u32(synAck.segment.seq + 1));
  return { syn, synAck, ack };
}

function checkThree(s: ScenarioRun, t: Three, who: { client: string; server: string; clientZh: string; serverZh: string }): void {
  const { syn, synAck, ack } = t;
  s.check(`${who.client} sent a SYN, ${who.server} answered SYN-ACK`, `${who.clientZh}发出 SYN,${who.serverZh}回复 SYN-ACK`,
    'SYN then SYN-ACK', `${syn ? 'SYN' : 'no SYN'} then ${synAck ? 'SYN-ACK' : 'no SYN-ACK'}`, syn !== undefined && synAck !== undefined);
  if (syn === undefined || synAck === undefined) return;
  const x = syn.segment.seq;
  const y = synAck.segment.seq;
  s.check('SYN-ACK acknowledges the SYN: ack = x + 1', 'SYN-ACK 确认 SYN:ack = x + 1',
    `ack ${u32(x + 1)} (x = ${x})`, `ack ${synAck.segment.ack ?? 'none'}`, synAck.segment.ack === u32(x + 1));
  s.check('third segment: seq = x + 1, ack = y + 1', '第三个报文:seq = x + 1,ack = y + 1',
    `seq ${u32(x + 1)} ack ${u32(y + 1)}`, ack === undefined ? 'no such ACK' : `seq ${ack.segment.seq} ack ${ack.segment.ack}`,
    ack !== undefined && ack.segment.seq === u32(x + 1));
}

export const handshake = defineScenario({
  name: 'handshake',
  title: 'Three-way handshake, passive and active',
  titleZh: '三次握手(被动打开与主动打开)',
  summary: 'The kernel connects to the lab, then the lab connects to the kernel: SYN, SYN-ACK, ACK, with ack = seq + 1 each way.',
  summaryZh: '内核连接实验室,然后实验室连接内核:SYN、SYN-ACK、ACK,每个方向都是 ack = seq + 1。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: the client sends SYN (seq = x) and enters SYN-SENT; the server answers SYN+ACK (seq = y, ack = x + 1) and enters SYN-RECEIVED; the client answers ACK (seq = x + 1, ack = y + 1) and both are ESTABLISHED. A SYN carries no data but consumes one sequence number, hence ack = seq + 1. That is exactly what you will see on the ladder.',
      'Where it differs: one article writes "Seq=X (X is usually 1)". The 1 is Wireshark\'s relative sequence number; the number on the wire is a random-looking 32-bit ISN (RFC 6528, see the isn scenario). The ladder here shows the real numbers.',
      'What Linux adds: the SYN carries options, in Linux\'s order mss 1460, sackOK, TS val/ecr, nop, wscale N (the lab offers 7; Linux derives its shift from its buffer sizes, often 7 to 10); each only counts when both sides offer it. The SYN and SYN-ACK window is never scaled. Until the third segment arrives Linux keeps only a small request in the SYN queue, not a full socket; so does the lab, which shows the request as a SYN-RECEIVED row until the ACK makes it a connection. The client may put data on the third segment; Linux then completes the handshake with that segment.',
      'Why three: the articles argue that both sides must learn that sending and receiving work. RFC 9293 gives the reason that matters: the third segment lets the server tell a live SYN from an old duplicate one.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:客户端发送 SYN(seq = x)进入 SYN-SENT;服务器回复 SYN+ACK(seq = y,ack = x + 1)进入 SYN-RECEIVED;客户端回复 ACK(seq = x + 1,ack = y + 1),双方进入 ESTABLISHED。SYN 不携带数据但占用一个序号,所以 ack = seq + 1。这正是梯形图上看到的内容。',
      '不同之处:有一篇文章写"Seq=X(X一般为1)"。这个 1 是 Wireshark 显示的相对序号;线路上的真实序号是一个看似随机的 32 位 ISN(RFC 6528,见 isn 场景)。这里的梯形图显示真实数值。',
      'Linux 还做了什么:SYN 携带选项,Linux 的顺序是 mss 1460、sackOK、TS val/ecr、nop、wscale N(实验室提供 7;Linux 根据缓冲区大小得出移位数,常见为 7 到 10);只有双方都提供时选项才生效。SYN 和 SYN-ACK 中的窗口从不缩放。在第三个报文到达之前,Linux 只在半连接队列里保存一个很小的请求,而不是完整的套接字;实验室也一样,并在 ACK 把它变成连接之前,把这个请求显示为一行 SYN-RECEIVED。客户端可以在第三个报文里携带数据,Linux 用这个报文完成握手。',
      '为什么是三次:文章的论证是双方都要确认自己和对方的收发能力正常。RFC 9293 给出的真正理由是:第三个报文让服务器能区分有效的 SYN 和网络中滞留的旧重复 SYN。',
    ].join('\n\n'),
  },
  async run(s) {
    // ---- part 1: the kernel connects to the lab -------------------------------------------
    s.step(`Part 1: the lab listens on ${s.labAddr}:${LAB_PORT}; a kernel client (python) connects and sends an HTTP request`,
      `第 1 部分:实验室在 ${s.labAddr}:${LAB_PORT} 监听;内核客户端(python)连接并发送一个 HTTP 请求`);
    const listener = s.listen(LAB_PORT, { responder: 'http' });
    s.watch(watchListener(listener, 'synQueue', 'The SYN puts a request into the SYN queue; the third segment moves it to the accept queue',
      'SYN 把请求放进半连接队列;第三个报文把它移到全连接队列'));
    const since1 = s.seen.lastSeq;
    const client = await s.kernel.tool(['timeout=5', `connect=${s.labAddr}:${LAB_PORT}`, 'send=GET / HTTP/1.0\\r\\n\\r\\n', 'recvall', 'close'], 15_000).done;
    const kport = kernelPort(client.lines);
    const passive = kport === null ? null : s.seen.connByPorts(LAB_PORT, kport, since1);
    if (passive === null) {
      s.check('the kernel client connected to the lab', '内核客户端连上了实验室', 'a connection', `none (${client.stderr.trim() || 'no output'})`, false);
    } else {
      const t = three(s, passive, false);
      s.watch(
        ...[t.syn, t.synAck, t.ack].filter((e): e is SegmentEvent => e !== undefined).map((e, i) => watchSegment(e.seq,
          ['1: SYN, seq = x (the kernel\'s ISN)', '2: SYN-ACK, seq = y (our ISN), ack = x + 1', '3: ACK, seq = x + 1, ack = y + 1'][i],
          ['1:SYN,seq = x(内核的 ISN)', '2:SYN-ACK,seq = y(我们的 ISN),ack = x + 1', '3:ACK,seq = x + 1,ack = y + 1'][i])),
        watchConn(passive, 'state', 'Passive open: LISTEN -> SYN-RECEIVED -> ESTABLISHED', '被动打开:LISTEN -> SYN-RECEIVED -> ESTABLISHED'),
      );
      checkThree(s, t, { client: 'the kernel', server: 'the lab', clientZh: '内核', serverZh: '实验室' });
      const path = s.seen.path(passive);
      s.check('lab states (passive open)', '实验室一侧的状态(被动打开)', 'SYN-RECEIVED, ESTABLISHED, ...',
        path.join(', '), path[0] === 'SYN-RECEIVED' && path[1] === 'ESTABLISHED');
    }
    const body = client.lines.find((l) => l.step === 'recvall');
    s.check('the kernel client got the HTTP answer', '内核客户端收到了 HTTP 响应', 'bytes > 0',
      body === undefined ? `no answer (${toolOk(client)})` : `${String(body.bytes)} bytes`, typeof body?.bytes === 'number' && body.bytes > 0);
    await s.sleep(300);

    // ---- part 2: the lab connects to the kernel -------------------------------------------
    s.step(`Part 2: a kernel server listens on ${s.kernelAddr}:${KERNEL_PORT}; the lab connects to it`,
      `第 2 部分:内核服务器在 ${s.kernelAddr}:${KERNEL_PORT} 监听;实验室去连接它`);
    const server = s.kernel.tool(['timeout=10', `listen=${KERNEL_PORT}`, 'accept', 'recv', 'send=hello from Linux\\n', 'close'], 20_000);
    if ((await server.line((l) => l.step === 'listen')) === null) {
      s.check('the kernel server started', '内核服务器启动了', 'listening', (await server.done).stderr.trim() || 'it did not start', false);
      return;
    }
    const conn = s.connect(KERNEL_PORT);
    s.watch(watchConn(conn, 'state', 'Active open: SYN-SENT until the SYN-ACK arrives, then ESTABLISHED', '主动打开:收到 SYN-ACK 之前是 SYN-SENT,之后是 ESTABLISHED'));
    await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 5000);
    if (s.row(conn)?.state === 'ESTABLISHED') s.lab.handlers.send({ conn, data: 'hello from the lab\n', encoding: 'utf8' });
    const served = await server.done;
    await s.until(() => s.row(conn)?.state === 'CLOSE-WAIT', 2000);
    if (s.row(conn) !== null) s.lab.handlers.close({ conn });
    const t = three(s, conn, true);
    s.watch(
      ...[t.syn, t.synAck, t.ack].filter((e): e is SegmentEvent => e !== undefined).map((e, i) => watchSegment(e.seq,
        ['1: our SYN, seq = x', '2: the kernel\'s SYN-ACK, seq = y, ack = x + 1', '3: our ACK, ack = y + 1'][i],
        ['1:我们的 SYN,seq = x', '2:内核的 SYN-ACK,seq = y,ack = x + 1', '3:我们的 ACK,ack = y + 1'][i])),
      watchConn(conn, 'iss', 'iss is our ISN (x), irs the kernel\'s (y)', 'iss 是我们的 ISN(x),irs 是内核的(y)'),
    );
    checkThree(s, t, { client: 'the lab', server: 'the kernel', clientZh: '实验室', serverZh: '内核' });
    const path = s.seen.path(conn);
    s.check('lab states (active open)', '实验室一侧的状态(主动打开)', 'SYN-SENT, ESTABLISHED, ...', path.join(', '),
      path[0] === 'SYN-SENT' && path[1] === 'ESTABLISHED');
    const got = served.lines.find((l) => l.step === 'recv');
    s.check('the kernel server accepted and read our data', '内核服务器接受了连接并读到我们的数据', 'hello from the lab',
      typeof got?.text === 'string' ? JSON.stringify(got.text.trim()) : toolOk(served), typeof got?.text === 'string' && got.text.includes('hello from the lab'));
  },
});
