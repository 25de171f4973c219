// accept-overflow: a lab listener (backlog 2, so its accept queue holds 3) stops accepting. Five
// kernel clients connect: two one after another, two at once, one more. The accept queue
// fills; what happens to the last ones depends on tcp_abort_on_overflow (0: the ACK is dropped
// and the request waits; 1: RST). A SYN that arrives while the accept queue is full is dropped
// either way. Then the listener accepts again and the waiting ones get through.
//
// The lab's SYN-ACKs are held SYNACK_HOLD ms on the wire (a round trip of that length), so the
// two clients that connect "at once" both reach the SYN queue before either handshake completes
// even when the kernel-side program is scheduled late between its two connect() calls (on a busy
// machine the first handshake could otherwise complete before the second SYN is sent, and that
// SYN, not an ACK, would meet the full accept queue). The schedule leaves SYNACK_HOLD ms of slack
// on each side: client 2 is done before 3 and 4 start, client 5 starts after both are.
import { defineScenario, watchCounter, watchFault, watchKnob, watchListener, type ScenarioRun } from './framework.ts';
import type { ToolLine } from './kernel.ts';
import { ms } from './observe.ts';
import { toolOk } from './util.ts';

const BACKLOG = 2;
const RESUME_AFTER = 2500;
const SYNACK_HOLD = 100;
const SCHEDULE = [0, 200, 400, 400, 700];

interface Client { i: number; connected: number | null; error: string | null; bytes: number; first: number | null; start: number | null; wall: number; t: number; local?: string }

function clients(lines: readonly ToolLine[]): Client[] {
  return lines.filter((l) => l.step === 'conn') as unknown as Client[];
}

/** One round: listener on `port`, paused; the five clients; resume after RESUME_AFTER ms. */
async function round(s: ScenarioRun, port: number, abort: 0 | 1): Promise<{ listener: number; cl: Client[]; resumeT: number; since: number; raw: string } | null> {
  s.setKnob('tcp_abort_on_overflow', abort);
  const listener = s.listen(port, { backlog: BACKLOG, responder: 'echo' });
  s.lab.handlers.pauseAccept({ listener });
  const hold = s.fault({ id: `round-trip-${port}`, dir: 'out', srcPort: port, flags: 'S.', count: 'all', action: { type: 'delay', ms: SYNACK_HOLD } });
  s.watch(
    watchFault(hold, `Our SYN-ACKs are held ${SYNACK_HOLD} ms (a ${SYNACK_HOLD} ms round trip): clients 3 and 4 both reach the SYN queue first`,
      `我们的 SYN-ACK 被扣住 ${SYNACK_HOLD} 毫秒(${SYNACK_HOLD} 毫秒的往返时间):客户端 3 和 4 都先进入半连接队列`),
    watchListener(listener, 'acceptQueue', `The accept queue: backlog ${BACKLOG} holds ${BACKLOG + 1} (Linux: full when more than backlog)`,
      `全连接队列:backlog ${BACKLOG} 可容纳 ${BACKLOG + 1} 个(Linux:超过 backlog 才算满)`),
    watchListener(listener, 'synQueue', 'Requests whose final ACK was dropped wait here', '最后的 ACK 被丢弃的请求在这里等待'),
    watchCounter('ListenOverflows', 'Each ACK or SYN refused because the accept queue is full', '每个因全连接队列已满而被拒绝的 ACK 或 SYN'),
    watchCounter('ListenDrops', 'Every dropped SYN or ACK of a listener', '监听套接字丢弃的每个 SYN 或 ACK'),
    watchKnob('tcp_abort_on_overflow', `tcp_abort_on_overflow = ${abort}`, `tcp_abort_on_overflow = ${abort}`),
  );
  const since = s.seen.lastSeq;
  const job = s.kernel.tool(['parallel', String(SCHEDULE.length), `${s.labAddr}:${port}`, 'send=hello\\n', 'wait=4', `at=${SCHEDULE.join(',')}`], 20_000);
  const started = await job.line((l) => l.step === 'parallel');
  if (started === null) {
    s.check('the kernel clients started', '内核客户端启动了', '5 clients', toolOk(await job.done), false);
    return null;
  }
  await s.sleep(RESUME_AFTER);
  s.step(`The listener accepts again (after ${ms(RESUME_AFTER)})`, `监听者重新开始 accept(${ms(RESUME_AFTER)} 之后)`);
  const resumeT = started.t + (s.kernel.wallNow() - started.wall);
  s.lab.handlers.resumeAccept({ listener });
  const done = await job.done;
  return { listener, cl: clients(done.lines), resumeT, since, raw: toolOk(done) };
}

function describe(c: Client): string {
  return `#${c.i + 1} ${c.error ?? (c.bytes > 0 ? `echo at ${ms(c.first ?? 0)}` : 'no echo')}`;
}

/** Handshake-completing ACKs (or data) and SYNs the lab refused because the accept queue was full. */
function overflowEvents(s: ScenarioRun, since: number): { acks: number; syns: number } {
  let acks = 0;
  let syns = 0;
  for (const e of s.seen.segments(undefined, since)) {
    if (e.dir !== 'in' || !/accept queue full/.test(e.verdict)) continue;
    if (e.segment.flags === 'S') syns++;
    else acks++;
  }
  return { acks, syns };
}

export const acceptOverflow = defineScenario({
  name: 'accept-overflow',
  title: 'Accept queue overflow: backlog, tcp_abort_on_overflow 0 and 1',
  titleZh: '全连接队列溢出:backlog,tcp_abort_on_overflow 为 0 和 1',
  summary: 'A listener with backlog 2 stops accepting; five kernel clients connect. With tcp_abort_on_overflow=0 the overflowing handshake waits (its ACK dropped) and completes once the listener accepts again; with 1 it is reset. SYNs arriving while the queue is full are dropped.',
  summaryZh: 'backlog 为 2 的监听者停止 accept;五个内核客户端发起连接。tcp_abort_on_overflow=0 时溢出的握手等待(其 ACK 被丢弃),监听者恢复 accept 后完成;为 1 时被重置。队列满时到达的 SYN 被丢弃。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: after the third segment the server moves the connection from the SYN (half-open) queue to the accept (full) queue; when the accept queue is full, ListenOverflows grows and tcp_abort_on_overflow decides: 0 drops the ACK (the client, which thinks it is connected, sees a read timeout, or succeeds later because the server resends its SYN-ACK and the client ACKs again), 1 sends RST (the client sees "connection reset by peer"). All of this is right and shown here.',
      'Where it is wrong or out of date: "the default backlog is 50" is Java\'s ServerSocket default, not Linux\'s; Linux caps backlog at net.core.somaxconn (4096 since Linux 5.4, 128 before). The accept queue holds backlog + 1 (sk_acceptq_is_full tests "more than backlog"): here backlog 2 holds 3. The summary says that while the accept queue is full a new SYN still enters the SYN queue "without problem": Linux drops it (tcp_conn_request checks sk_acceptq_is_full first; ListenOverflows and ListenDrops grow), so the client\'s connect() waits for its SYN retransmission, which you will see for client 5. And the SYN-ACK is resent with exponential backoff, not "at a fixed interval". tcp_abort_on_overflow concerns only the accept queue; a full SYN queue without cookies simply drops SYNs.',
      'Why the SYN queue matters here: the SYN queue of a listener is full at backlog entries, so with backlog 2 two clients connect at once (3 and 4); the first ACK fills the accept queue, the second overflows.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:第三个报文到达后,服务器把连接从半连接队列移到全连接队列;全连接队列满时 ListenOverflows 增加,由 tcp_abort_on_overflow 决定:0 丢弃这个 ACK(自认为已连接的客户端会读超时,或者由于服务器重发 SYN-ACK、客户端再次 ACK 而稍后成功),1 发送 RST(客户端看到 "connection reset by peer")。这些都是对的,本场景都会演示。',
      '错误或过时之处:"默认 backlog 值是 50" 是 Java ServerSocket 的默认值,不是 Linux 的;Linux 用 net.core.somaxconn 限制 backlog(Linux 5.4 起为 4096,之前为 128)。全连接队列能容纳 backlog + 1 个连接(sk_acceptq_is_full 判断的是"大于 backlog"):这里 backlog 2 能容纳 3 个。小结中说全连接队列满时新来的 SYN 仍会进入半连接队列"没有问题":Linux 会丢弃它(tcp_conn_request 先检查 sk_acceptq_is_full;ListenOverflows 和 ListenDrops 增加),所以客户端的 connect() 要等 SYN 重传,你会在第 5 个客户端上看到。另外 SYN-ACK 的重发是指数退避,而不是"以固定间隔"。tcp_abort_on_overflow 只与全连接队列有关;没有 SYN cookie 时半连接队列满了只会丢弃 SYN。',
      '为什么这里半连接队列也重要:监听者的半连接队列在 backlog 个条目时就满了,所以 backlog 为 2 时让两个客户端(3 和 4)同时连接;第一个 ACK 填满全连接队列,第二个就溢出了。',
    ].join('\n\n'),
  },
  async run(s) {
    // ---- part 1: tcp_abort_on_overflow = 0 -------------------------------------------------
    s.step(`Part 1: tcp_abort_on_overflow = 0. The lab listens on ${s.labAddr}:7701 with backlog ${BACKLOG} and does not accept; five kernel clients connect (at ${SCHEDULE.join(', ')} ms) and each sends "hello"`,
      `第 1 部分:tcp_abort_on_overflow = 0。实验室在 ${s.labAddr}:7701 以 backlog ${BACKLOG} 监听且不 accept;五个内核客户端(在 ${SCHEDULE.join('、')} 毫秒时)连接,各发送 "hello"`);
    const o0 = s.counter('ListenOverflows');
    const a = await round(s, 7701, 0);
    if (a === null) return;
    const ev = overflowEvents(s, a.since);
    s.check('ListenOverflows grew (ACKs and SYNs refused while the accept queue was full)', 'ListenOverflows 增加了(全连接队列满时被拒绝的 ACK 和 SYN)',
      '>= 2', String(s.counter('ListenOverflows') - o0), s.counter('ListenOverflows') - o0 >= 2);
    s.check('a handshake-completing ACK was dropped (abort_on_overflow=0)', '完成握手的 ACK 被丢弃(abort_on_overflow=0)', '>= 1 ACK dropped',
      `${ev.acks} dropped`, ev.acks >= 1);
    s.check('a SYN arriving while the accept queue was full was dropped', '全连接队列满时到达的 SYN 被丢弃', '>= 1 SYN dropped', `${ev.syns} dropped`, ev.syns >= 1);
    const early = a.cl.filter((c) => c.first !== null && c.first < a.resumeT);
    const late = a.cl.filter((c) => c.first !== null && c.first >= a.resumeT);
    s.check('no client got its echo before the listener accepted again (the echo responder works on accepted connections)',
      '恢复 accept 之前没有客户端得到回显(回显只对已 accept 的连接进行)', '0 echoes before the resume', `${early.length}`, early.length === 0);
    s.check('after the resume every client got its echo, the overflowed ones included', '恢复 accept 之后每个客户端(包括溢出的)都得到了回显',
      '5 echoes', `${late.length}: ${a.cl.map(describe).join('; ')}`, late.length === SCHEDULE.length);
    const lateConnect = a.cl.filter((c) => c.connected !== null && c.connected >= a.resumeT);
    s.check('the SYN dropped while the queue was full got in only after the resume (its retransmission)', '队列满时被丢弃的 SYN 在恢复之后(重传时)才建立连接',
      '>= 1 connect() completed after the resume', `${lateConnect.length}`, lateConnect.length >= 1);

    // ---- part 2: tcp_abort_on_overflow = 1 -------------------------------------------------
    s.step('Part 2: the same with tcp_abort_on_overflow = 1 on port 7702', '第 2 部分:tcp_abort_on_overflow = 1,在 7702 端口重复一遍');
    const r0 = s.counter('OutRsts');
    const b = await round(s, 7702, 1);
    if (b === null) return;
    const reset = b.cl.filter((c) => c.error === 'ECONNRESET');
    s.check('the overflowing handshake was reset: the client saw ECONNRESET', '溢出的握手被重置:客户端看到 ECONNRESET', '1 client ECONNRESET',
      `${reset.length}: ${b.cl.map(describe).join('; ')}`, reset.length >= 1);
    s.check('the lab sent RST for it (OutRsts)', '实验室为此发送了 RST(OutRsts)', '>= 1', String(s.counter('OutRsts') - r0), s.counter('OutRsts') - r0 >= 1);
    const served = b.cl.filter((c) => c.bytes > 0);
    s.check('the others got their echo after the resume', '其余客户端在恢复之后得到了回显', `${SCHEDULE.length - reset.length}`, `${served.length}`,
      served.length === SCHEDULE.length - reset.length);
  },
});
