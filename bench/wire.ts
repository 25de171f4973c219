// Micro-benchmark of the wire codecs: `npx tsx bench/wire.ts` (or `npm run bench wire`).
// Prints packets per second for the receive path (parseIpv4 + parseTcp, both checksums
// verified) and the send path (emitIpv4Header + emitTcp into a preallocated buffer).
import { checksum } from '../core/wire/checksum.ts';
import { IPPROTO_TCP, IPV4_HEADER_LENGTH, emitIpv4Header, parseIpv4 } from '../core/wire/ipv4.ts';
import { seq } from '../core/wire/seq.ts';
import { PSH, buildTcpPacket, emitTcp, makeSegment, parseTcp, tcpHeaderLength } from '../core/wire/tcp.ts';
import type { TcpSegment } from '../core/wire/tcp.ts';

const SRC = 0x0a4d0001;
const DST = 0x0a4d0002;
const DURATION_NS = 700_000_000n;

function bench(name: string, bytesPerOp: number, op: () => number): void {
  let sink = 0;
  for (let i = 0; i < 50_000; i++) sink += op(); // warm up (JIT)
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < DURATION_NS) {
    for (let i = 0; i < 10_000; i++) sink += op();
    ops += 10_000;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSecond = ops / (Number(elapsed) / 1e9);
  const mbps = bytesPerOp > 0 ? `  ${((perSecond * bytesPerOp * 8) / 1e9).toFixed(1)} Gbit/s` : '';
  console.log(`${name.padEnd(52)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} /s${mbps}${sink === -1 ? ' ' : ''}`);
}

const data = new Uint8Array(1448).map((_, i) => (i * 31 + 7) & 0xff);
const full = makeSegment({
  srcPort: 40000, dstPort: 80, seq: seq(0x12345678), ack: seq(0x9abcdef0), flags: PSH, window: 502,
  options: { timestamps: { value: 123456, echo: 654321 } }, payload: data,
});
const ack = makeSegment({
  srcPort: 80, dstPort: 40000, seq: seq(0x9abcdef0), ack: seq(0x12345678 + 1448), window: 502,
  options: { timestamps: { value: 654322, echo: 123456 } },
});
const fullPacket = buildTcpPacket(SRC, DST, full);
const ackPacket = buildTcpPacket(DST, SRC, ack);
if (fullPacket.length !== 1500) throw new Error(`expected 1500 bytes, got ${fullPacket.length}`);

function receive(p: Uint8Array): number {
  const ip = parseIpv4(p);
  if (!ip.ok) throw new Error(ip.error);
  const tcp = parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst);
  if (!tcp.ok) throw new Error(tcp.error);
  return tcp.value.payload.length;
}

// The send path writes into one preallocated buffer, as the stack's transmit ring does.
const out = new Uint8Array(2048);
function send(seg: TcpSegment, src: number, dst: number): number {
  const tcpLength = tcpHeaderLength(seg) + seg.payload.length;
  emitIpv4Header({ src, dst, protocol: IPPROTO_TCP }, tcpLength, out, 0);
  return IPV4_HEADER_LENGTH + emitTcp(seg, src, dst, out, IPV4_HEADER_LENGTH);
}

// Zero copy: the payload already sits where emitTcp puts it.
const inPlace = makeSegment({ ...full, payload: out.subarray(IPV4_HEADER_LENGTH + 32, IPV4_HEADER_LENGTH + 32 + 1448) });
inPlace.payload.set(data);

console.log(`node ${process.version}, ${process.arch}`);
bench('checksum, 1500 bytes', 1500, () => checksum(fullPacket, 0, 1500));
bench('receive 1500-byte TCP (parse IPv4+TCP, 2 checksums)', 1500, () => receive(fullPacket));
bench('receive 52-byte ACK with timestamps', 52, () => receive(ackPacket));
bench('emit 1500-byte TCP (IPv4+TCP+copy+checksums)', 1500, () => send(full, SRC, DST));
bench('emit 1500-byte TCP, payload in place (no copy)', 1500, () => send(inPlace, SRC, DST));
bench('emit 52-byte ACK with timestamps', 52, () => send(ack, DST, SRC));
bench('buildTcpPacket 1500 bytes (allocates)', 1500, () => buildTcpPacket(SRC, DST, full).length);
