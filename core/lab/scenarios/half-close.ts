// half-close: one side shuts down writing (FIN) and keeps receiving.
// Part 1: the kernel client sends a request and shutdown(SHUT_WR); the lab, in CLOSE-WAIT,
// sends 200 KB back before closing. Part 2: the lab sends a request and shuts down; in
// FIN-WAIT-2 it receives 100 KB from the kernel server.
import { createHash } from 'node:crypto';
import { defineScenario, watchConn } from './framework.ts';
import { newBytes } from './observe.ts';
import { drain, stepLine, toolOk } from './util.ts';

const LAB_PORT = 7301;
const KERNEL_PORT = 7302;
const ANSWER = 200_000;
const KERNEL_SENDS = 100_000;

function answer(n: number): string {
  const line = 'the lab keeps sending after your FIN\n';
  return line.repeat(Math.ceil(n / Buffer.byteLength(line))).slice(0, n);
}

export const halfClose = defineScenario({
  name: 'half-close',
  title: 'Half-close: data keeps flowing after one FIN',
  titleZh: '半关闭:一方发出 FIN 之后数据仍在流动',
  summary: 'The kernel shuts down writing and still receives 200 KB from the lab in CLOSE-WAIT; then the lab shuts down writing and still receives 100 KB in FIN-WAIT-2.',
  summaryZh: '内核关闭写方向后,仍从处于 CLOSE-WAIT 的实验室收到 200 KB;然后实验室关闭写方向,在 FIN-WAIT-2 中仍收到 100 KB。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: a FIN only means "I have nothing more to send". The side that receives it ACKs it, enters CLOSE-WAIT and may go on sending as long as it likes; the side that sent it (FIN-WAIT-2) must go on receiving. That is why closing takes four segments where opening takes three. This is right, and this scenario shows it both ways.',
      'How programs do it: shutdown(fd, SHUT_WR) sends the FIN and leaves the socket open for reading; close() gives the socket up. On Linux the difference matters: after close(), data that still arrives is answered with RST (the socket is orphaned), and close() with unread data in the receive queue sends RST instead of FIN. tcp_fin_timeout (60 s) limits FIN-WAIT-2 only for such orphaned sockets; a half-closed socket that is still open may stay in FIN-WAIT-2 as long as the peer keeps sending.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:FIN 只表示"我没有数据要发了"。收到 FIN 的一方确认它,进入 CLOSE-WAIT,之后想发多久就发多久;发出 FIN 的一方(FIN-WAIT-2)必须继续接收。这就是为什么建立连接三次、关闭连接要四次。这是对的,本场景从两个方向演示。',
      '程序怎么做:shutdown(fd, SHUT_WR) 发送 FIN,套接字仍可读;close() 则放弃这个套接字。在 Linux 上区别很重要:close() 之后再到达的数据会被回以 RST(套接字成了孤儿),接收队列里还有未读数据时 close() 发送的是 RST 而不是 FIN。tcp_fin_timeout(60 秒)只限制这类孤儿套接字在 FIN-WAIT-2 的时间;仍然打开的半关闭套接字只要对方还在发送,就可以一直停留在 FIN-WAIT-2。',
    ].join('\n\n'),
  },
  async run(s) {
    s.setKnob('msl', 2);
    // ---- part 1: the kernel half-closes ---------------------------------------------------
    s.step(`Part 1: a kernel client connects to ${s.labAddr}:${LAB_PORT}, sends a request and shuts down writing; the lab answers with ${ANSWER / 1000} KB`,
      `第 1 部分:内核客户端连接 ${s.labAddr}:${LAB_PORT},发送请求后关闭写方向;实验室回送 ${ANSWER / 1000} KB`);
    s.listen(LAB_PORT, { responder: 'manual' });
    const started = await s.kernelClient(LAB_PORT, ['timeout=10', `connect=${s.labAddr}:${LAB_PORT}`, 'send=request\\n', 'shutdown', 'recvall', 'close'], 20_000);
    if (started === null) return;
    const { client, conn } = started;
    s.watch(watchConn(conn, 'state', 'The kernel\'s FIN puts us in CLOSE-WAIT; we keep sending (Send-Q) until we close', '内核的 FIN 使我们进入 CLOSE-WAIT;关闭之前我们继续发送(Send-Q)'));
    await s.until(() => s.row(conn)?.state === 'CLOSE-WAIT', 5000);
    drain(s, conn);
    const data = answer(ANSWER);
    const sha = createHash('sha256').update(data).digest('hex');
    let off = 0;
    while (off < data.length && s.row(conn) !== null) {
      const r = s.lab.handlers.send({ conn, data: data.slice(off, off + 65536), encoding: 'utf8' }) as { written: number };
      off += r.written;
      if (r.written === 0) await s.sleep(5);
    }
    await s.until(() => (s.row(conn)?.sendQ ?? 0) === 0, 5000);
    s.lab.handlers.close({ conn });
    const got = await client.done;
    await s.until(() => s.row(conn) === null, 3000);
    const inCloseWait = newBytes(s.seen.segments(conn).filter((e) => e.dir === 'out' && e.state === 'CLOSE-WAIT'));
    s.check('the lab sent data while in CLOSE-WAIT', '实验室在 CLOSE-WAIT 状态下发送了数据', `${ANSWER} bytes`, `${inCloseWait} bytes`, inCloseWait >= ANSWER);
    const all = stepLine(got.lines, 'recvall');
    s.check('the kernel received all of it after its own FIN', '内核在发出自己的 FIN 之后收到了全部数据', `${ANSWER} bytes, sha256 ${sha.slice(0, 12)}…`,
      all === undefined ? toolOk(got) : `${String(all.bytes)} bytes, sha256 ${String(all.sha256).slice(0, 12)}…`, all?.bytes === ANSWER && all.sha256 === sha);
    const p1 = s.seen.path(conn);
    s.check('lab states', '实验室一侧的状态', 'ESTABLISHED, CLOSE-WAIT, LAST-ACK, CLOSED', p1.slice(1).join(', '), p1.slice(1).join(',') === 'ESTABLISHED,CLOSE-WAIT,LAST-ACK,CLOSED');

    // ---- part 2: the lab half-closes ------------------------------------------------------
    s.step(`Part 2: the lab connects to ${s.kernelAddr}:${KERNEL_PORT}, sends a request and shuts down writing; the kernel answers with ${KERNEL_SENDS / 1000} KB`,
      `第 2 部分:实验室连接 ${s.kernelAddr}:${KERNEL_PORT},发送请求后关闭写方向;内核回送 ${KERNEL_SENDS / 1000} KB`);
    const server = s.kernel.tool(['timeout=10', `listen=${KERNEL_PORT}`, 'accept', 'recvall', `sendbytes=${KERNEL_SENDS}`, 'close'], 20_000);
    if ((await server.line((l) => l.step === 'listen')) === null) {
      s.check('the kernel server started', '内核服务器启动了', 'listening', toolOk(await server.done), false);
      return;
    }
    const c2 = s.connect(KERNEL_PORT);
    s.watch(watchConn(c2, 'state', 'After shutdown(): FIN-WAIT-1, FIN-WAIT-2, and Recv-Q still grows', 'shutdown() 之后:FIN-WAIT-1、FIN-WAIT-2,而 Recv-Q 仍在增长'));
    await s.until(() => s.row(c2)?.state === 'ESTABLISHED', 5000);
    s.lab.handlers.send({ conn: c2, data: 'request\n', encoding: 'utf8' });
    s.lab.handlers.shutdown({ conn: c2 });
    let received = 0;
    await s.until(() => {
      received += drain(s, c2);
      const st = s.row(c2)?.state;
      return st === undefined || st === 'TIME-WAIT';
    }, 10_000);
    received += drain(s, c2);
    const served = await server.done;
    const finSent = s.seen.states(c2).find((e) => e.to === 'FIN-WAIT-1')?.seq ?? Infinity;
    const inFw2 = newBytes(s.seen.segments(c2).filter((e) => e.dir === 'in' && e.seq > finSent));
    s.check('the lab received data after its FIN (FIN-WAIT-1/2)', '实验室在发出 FIN 之后(FIN-WAIT-1/2)收到了数据', `${KERNEL_SENDS} bytes`,
      `${inFw2} bytes (read ${received})`, inFw2 === KERNEL_SENDS && received === KERNEL_SENDS);
    const req = stepLine(served.lines, 'recvall');
    s.check('the kernel read our request up to our FIN', '内核读到我们的请求,直到我们的 FIN', '8 bytes then end of stream',
      req === undefined ? toolOk(served) : `${String(req.bytes)} bytes then end of stream`, req?.bytes === 8);
    const p2 = s.seen.path(c2);
    s.check('lab states', '实验室一侧的状态', 'SYN-SENT, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT', p2.slice(0, 5).join(', '),
      p2.slice(0, 5).join(',') === 'SYN-SENT,ESTABLISHED,FIN-WAIT-1,FIN-WAIT-2,TIME-WAIT');
  },
});
