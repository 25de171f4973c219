// close: the four-way close from each side. MSL is shortened (knob msl = 2 s, TIME-WAIT 4 s) so
// TIME-WAIT can be watched to its end on the lab's side; the kernel's TIME-WAIT (60 s, fixed in
// Linux) is shown with ss inside the namespace.
import { defineScenario, watchConn, watchKnob } from './framework.ts';
import { ms } from './observe.ts';
import { drain, toolOk } from './util.ts';

const LAB_PORT = 7201;
const KERNEL_PORT = 7202;
const MSL_S = 2;

export const close = defineScenario({
  name: 'close',
  title: 'Four-way close from each side, TIME-WAIT for 2*MSL',
  titleZh: '双方各自发起的四次挥手,TIME-WAIT 持续 2*MSL',
  summary: 'The lab closes first (FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 2*MSL with MSL shortened to 2 s), then the kernel closes first (CLOSE-WAIT, LAST-ACK on the lab; TIME-WAIT on the kernel).',
  summaryZh: '先由实验室主动关闭(FIN-WAIT-1、FIN-WAIT-2、TIME-WAIT 持续 2*MSL,MSL 缩短为 2 秒),再由内核主动关闭(实验室经历 CLOSE-WAIT、LAST-ACK;内核进入 TIME-WAIT)。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: the side that closes first sends FIN and enters FIN-WAIT-1; the other side ACKs it and enters CLOSE-WAIT (the connection is half-closed: it may still send); the first side, on that ACK, enters FIN-WAIT-2. When the second side closes it sends its FIN and enters LAST-ACK; the first side ACKs it and enters TIME-WAIT, where it stays 2*MSL before CLOSED, so that a lost last ACK can be repeated (the peer retransmits its FIN) and old segments die out. A FIN consumes one sequence number, like a SYN. All of that is what you will see.',
      'Where Linux differs: RFC 793 sets MSL to 2 minutes (TIME-WAIT 4 minutes); Linux does not use a configurable MSL at all: TIME-WAIT is the constant TCP_TIMEWAIT_LEN = 60 s. net.ipv4.tcp_fin_timeout is often mistaken for it; it is the lifetime of an orphaned FIN-WAIT-2 connection. The lab\'s msl knob (default 30 s, so 60 s like Linux) exists so TIME-WAIT can be watched; this scenario sets it to 2 s and restores it afterwards. The kernel\'s own TIME-WAIT, seen with ss in part 2, stays 60 s.',
      'In practice the close is often three segments: when the application closes right after reading the FIN, Linux sends its FIN together with the ACK (FIN+ACK), and the first side goes from FIN-WAIT-1 straight to TIME-WAIT, as one article notes. The lab ACKs a FIN at once, so its side always shows four.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:先关闭的一方发送 FIN,进入 FIN-WAIT-1;另一方确认它并进入 CLOSE-WAIT(半关闭:它仍然可以发送数据);先关闭的一方收到这个 ACK 后进入 FIN-WAIT-2。第二方关闭时发送自己的 FIN,进入 LAST-ACK;第一方确认后进入 TIME-WAIT,等待 2*MSL 才进入 CLOSED,以便在最后的 ACK 丢失时能够重发(对方会重传 FIN),并让旧报文在网络中消失。FIN 和 SYN 一样占用一个序号。这些你都会看到。',
      'Linux 的不同之处:RFC 793 规定 MSL 为 2 分钟(TIME-WAIT 为 4 分钟);Linux 根本不用可配置的 MSL:TIME-WAIT 是常量 TCP_TIMEWAIT_LEN = 60 秒。net.ipv4.tcp_fin_timeout 常被误认为是它,其实它是孤儿连接在 FIN-WAIT-2 的存活时间。实验室的 msl 旋钮(默认 30 秒,即与 Linux 一样的 60 秒)是为了能看清 TIME-WAIT;本场景把它设为 2 秒,结束后恢复。第 2 部分用 ss 看到的内核自己的 TIME-WAIT 仍然是 60 秒。',
      '实际中挥手常常只有三个报文:如果应用读到 FIN 后立即关闭,Linux 会把自己的 FIN 和 ACK 合并发送(FIN+ACK),第一方从 FIN-WAIT-1 直接进入 TIME-WAIT,正如一篇文章所说。实验室收到 FIN 会立即确认,所以它这一侧总是四个报文。',
    ].join('\n\n'),
  },
  async run(s) {
    s.setKnob('msl', MSL_S);
    // ---- part 1: the lab closes first -----------------------------------------------------
    s.step(`Part 1: MSL is set to ${MSL_S} s (TIME-WAIT ${2 * MSL_S} s). A kernel client connects to ${s.labAddr}:${LAB_PORT}; the lab closes first`,
      `第 1 部分:MSL 设为 ${MSL_S} 秒(TIME-WAIT ${2 * MSL_S} 秒)。内核客户端连接 ${s.labAddr}:${LAB_PORT};实验室先关闭`);
    s.listen(LAB_PORT, { responder: 'manual' });
    const started = await s.kernelClient(LAB_PORT, ['timeout=10', `connect=${s.labAddr}:${LAB_PORT}`, 'recvall', 'ss', 'sleep=1', 'close'], 20_000);
    if (started === null) return;
    const { client, conn } = started;
    await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 2000);
    await s.sleep(300);
    s.watch(
      watchConn(conn, 'state', 'FIN-WAIT-1 until the kernel ACKs our FIN, FIN-WAIT-2 until its FIN (about 1 s), then TIME-WAIT',
        '在内核确认我们的 FIN 之前是 FIN-WAIT-1,在收到它的 FIN 之前(约 1 秒)是 FIN-WAIT-2,然后是 TIME-WAIT'),
      watchConn(conn, 'timer', `The time-wait timer counts down 2*MSL = ${2 * MSL_S} s`, `time-wait 定时器倒数 2*MSL = ${2 * MSL_S} 秒`),
      watchKnob('msl', `msl = ${MSL_S} s for this scenario (Linux: TIME-WAIT fixed at 60 s)`, `本场景 msl = ${MSL_S} 秒(Linux:TIME-WAIT 固定 60 秒)`),
    );
    s.lab.handlers.close({ conn });
    const kernelSide = await client.done;
    await s.until(() => s.row(conn) === null, 2 * MSL_S * 1000 + 3000);
    const path = s.seen.path(conn);
    const afterEst = path.slice(path.indexOf('ESTABLISHED') + 1);
    s.check('lab states after its close()', '实验室调用 close() 之后的状态', 'FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSED',
      afterEst.join(', '), afterEst.join(',') === 'FIN-WAIT-1,FIN-WAIT-2,TIME-WAIT,CLOSED');
    const tw = s.seen.enteredAt(conn, 'TIME-WAIT');
    const end = s.seen.states(conn).find((e) => e.from === 'TIME-WAIT')?.at ?? null;
    const dur = tw !== null && end !== null ? end - tw : null;
    // Not shorter; up to 1 s late on a busy machine (a restarted TIME-WAIT would last twice as long).
    s.check('TIME-WAIT lasted 2*MSL', 'TIME-WAIT 持续了 2*MSL', ms(2 * MSL_S * 1000), dur === null ? 'did not end' : ms(dur),
      dur !== null && s.onTime(dur, 2 * MSL_S * 1000, 1000));
    const ssLine = kernelSide.lines.find((l) => l.step === 'ss');
    const kernelCW = Array.isArray(ssLine?.lines) && (ssLine.lines as string[]).some((l) => l.startsWith('CLOSE-WAIT') && l.includes(`${s.labAddr}:${LAB_PORT}`));
    s.check('meanwhile the kernel socket was in CLOSE-WAIT (ss -tan)', '此时内核的套接字处于 CLOSE-WAIT(ss -tan)', 'CLOSE-WAIT',
      kernelCW ? 'CLOSE-WAIT' : `not seen (${toolOk(kernelSide)})`, kernelCW);

    // ---- part 2: the kernel closes first --------------------------------------------------
    s.step(`Part 2: the lab connects to a kernel server on ${s.kernelAddr}:${KERNEL_PORT}, which sends a line and closes first`,
      `第 2 部分:实验室连接 ${s.kernelAddr}:${KERNEL_PORT} 上的内核服务器,它发送一行数据后先关闭`);
    const server = s.kernel.tool(['timeout=10', `listen=${KERNEL_PORT}`, 'accept', 'send=bye\\n', 'close'], 20_000);
    if ((await server.line((l) => l.step === 'listen')) === null) {
      s.check('the kernel server started', '内核服务器启动了', 'listening', toolOk(await server.done), false);
      return;
    }
    const c2 = s.connect(KERNEL_PORT);
    s.watch(watchConn(c2, 'state', 'The kernel\'s FIN puts us in CLOSE-WAIT: we may still send. We stay there 1 s, then close: LAST-ACK, CLOSED',
      '内核的 FIN 让我们进入 CLOSE-WAIT:我们仍可发送。停留 1 秒后关闭:LAST-ACK,CLOSED'));
    await s.until(() => s.row(c2)?.state === 'CLOSE-WAIT', 5000);
    drain(s, c2); // take the line, so close() sends FIN, not RST
    await s.sleep(1000);
    if (s.row(c2) !== null) s.lab.handlers.close({ conn: c2 });
    await server.done;
    await s.until(() => s.row(c2) === null, 3000);
    const p2 = s.seen.path(c2);
    const after2 = p2.slice(p2.indexOf('ESTABLISHED') + 1);
    s.check('lab states when the kernel closes first', '内核先关闭时实验室一侧的状态', 'CLOSE-WAIT, LAST-ACK, CLOSED', after2.join(', '),
      after2.join(',') === 'CLOSE-WAIT,LAST-ACK,CLOSED');
    const row = s.lab.stack.snapshot().connections.find((r) => r.id === c2);
    const localPort = s.seen.segments(c2).find((e) => e.dir === 'out')?.segment.srcPort ?? row?.local ?? '?';
    const kernelTw = await s.kernel.ssLines('TIME-WAIT');
    const tuple = `${s.kernelAddr}:${KERNEL_PORT}`;
    const twLine = kernelTw.find((l) => l.includes(tuple) && l.includes(`${s.labAddr}:${localPort}`));
    s.check('the kernel, which closed first, is in TIME-WAIT (ss -tan state time-wait; 60 s on Linux)', '先关闭的内核处于 TIME-WAIT(ss -tan state time-wait;Linux 上为 60 秒)',
      `${tuple} ${s.labAddr}:${localPort}`, twLine ?? 'not listed', twLine !== undefined);
  },
});
