// simultaneous-close: both sides close at the same moment; the fault injector holds the FINs
// (and the lab's ACK) on the wire so they cross, and both sides pass through CLOSING.
import { defineScenario, watchConn, watchFault } from './framework.ts';

const LAB_PORT = 7401;
// The FINs cross when the lab closes less than KERNEL_FIN_HOLD ms after the kernel (or less than
// LAB_OUT_HOLD ms before): the margin a busy machine's late lab timer (or late kernel program) has.
// The kernel stays in CLOSING for KERNEL_FIN_HOLD ms less that lateness, long enough for ss to see.
const KERNEL_FIN_HOLD = 500;
const LAB_OUT_HOLD = 800;
/** The kernel's states are read with ss for this long from just before the close (TIME-WAIT comes KERNEL_FIN_HOLD + LAB_OUT_HOLD after it). */
const WATCH_MS = 3000;

export const simultaneousClose = defineScenario({
  name: 'simultaneous-close',
  title: 'Simultaneous close: both FINs cross, both sides in CLOSING',
  titleZh: '同时关闭:两个 FIN 交叉,双方都进入 CLOSING',
  summary: 'The kernel and the lab close at the same moment; the fault injector holds the FINs so they cross in flight. Each side gets a FIN while its own is unacknowledged: CLOSING, then TIME-WAIT on both sides.',
  summaryZh: '内核和实验室在同一时刻关闭;故障注入器扣住 FIN,让它们在途中交叉。每一方都在自己的 FIN 尚未被确认时收到对方的 FIN:进入 CLOSING,然后双方都进入 TIME-WAIT。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says (the article on the states): CLOSING is rare; it happens when you have sent a FIN and, instead of the ACK for it, receive the peer\'s FIN, that is when both sides close at almost the same time. That is right.',
      'What happens then (RFC 9293, figure 13, and Linux): each side ACKs the other\'s FIN and waits in CLOSING for the ACK of its own; when it arrives, each side enters TIME-WAIT. So a simultaneous close leaves both sides in TIME-WAIT, not just one. On a real network the FINs cross only when the two close() calls are closer together than the round-trip time; here the round trip is microseconds, so the fault injector holds the kernel\'s FIN for 500 ms and everything the lab sends for 800 ms (watch the fault rules fire). The kernel\'s CLOSING is read with ss inside its namespace.',
    ].join('\n\n'),
    zh: [
      '教材怎么说(讲状态的那篇文章):CLOSING 很少见;当你发出 FIN 后,没有收到它的 ACK,反而收到了对方的 FIN,也就是双方几乎同时关闭时,就会出现。这是对的。',
      '接下来会怎样(RFC 9293 图 13,以及 Linux):每一方都确认对方的 FIN,并在 CLOSING 中等待对自己 FIN 的确认;确认到达后,双方都进入 TIME-WAIT。所以同时关闭会让双方都进入 TIME-WAIT,而不只是一方。在真实网络中,只有两次 close() 的间隔小于往返时间,FIN 才会交叉;这里往返时间只有几微秒,所以故障注入器把内核的 FIN 扣住 500 毫秒,把实验室发出的所有报文扣住 800 毫秒(注意观察故障规则的触发)。内核的 CLOSING 状态通过在它的命名空间里运行 ss 读取。',
    ].join('\n\n'),
  },
  async run(s) {
    s.setKnob('msl', 2);
    s.step(`A kernel client connects to ${s.labAddr}:${LAB_PORT}; both sides will close at the same moment`,
      `内核客户端连接 ${s.labAddr}:${LAB_PORT};双方将在同一时刻关闭`);
    s.listen(LAB_PORT, { responder: 'manual' });
    const at = s.kernel.wallNow() + 800;
    const started = await s.kernelClient(LAB_PORT, ['timeout=10', `connect=${s.labAddr}:${LAB_PORT}`, `until=${at}`, 'close'], 15_000);
    if (started === null) return;
    const { client, conn, kport } = started;
    await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 2000);
    const finRule = s.fault({ id: 'hold-kernel-fin', dir: 'in', port: LAB_PORT, hasFlags: 'F', count: 'all', action: { type: 'delay', ms: KERNEL_FIN_HOLD } });
    const outRule = s.fault({ id: 'hold-lab-output', dir: 'out', port: LAB_PORT, count: 'all', action: { type: 'delay', ms: LAB_OUT_HOLD } });
    // Watch the kernel's states while it closes: ss every 20 ms.
    const watcher = s.kernel.watchStates(kport ?? 0, WATCH_MS, 20);
    s.watch(
      watchConn(conn, 'state', 'FIN-WAIT-1 after our close(), CLOSING when the kernel\'s FIN arrives first, TIME-WAIT when our FIN is ACKed',
        'close() 之后是 FIN-WAIT-1,内核的 FIN 先到时进入 CLOSING,我们的 FIN 被确认后进入 TIME-WAIT'),
      watchFault(finRule, `The kernel's FIN is held ${KERNEL_FIN_HOLD} ms`, `内核的 FIN 被扣住 ${KERNEL_FIN_HOLD} 毫秒`),
      watchFault(outRule, `Everything the lab sends is held ${LAB_OUT_HOLD} ms, so our FIN crosses the kernel's`, `实验室发出的一切都被扣住 ${LAB_OUT_HOLD} 毫秒,让我们的 FIN 与内核的交叉`),
    );
    s.step('Both sides close now', '双方现在同时关闭');
    await s.sleep(Math.max(0, at - s.kernel.wallNow()));
    s.lab.handlers.close({ conn });
    await client.done;
    await s.until(() => s.row(conn) === null, 8000);
    const kernelStates = await watcher;
    const path = s.seen.path(conn);
    const after = path.slice(path.indexOf('ESTABLISHED') + 1);
    s.check('lab states after close()', '实验室调用 close() 之后的状态', 'FIN-WAIT-1, CLOSING, TIME-WAIT, CLOSED', after.join(', '),
      after.join(',') === 'FIN-WAIT-1,CLOSING,TIME-WAIT,CLOSED');
    const ourFin = s.seen.segments(conn).find((e) => e.dir === 'out' && e.segment.flags.includes('F'));
    const theirFin = s.seen.segments(conn).find((e) => e.dir === 'in' && e.segment.flags.includes('F'));
    const crossed = ourFin !== undefined && theirFin !== undefined && ourFin.segment.ack !== null &&
      ((ourFin.segment.ack - theirFin.segment.seq) | 0) <= 0;
    s.check('the FINs crossed: our FIN did not acknowledge the kernel\'s FIN', 'FIN 交叉:我们的 FIN 没有确认内核的 FIN',
      `our FIN's ack <= the kernel's FIN seq`, ourFin === undefined || theirFin === undefined ? 'a FIN is missing'
        : `ack ${ourFin.segment.ack}, kernel FIN seq ${theirFin.segment.seq}`, crossed);
    s.check('the kernel went through CLOSING too (ss)', '内核同样经历了 CLOSING(ss)', 'CLOSING, then TIME-WAIT',
      kernelStates.join(', ') || 'nothing seen', kernelStates.includes('CLOSING') && kernelStates.includes('TIME-WAIT'));
  },
});
