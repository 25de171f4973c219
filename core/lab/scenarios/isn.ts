// isn: initial sequence numbers, ISN = M + F(4-tuple, secret) (RFC 6528). The lab connects
// again and again over the same 4-tuple (each connection reset at once, so nothing lingers in
// TIME-WAIT): its ISN grows with the clock M, 15625 per ms with Linux's 64 ns tick, 250 per ms
// with the RFC's 4 µs tick (knob isn_clock); the kernel's ISNs for the same connections grow at
// 64 ns too. Over different 4-tuples at the same moment, F scatters the ISNs over the 32-bit space.
import { defineScenario, watchConn, watchKnob, type ScenarioRun } from './framework.ts';
import { seqDiff } from './observe.ts';
import { toolOk } from './util.ts';

const KERNEL_PORT = 8101;
const SAME_PORT = 40100;
const ROUNDS = 8;
const SPACING = 150;

interface Sample { at: number; localPort: number; iss: number; irs: number | null }

/** One connection over (localPort -> kernel:KERNEL_PORT), reset at once; its ISNs. */
async function sample(s: ScenarioRun, localPort: number): Promise<Sample | null> {
  const since = s.seen.lastSeq;
  const conn = s.connect(KERNEL_PORT, { localPort });
  await s.until(() => s.row(conn)?.state === 'ESTABLISHED', 2000);
  const segs = s.seen.segments(conn, since);
  const syn = segs.find((e) => e.dir === 'out' && e.segment.flags === 'S');
  const synAck = segs.find((e) => e.dir === 'in' && e.segment.flags === 'S.');
  if (s.row(conn) !== null) s.lab.handlers.reset({ conn });
  if (syn === undefined) return null;
  return { at: syn.at, localPort, iss: syn.segment.seq, irs: synAck?.segment.seq ?? null };
}

/**
 * ISN growth per ms over a series (modulo 2^32): the median of the slopes between every two of
 * its connections (Theil-Sen). The times are the lab's, when it sent each SYN; the kernel chose
 * its ISN when the SYN reached it, a little later, and on a busy machine now and then much later.
 * One such connection moves a first-to-last slope; the median does not see it.
 */
function slope(xs: readonly Sample[], key: 'iss' | 'irs'): number | null {
  const pts = xs.filter((x) => x[key] !== null);
  const slopes: number[] = [];
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      if (pts[j].at > pts[i].at) slopes.push(seqDiff(pts[j][key] as number, pts[i][key] as number) / (pts[j].at - pts[i].at));
    }
  }
  if (slopes.length === 0) return null;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}

const fmt = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(x >= 1000 ? 0 : 1));

export const isn = defineScenario({
  name: 'isn',
  title: 'ISN: the clock M and the hash F (4 µs vs 64 ns)',
  titleZh: 'ISN:时钟 M 与哈希 F(4 微秒与 64 纳秒)',
  summary: `The lab connects ${ROUNDS} times over one 4-tuple, ${SPACING} ms apart: its ISN grows with the clock, 15625 per ms at 64 ns (Linux), 250 per ms at 4 µs (RFC); the kernel's too. Over different ports at one moment the hash F scatters the ISNs.`,
  summaryZh: `实验室在同一个四元组上每隔 ${SPACING} 毫秒连接一次,共 ${ROUNDS} 次:它的 ISN 随时钟增长,64 纳秒(Linux)时每毫秒增加 15625,4 微秒(RFC)时每毫秒增加 250;内核的 ISN 也一样。在同一时刻换不同端口,哈希 F 使 ISN 散布开来。`,
  needs: 'any',
  explain: {
    en: [
      'What the teaching material says: a fixed ISN would let an attacker guess the sequence numbers, so ISN = M + F(localhost, localport, remotehost, remoteport), where M is a timer that ticks every 4 microseconds and F a hash that outsiders cannot compute. That is RFC 793\'s clock and RFC 1948/6528\'s formula, and it is what this scenario measures: the plot of ISN over time for one 4-tuple is a straight line whose slope is the clock rate, and ports connected at the same instant land far apart because F differs.',
      'Where Linux differs: Linux\'s M is the time in nanoseconds divided by 64 (secure_tcp_seq: ktime_get_real_ns() >> 6), a 64 ns tick: 15625 per millisecond, wrapping the 32-bit space every 274.9 s instead of every 4.77 hours. F is SipHash keyed with a secret chosen at boot. The lab defaults to Linux (knob isn_clock = 64ns; 4us is the RFC\'s); its F is HalfSipHash with a secret from its random source. The kernel\'s ISNs, measured on its SYN-ACKs, show Linux\'s own 64 ns slope.',
      'Why a clock at all: for one 4-tuple each new incarnation of the connection starts above where the old one may still have segments in flight, so old duplicates do not fall into the new window. Why the hash: without it the clock alone is public, and ISNs of other connections could be predicted. Note that the relative sequence numbers Wireshark shows (starting at 0 or 1, as one article writes "X is usually 1") hide all of this.',
    ].join('\n\n'),
    zh: [
      '教材怎么说:如果 ISN 是固定的,攻击者很容易猜出后续的序号,所以 ISN = M + F(localhost, localport, remotehost, remoteport),M 是一个每 4 微秒加 1 的计时器,F 是外人无法计算的哈希。这是 RFC 793 的时钟与 RFC 1948/6528 的公式,也是本场景测量的内容:同一个四元组的 ISN 随时间的图是一条直线,斜率就是时钟频率;在同一瞬间连接的不同端口由于 F 不同而相距很远。',
      'Linux 的不同之处:Linux 的 M 是纳秒时间除以 64(secure_tcp_seq:ktime_get_real_ns() >> 6),即 64 纳秒一跳:每毫秒 15625,每 274.9 秒绕 32 位空间一圈,而不是 4.77 小时。F 是用启动时选定的密钥做的 SipHash。实验室默认与 Linux 相同(旋钮 isn_clock = 64ns;4us 是 RFC 的);它的 F 是 HalfSipHash,密钥来自其随机源。从内核的 SYN-ACK 测得的内核 ISN 显示出 Linux 自己的 64 纳秒斜率。',
      '为什么要时钟:对同一个四元组,连接的每个新实例都从旧实例可能仍在途的报文之上开始,旧的重复报文就不会落入新的窗口。为什么要哈希:没有它,时钟是公开的,其他连接的 ISN 就能被预测。注意 Wireshark 显示的相对序号(从 0 或 1 开始,正如一篇文章写的"X 一般为 1")把这些都隐藏了。',
    ].join('\n\n'),
  },
  async run(s) {
    const total = ROUNDS * 2 + 8;
    const server = s.kernel.tool(['timeout=20', `listen=${KERNEL_PORT}`, `acceptloop=${total}`], 40_000);
    if ((await server.line((l) => l.step === 'listen')) === null) {
      s.check('the kernel server started', '内核服务器启动了', 'listening', toolOk(await server.done), false);
      return;
    }
    const series = async (label: string, zh: string): Promise<Sample[]> => {
      s.step(label, zh);
      const out: Sample[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const x = await sample(s, SAME_PORT);
        if (x !== null) out.push(x);
        await s.sleep(SPACING);
      }
      return out;
    };
    const t0 = s.now();
    const points = (xs: readonly Sample[], key: 'iss' | 'irs'): [number, number][] =>
      xs.filter((x) => x[key] !== null).map((x) => [Math.round(x.at - t0), x[key] as number]);

    // ---- the same 4-tuple, 64 ns ------------------------------------------------------------
    s.setKnob('isn_clock', '64ns');
    s.watch(watchKnob('isn_clock', 'isn_clock = 64ns (Linux)', 'isn_clock = 64ns(Linux)'));
    const a = await series(`${ROUNDS} connections ${s.labAddr}:${SAME_PORT} -> ${s.kernelAddr}:${KERNEL_PORT}, ${SPACING} ms apart, isn_clock = 64ns`,
      `${ROUNDS} 个连接 ${s.labAddr}:${SAME_PORT} -> ${s.kernelAddr}:${KERNEL_PORT},间隔 ${SPACING} 毫秒,isn_clock = 64ns`);
    s.series({ name: 'lab ISN, one 4-tuple, 64 ns clock', unit: 'ms, seq', points: points(a, 'iss') });
    s.series({ name: 'kernel ISN, one 4-tuple (Linux, 64 ns)', unit: 'ms, seq', points: points(a, 'irs') });
    const la = slope(a, 'iss');
    s.check('lab ISN growth over one 4-tuple, 64 ns clock', '同一四元组上实验室 ISN 的增长,64 纳秒时钟', '15625 per ms', `${fmt(la)} per ms`, la !== null && Math.abs(la - 15625) < 15625 * 0.02);
    const ka = slope(a, 'irs');
    const sim = s.kernel.kind === 'simulated';
    s.check(sim ? 'the simulated peer\'s ISN over the same connections (its own isn_clock, 64ns)' : 'the kernel\'s ISN over the same connections (Linux: 64 ns)',
      sim ? '同样这些连接上模拟对端的 ISN(它自己的 isn_clock,64ns)' : '同样这些连接上内核的 ISN(Linux:64 纳秒)', '15625 per ms', `${fmt(ka)} per ms`, ka !== null && Math.abs(ka - 15625) < 15625 * 0.03);

    // ---- the same 4-tuple, 4 µs -------------------------------------------------------------
    s.setKnob('isn_clock', '4us');
    s.watch(watchKnob('isn_clock', 'isn_clock = 4us (RFC 793 / 6528)', 'isn_clock = 4us(RFC 793 / 6528)'));
    const b = await series(`The same with isn_clock = 4us`, '同样的连接,isn_clock = 4us');
    s.series({ name: 'lab ISN, one 4-tuple, 4 µs clock', unit: 'ms, seq', points: points(b, 'iss') });
    const lb = slope(b, 'iss');
    s.check('lab ISN growth over one 4-tuple, 4 µs clock', '同一四元组上实验室 ISN 的增长,4 微秒时钟', '250 per ms', `${fmt(lb)} per ms`, lb !== null && Math.abs(lb - 250) < 250 * 0.02);
    const kb = slope(b, 'irs');
    s.check(sim ? 'the simulated peer\'s clock did not change (the knob was the lab\'s)' : 'the kernel\'s clock did not change (it is Linux\'s, not a knob)',
      sim ? '模拟对端的时钟没有变化(改的是实验室的旋钮)' : '内核的时钟没有变化(它是 Linux 自己的,不是旋钮)', '15625 per ms', `${fmt(kb)} per ms`, kb !== null && Math.abs(kb - 15625) < 15625 * 0.03);

    // ---- different 4-tuples at one moment: F ------------------------------------------------
    s.setKnob('isn_clock', '64ns');
    s.step('Eight connections from eight different ports, back to back: F differs per 4-tuple', '从八个不同端口背靠背地建立八个连接:F 因四元组而异');
    const c: Sample[] = [];
    for (let i = 0; i < 8; i++) {
      const x = await sample(s, SAME_PORT + 1 + i);
      if (x !== null) c.push(x);
    }
    s.series({ name: 'lab ISN, eight 4-tuples', unit: 'ms, seq', points: points(c, 'iss') });
    const diffs = c.slice(1).map((x, i) => seqDiff(x.iss, c[i].iss));
    const spread = diffs.filter((d) => Math.abs(d) > 1 << 22).length;
    s.check('ISNs of different 4-tuples are scattered by F, not ordered by time', '不同四元组的 ISN 被 F 打散,并不按时间排序',
      'most successive differences far beyond the clock\'s (> 2^22)', `${spread} of ${diffs.length} (${c.map((x) => x.iss).join(', ')})`, diffs.length >= 6 && spread >= diffs.length - 1);
    const conn = s.lab.snapshot().connections.at(-1);
    if (conn !== undefined) s.watch(watchConn(conn.id, 'iss', 'iss: this connection\'s ISN', 'iss:这个连接的 ISN'));
    server.kill();
  },
});
