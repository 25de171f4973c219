// wraparound: a connection whose ISN lies just below 2^32 carries 400 KB across the wrap.
// Linux offers no way to choose an ISN, and neither does the lab; but ISN = M(t) + F(4-tuple):
// one SYN per 4-tuple tells F (the lab knows its clock M), after which that tuple's ISN at any
// future moment is known. The lab probes 200 local ports with a SYN each to the kernel's port
// before anything listens there (answered by RST), then starts the kernel's listener, picks the
// port whose ISN reaches 2^32 - 200,000 soonest, waits for that moment and connects from it.
import { createHash } from 'node:crypto';
import type { IsnClock } from '../../tcp/isn.ts';
import { isnClockTicks } from '../../tcp/isn.ts';
import { defineScenario, watchConn, type ScenarioRun } from './framework.ts';
import { ms, seqDiff } from './observe.ts';
import { stepLine, toolOk } from './util.ts';

const KERNEL_PORT = 8201;
const FIRST_LOCAL = 41000;
const PROBES = 200;
const TARGET_BELOW = 200_000;
const BYTES = 400_000;
const TWO32 = 4294967296;
/** The ISN must start at least this far below 2^32 when connect() is called (3.2 ms at 64 ns). */
const MIN_BELOW = 50_000;
/** Moments to try before giving up (the kernel's listener waits for the connection meanwhile). */
const ATTEMPTS = 8;
const TICKS_PER_MS: Record<IsnClock, number> = { '64ns': 15625, '4us': 250 };

interface Probe { localPort: number; f: number }
interface Plan { localPort: number; at: number; f: number }

/** Learn F for each probe port from its SYN: ISN = M(t) + F, and the lab knows its clock M. */
async function learnF(s: ScenarioRun, clock: IsnClock): Promise<Probe[]> {
  const since = s.seen.lastSeq;
  for (let i = 0; i < PROBES; i++) s.connect(KERNEL_PORT, { localPort: FIRST_LOCAL + i });
  await s.until(() => s.lab.snapshot().connections.every((c) => c.remotePort !== KERNEL_PORT), 5000);
  return s.seen.segments(undefined, since)
    .filter((e) => e.dir === 'out' && e.segment.flags === 'S' && e.segment.dstPort === KERNEL_PORT)
    .map((e) => ({ localPort: e.segment.srcPort, f: (e.segment.seq - isnClockTicks(e.at, clock) + TWO32) % TWO32 }));
}

/** The probed port whose ISN reaches 2^32 - TARGET_BELOW soonest after lab time `from`, and when. */
function nextMoment(probes: readonly Probe[], clock: IsnClock, from: number): Plan | null {
  const target = TWO32 - TARGET_BELOW;
  const rate = TICKS_PER_MS[clock];
  let best: Plan | null = null;
  for (const { localPort, f } of probes) {
    // M(t) = floor(t * rate) mod 2^32 must equal target - F (mod 2^32).
    const want = (target - f + TWO32) % TWO32;
    const wraps = Math.ceil((from * rate - want) / TWO32);
    const at = (want + Math.max(0, wraps) * TWO32) / rate;
    if (best === null || at < best.at) best = { localPort, at, f };
  }
  return best;
}

/** How far below 2^32 a SYN from this plan's port would start if sent now (ticks; 0..2^32-1). */
function belowWrap(s: ScenarioRun, p: Plan, clock: IsnClock): number {
  return (TWO32 - (isnClockTicks(s.now(), clock) + p.f) % TWO32) % TWO32;
}

/** Sleep, then spin the last few milliseconds so connect() happens at `at` (lab time). */
async function waitUntil(s: ScenarioRun, at: number): Promise<void> {
  if (s.lab.time === null) return s.sleep(Math.max(0, at - s.now())); // a manual clock (tests) moves by itself: exact
  const left = at - s.now();
  if (left > 20) await s.sleep(left - 10);
  while (s.now() < at) { /* spin: within 10 ms of the moment */ }
}

/**
 * Wait for a port's moment and return it, once the ISN a SYN would get now is still below 2^32 with
 * room to spare. With the 64 ns clock the moment lasts 12.8 ms; on a busy machine the sleep may
 * overshoot it (or the kernel's listener may take longer to start than planned): then the next
 * port's moment is taken, about a second later (200 ports over M's 275 s cycle).
 */
async function catchMoment(s: ScenarioRun, probes: readonly Probe[], clock: IsnClock): Promise<Plan | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const p = nextMoment(probes, clock, s.now() + 200);
    if (p === null) return null;
    s.step(`Port ${p.localPort} reaches ISN 2^32 - ${TARGET_BELOW} in ${ms(p.at - s.now())}; waiting for that moment${attempt > 0 ? ' (the last one passed while the machine was busy)' : ''}`,
      `端口 ${p.localPort} 将在 ${ms(p.at - s.now())} 后使 ISN 到达 2^32 - ${TARGET_BELOW};等待这一刻${attempt > 0 ? '(上一次机会在机器繁忙时错过了)' : ''}`);
    await waitUntil(s, p.at);
    const below = belowWrap(s, p, clock);
    if (below > MIN_BELOW && below < BYTES) return p;
  }
  return null;
}

export const wraparound = defineScenario({
  name: 'wraparound',
  title: 'Sequence number wraparound: 400 KB across 2^32',
  titleZh: '序号回绕:400 KB 数据跨越 2^32',
  summary: 'The lab arranges a connection whose ISN is just below 2^32 (by learning F of 200 ports from one SYN each) and sends 400 KB over it: the sequence numbers wrap to 0 and nothing notices, because TCP compares them modulo 2^32.',
  summaryZh: '实验室安排一个 ISN 恰好低于 2^32 的连接(通过每个端口一个 SYN 得知 200 个端口的 F),并在其上发送 400 KB:序号回绕到 0,却什么都没有受到影响,因为 TCP 按模 2^32 比较序号。',
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: TCP decides loss and reordering by comparing sequence numbers, which wrap around after 2^32; the kernel compares them as before(seq1, seq2) = (s32)(seq1 - seq2) < 0, so with 8-bit numbers seq1 = 255, seq2 = 1 gives 255 - 1 = 1111 1110, negative as a signed number: 255 is "before" 1. That is right, and it is what the lab does (core/wire/seq.ts). It works as long as the two numbers compared are less than 2^31 apart, which is why a window may not exceed 2^30 (window scale at most 14).',
      'Where it is misleading: "because the ISN is random, sequence numbers easily exceed 2^31 - 1" suggests that is a problem; exceeding 2^31 is not, and wrapping at 2^32 is routine: every connection that sends 4 GB wraps, and a random ISN wraps much sooner. The real danger is a wrap within one maximum segment lifetime: at 10 Gbit/s 2^32 bytes take 3.4 s, so an old duplicate could fall into the current window; RFC 7323 PAWS (timestamps) rejects such segments, and Linux uses it.',
      'How the lab gets an ISN near 2^32: neither Linux nor the lab lets you choose one. But ISN = M(t) + F(4-tuple): the lab knows its clock M, so one SYN per 4-tuple reveals F, and from then on that 4-tuple\'s ISN at any moment is predictable. This is also why F must be keyed with a secret: otherwise anyone could do this for other people\'s connections. The lab probes 200 local ports (SYNs to the kernel\'s port before it listens, answered with RST; the 4-tuple must be the one used later), picks the port whose ISN reaches 2^32 - 200,000 soonest, and connects from it at that moment.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:TCP 通过比较序号判断丢包和乱序,而序号在 2^32 之后会回绕;内核用 before(seq1, seq2) = (s32)(seq1 - seq2) < 0 来比较,所以用 8 位数举例,seq1 = 255、seq2 = 1 时 255 - 1 = 1111 1110,作为有符号数是负数:255 在 1 "之前"。这是对的,实验室也是这样做的(core/wire/seq.ts)。只要被比较的两个数相差小于 2^31 就成立,这就是窗口不能超过 2^30(窗口缩放因子最大为 14)的原因。',
      '容易误导之处:"因为 ISN 是随机的,所以序列号容易就会超过 2^31-1" 听起来像是问题;超过 2^31 并不是问题,在 2^32 处回绕也是常事:每个发送了 4 GB 的连接都会回绕,随机的 ISN 会更早回绕。真正的危险是在一个最大报文生存时间内发生回绕:在 10 Gbit/s 下 2^32 字节只需 3.4 秒,旧的重复报文可能落入当前窗口;RFC 7323 的 PAWS(时间戳)会拒绝这类报文,Linux 使用了它。',
      '实验室怎样得到接近 2^32 的 ISN:Linux 和实验室都不允许选择 ISN。但 ISN = M(t) + F(四元组):实验室知道自己的时钟 M,所以每个四元组的一个 SYN 就能揭示 F,此后这个四元组在任何时刻的 ISN 都是可预测的。这也是 F 必须用密钥的原因:否则任何人都能对别人的连接这样做。实验室探测 200 个本地端口(在内核开始监听之前向它的端口发 SYN,得到 RST;四元组必须与之后使用的相同),选出 ISN 最快到达 2^32 - 200,000 的端口,并在那一刻从它发起连接。',
    ].join('\n\n'),
  },
  async run(s) {
    const clock = String(s.lab.stack.getKnobs().isn_clock) as IsnClock;
    s.step(`Probing ${PROBES} local ports (one SYN each to ${s.kernelAddr}:${KERNEL_PORT}, not listening yet: RST) to learn F for each 4-tuple`,
      `探测 ${PROBES} 个本地端口(每个向尚未监听的 ${s.kernelAddr}:${KERNEL_PORT} 发一个 SYN,得到 RST),得知每个四元组的 F`);
    const probes = await learnF(s, clock);
    if (probes.length === 0) {
      s.check('the probes revealed F', '探测揭示了 F', `${PROBES} SYNs`, 'no SYN seen', false);
      return;
    }
    const sink = s.kernel.tool(['timeout=20', `listen=${KERNEL_PORT}`, 'accept', 'recvall', 'close'], 60_000);
    if ((await sink.line((l) => l.step === 'listen')) === null) {
      s.check('the kernel sink started', '内核接收端启动了', 'listening', toolOk(await sink.done), false);
      return;
    }
    const p = await catchMoment(s, probes, clock);
    if (p === null) {
      s.check('a port\'s moment was caught', '赶上了某个端口的时机', `connect() within ${ms(TARGET_BELOW / TICKS_PER_MS[clock])} of the moment`, `missed ${ATTEMPTS} times (the machine is too busy)`, false);
      return;
    }
    // The check below counts retransmissions as a comparison broken at the wrap; with Linux's
    // 200 ms RTO floor a busy machine stalling the lab that long would also cause one. RFC 6298's
    // 1 s floor keeps the check about the wrap (nothing here is lost, so the RTO never matters).
    s.setKnob('rto_min_ms', 1000);
    const since = s.seen.lastSeq;
    const conn = s.connect(KERNEL_PORT, { localPort: p.localPort });
    await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 3000);
    const row = s.row(conn);
    const iss = row?.iss ?? s.seen.segments(conn, since).find((e) => e.dir === 'out' && e.segment.flags === 'S')?.segment.seq ?? 0;
    s.check('the connection\'s ISN lies just below 2^32', '连接的 ISN 恰好低于 2^32', `within ${BYTES} of 2^32 (aimed at 2^32 - ${TARGET_BELOW} = ${TWO32 - TARGET_BELOW})`,
      `${iss} (2^32 - ${TWO32 - iss})`, iss > TWO32 - BYTES);
    s.watch(watchConn(conn, 'sndNxt', `SND.NXT climbs from ${iss} through 4294967295 to 0 and on`, `SND.NXT 从 ${iss} 经过 4294967295 回到 0 并继续增长`),
      watchConn(conn, 'sndUna', 'SND.UNA follows it across the wrap', 'SND.UNA 跟随它越过回绕点'));
    const data = 'wrap around 2^32 and keep going\n'.repeat(Math.ceil(BYTES / 32)).slice(0, BYTES);
    const sha = createHash('sha256').update(data).digest('hex');
    const r0 = s.counter('RetransSegs');
    s.step(`Sending ${BYTES / 1000} KB from ISN ${iss}`, `从 ISN ${iss} 开始发送 ${BYTES / 1000} KB`);
    let off = 0;
    while (off < data.length && s.row(conn) !== null) {
      const w = s.lab.handlers.send({ conn, data: data.slice(off, off + 65536), encoding: 'utf8' }) as { written: number };
      off += w.written;
      if (w.written === 0) await s.sleep(2);
    }
    await s.until(() => s.row(conn)?.sendQ === 0, 10_000);
    const end = s.row(conn);
    s.lab.handlers.close({ conn });
    const got = await sink.done;
    const segs = s.seen.segments(conn, since).filter((e) => e.dir === 'out' && e.segment.len > 0);
    const wrapped = segs.find((e) => e.segment.seq < iss);
    s.check('data segments crossed 2^32: sequence numbers went back to 0', '数据报文跨越了 2^32:序号回到 0', 'a segment with seq < ISN after the wrap',
      wrapped === undefined ? `none (last seq ${segs.at(-1)?.segment.seq ?? '-'})` : `seq ${wrapped.segment.seq} after ${segs[segs.indexOf(wrapped) - 1]?.segment.seq ?? '-'}`, wrapped !== undefined);
    s.check('SND.UNA passed the wrap as one more step (modulo 2^32)', 'SND.UNA 越过回绕点只是普通的一步(模 2^32)', `SND.UNA = ISN + 1 + ${BYTES} mod 2^32 = ${(iss + 1 + BYTES) % TWO32}`,
      `${end?.sndUna ?? 'gone'}`, end !== null && seqDiff(end.sndUna, (iss + 1 + BYTES) % TWO32) === 0);
    s.check('nothing was retransmitted (the comparisons held across the wrap)', '没有任何重传(比较在回绕处依然正确)', 'RetransSegs +0',
      `+${s.counter('RetransSegs') - r0}`, s.counter('RetransSegs') === r0);
    const all = stepLine(got.lines, 'recvall');
    s.check('the kernel received every byte intact', '内核完整无误地收到了每一个字节', `${BYTES} bytes, sha256 ${sha.slice(0, 12)}…`,
      all === undefined ? toolOk(got) : `${String(all.bytes)} bytes, sha256 ${String(all.sha256).slice(0, 12)}…`, all?.bytes === BYTES && all.sha256 === sha);
  },
});
