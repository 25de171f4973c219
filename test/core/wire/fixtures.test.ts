// Real packets captured from Linux (test/fixtures/packets, see capture.sh there), plus the
// 'synthetic' set built by our emitters and printed by tcpdump (make-synthetic.ts): every one
// parses, its checksums verify, it re-emits byte-identical through our emitters, and our
// pretty-printer prints what tcpdump 4.99 printed for it. The comparison: formatPacket(bytes)
// equals the `tcpdump -nn -S -t` line, and formatPacket(bytes, true) the first two lines of
// `tcpdump -nn -S -v -t` (IP header line, then the TCP line with 'cksum 0x.... (correct)'),
// both cut after the transport's 'length N' (tcpdump's HTTP decoding is not ours).
import { describe, expect, it } from 'vitest';
import { checksum, checksumAdd, checksumFinish, pseudoHeaderSum } from '../../../core/wire/checksum.ts';
import { ICMP_PORT_UNREACH, buildDestinationUnreachable, buildEchoReply, buildEchoRequest, parseIcmp } from '../../../core/wire/icmp.ts';
import { IPPROTO_ICMP, IPPROTO_TCP, IPV4_HEADER_LENGTH, emitIpv4Header, parseIpv4 } from '../../../core/wire/ipv4.ts';
import { formatPacket, formatSegment } from '../../../core/wire/pretty.ts';
import { CWR, ECE, FIN, PSH, RST, SYN, emitTcp, parseTcp, tcpHeaderLength } from '../../../core/wire/tcp.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';
import { fixture, fromHex, loadFixtures, toHex, withoutAppLayer } from './helpers.ts';

const fixtures = loadFixtures();

function tcpOf(bytes: Uint8Array): { src: number; dst: number; seg: TcpSegment } {
  const ip = parseIpv4(bytes);
  if (!ip.ok) throw new Error(ip.error);
  const tcp = parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst);
  if (!tcp.ok) throw new Error(tcp.error);
  return { src: ip.value.header.src, dst: ip.value.header.dst, seg: tcp.value };
}

describe('captured fixtures', () => {
  it('cover the scenarios we need', () => {
    expect(fixtures.map((f) => f.scenario).sort()).toEqual(
      ['ecn', 'http', 'icmp-unreachable', 'ping', 'rst-abort', 'rst-closed-port', 'rst-stray-ack', 'sack', 'synthetic', 'urgent'],
    );
    const captured = fixtures.filter((f) => f.scenario !== 'synthetic');
    expect(captured.reduce((n, f) => n + f.packets.length, 0)).toBeGreaterThan(70);
  });

  for (const f of fixtures) {
    describe(f.scenario, () => {
      f.packets.forEach((p, i) => {
        const bytes = fromHex(p.hex);
        const label = `#${i} ${withoutAppLayer(p.tcpdump)}`;

        it(`${label}: parses, checksums verify`, () => {
          const ip = parseIpv4(bytes);
          expect(ip.ok).toBe(true);
          if (!ip.ok) return;
          const h = ip.value.header;
          expect(h.totalLength).toBe(bytes.length);
          expect(checksum(bytes, 0, h.headerLength)).toBe(0);
          if (h.protocol === IPPROTO_TCP) {
            const sum = checksumAdd(pseudoHeaderSum(h.src, h.dst, IPPROTO_TCP, ip.value.payload.length), ip.value.payload, 0, ip.value.payload.length);
            expect(checksumFinish(sum)).toBe(0);
            expect(parseTcp(ip.value.payload, h.src, h.dst).ok).toBe(true);
          } else {
            expect(h.protocol).toBe(IPPROTO_ICMP);
            expect(parseIcmp(ip.value.payload).ok).toBe(true);
          }
        });

        it(`${label}: re-emits byte-identical`, () => {
          const ip = parseIpv4(bytes);
          if (!ip.ok) throw new Error(ip.error);
          const h = ip.value.header;
          if (h.protocol !== IPPROTO_TCP) return; // ICMP: see the ICMP tests below
          const { seg } = tcpOf(bytes);
          const out = new Uint8Array(IPV4_HEADER_LENGTH + tcpHeaderLength(seg) + seg.payload.length);
          emitIpv4Header(h, out.length - IPV4_HEADER_LENGTH, out, 0);
          emitTcp(seg, h.src, h.dst, out, IPV4_HEADER_LENGTH);
          expect(toHex(out)).toBe(p.hex);
        });

        it(`${label}: prints as tcpdump -nn -S [-v] did`, () => {
          expect(formatPacket(bytes)).toBe(withoutAppLayer(p.tcpdump));
          expect(formatPacket(bytes, true)).toBe(`${p.tcpdumpVerbose[0]}\n${withoutAppLayer(p.tcpdumpVerbose[1])}`);
          const ip = parseIpv4(bytes);
          if (ip.ok && ip.value.header.protocol === IPPROTO_TCP) {
            const { src, dst, seg } = tcpOf(bytes);
            expect(`IP ${formatSegment(src, dst, seg)}`).toBe(withoutAppLayer(p.tcpdump));
          }
        });
      });
    });
  }
});

describe('what the fixtures contain', () => {
  it('http: Linux SYN and SYN-ACK options, data with timestamps, FINs', () => {
    const pk = fixture('http').packets.map((p) => tcpOf(fromHex(p.hex)).seg);
    const [syn, synAck, ack, request] = pk;
    expect(syn.flags).toBe(SYN);
    expect(syn.ack).toBeNull();
    expect(syn.window).toBe(64240);
    expect(syn.options).toMatchObject({ mss: 1460, sackPermitted: true, wscale: 10, timestamps: { echo: 0 } });
    expect(synAck.flags).toBe(SYN);
    expect(synAck.ack).toBe((syn.seq + 1) >>> 0);
    expect(synAck.options.timestamps?.echo).toBe(syn.options.timestamps?.value);
    expect(ack.flags).toBe(0);
    expect(ack.options).toEqual({ timestamps: ack.options.timestamps });
    expect(request.flags).toBe(PSH);
    expect(new TextDecoder().decode(request.payload)).toMatch(/^GET \/hello.txt HTTP\/1.1\r\n/);
    expect(pk.filter((s) => (s.flags & FIN) !== 0)).toHaveLength(2);
  });

  it('ecn, urgent, sack and the RSTs', () => {
    const ecn = fixture('ecn').packets.map((p) => tcpOf(fromHex(p.hex)).seg);
    expect(ecn[0].flags).toBe(SYN | ECE | CWR);
    expect(ecn[1].flags).toBe(SYN | ECE);
    const urgent = fixture('urgent').packets.map((p) => tcpOf(fromHex(p.hex)).seg).find((s) => s.urgent !== null);
    expect(urgent?.urgent).toBe(1);
    expect(urgent?.payload.length).toBe(1);
    const sacks = fixture('sack').packets.map((p) => tcpOf(fromHex(p.hex)).seg).filter((s) => s.options.sack !== undefined);
    expect(sacks.length).toBeGreaterThan(3);
    expect(new Set(sacks.map((s) => s.options.sack?.length))).toEqual(new Set([1, 2]));
    const stray = fixture('rst-stray-ack').packets.map((p) => tcpOf(fromHex(p.hex)).seg);
    expect(stray[1].flags).toBe(RST);
    expect(stray[1].ack).toBeNull();
    expect(stray[1].seq).toBe(stray[0].ack); // RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST>
    const closed = fixture('rst-closed-port').packets.map((p) => tcpOf(fromHex(p.hex)).seg);
    expect(closed[1].flags).toBe(RST);
    expect(closed[1].ack).toBe((closed[0].seq + 1) >>> 0);
    const abort = fixture('rst-abort').packets.map((p) => tcpOf(fromHex(p.hex)).seg);
    expect(abort[abort.length - 1].flags).toBe(RST);
    expect(abort[abort.length - 1].options.timestamps).toBeDefined();
  });

  it('ping: the echo request parses, and buildEchoRequest / buildEchoReply reproduce both packets', () => {
    const [reqHex, replyHex] = fixture('ping').packets.map((p) => p.hex);
    const req = parseIpv4(fromHex(reqHex));
    const reply = parseIpv4(fromHex(replyHex));
    if (!req.ok || !reply.ok) throw new Error('fixture does not parse');
    const msg = parseIcmp(req.value.payload);
    if (!msg.ok || msg.value.kind !== 'echo-request') throw new Error('not an echo request');
    const h = req.value.header;
    expect(toHex(buildEchoRequest(h.src, h.dst, msg.value.identifier, msg.value.sequence, msg.value.data, { id: h.id }))).toBe(reqHex);
    // Linux's reply: ttl 64, the request's TOS, DF clear, its own IP id.
    expect(toHex(buildEchoReply(req.value, h.dst, { id: reply.value.header.id }) ?? new Uint8Array(0))).toBe(replyHex);
    const r = parseIcmp(reply.value.payload);
    expect(r.ok && r.value).toMatchObject({ kind: 'echo-reply', identifier: msg.value.identifier, sequence: 1 });
  });

  it('icmp-unreachable: the quoted SYN, and buildDestinationUnreachable reproduces it', () => {
    const [synHex, icmpHex] = fixture('icmp-unreachable').packets.map((p) => p.hex);
    const { seg } = tcpOf(fromHex(synHex));
    const ip = parseIpv4(fromHex(icmpHex));
    if (!ip.ok) throw new Error(ip.error);
    const m = parseIcmp(ip.value.payload);
    expect(m.ok).toBe(true);
    if (!m.ok || m.value.kind !== 'destination-unreachable') throw new Error('not a destination unreachable');
    expect(m.value.code).toBe(ICMP_PORT_UNREACH);
    expect(m.value.tcp).toEqual({ srcPort: seg.srcPort, dstPort: 82, seq: seg.seq });
    expect(m.value.quoted).toMatchObject({ src: 0x0a4d0001, dst: 0x0a4d0002, protocol: IPPROTO_TCP, totalLength: 60 });
    // iptables REJECT quotes the whole 60-byte SYN.
    expect(toHex(m.value.quotedPayload)).toBe(synHex.slice(40));
    const h = ip.value.header;
    const rebuilt = buildDestinationUnreachable(h.src, ICMP_PORT_UNREACH, fromHex(synHex), 0, { id: h.id });
    expect(rebuilt && toHex(rebuilt)).toBe(icmpHex);
  });
});
