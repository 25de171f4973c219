import { describe, expect, it } from 'vitest';
import { buildDestinationUnreachable, buildEchoRequest, ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PROT_UNREACH } from '../../../core/wire/icmp.ts';
import { IPPROTO_UDP, emitIpv4Header, parseIpv4 } from '../../../core/wire/ipv4.ts';
import { formatIpv4Header, formatPacket, formatSegment, tcpFlagsString } from '../../../core/wire/pretty.ts';
import { seq } from '../../../core/wire/seq.ts';
import { CWR, ECE, FIN, PSH, RST, SYN, buildTcpPacket, makeSegment } from '../../../core/wire/tcp.ts';

const A = 0x0a4d0001;
const B = 0x0a4d0002;

describe('tcpdump-style text', () => {
  it('prints flags in tcpdump order', () => {
    const s = (flags: number, ack = false, urg = false): string =>
      tcpFlagsString(makeSegment({ srcPort: 1, dstPort: 2, seq: seq(0), flags, ack: ack ? seq(1) : null, urgent: urg ? 0 : null }));
    expect(s(SYN)).toBe('S');
    expect(s(SYN, true)).toBe('S.');
    expect(s(0, true)).toBe('.');
    expect(s(PSH, true)).toBe('P.');
    expect(s(FIN, true)).toBe('F.');
    expect(s(FIN | PSH, true)).toBe('FP.');
    expect(s(RST)).toBe('R');
    expect(s(RST, true)).toBe('R.');
    expect(s(SYN | ECE | CWR)).toBe('SEW');
    expect(s(FIN | SYN | RST | PSH | ECE | CWR, true, true)).toBe('FSRP.UEW');
    expect(s(0)).toBe('none');
  });

  it('formats the NOTES.md example SYN', () => {
    const syn = makeSegment({
      srcPort: 40000, dstPort: 80, seq: seq(123), flags: SYN, window: 64240,
      options: { mss: 1460, sackPermitted: true, timestamps: { value: 1, echo: 0 }, wscale: 7 },
    });
    expect(formatSegment(A, B, syn)).toBe(
      '10.77.0.1.40000 > 10.77.0.2.80: Flags [S], seq 123, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
    );
  });

  it('prints seq A:B for data, ack with ACK, urg with URG, no seq for a bare ACK', () => {
    const data = makeSegment({
      srcPort: 80, dstPort: 40000, seq: seq(0xfffffffe), ack: seq(124), flags: PSH, window: 502, urgent: 3,
      payload: new Uint8Array(5), options: { timestamps: { value: 7, echo: 1 } },
    });
    expect(formatSegment(B, A, data)).toBe(
      '10.77.0.2.80 > 10.77.0.1.40000: Flags [P.U], seq 4294967294:3, ack 124, win 502, urg 3, options [nop,nop,TS val 7 ecr 1], length 5',
    );
    const ack = makeSegment({ srcPort: 80, dstPort: 40000, seq: seq(5), ack: seq(6), window: 1 });
    expect(formatSegment(B, A, ack)).toBe('10.77.0.2.80 > 10.77.0.1.40000: Flags [.], ack 6, win 1, length 0');
    const fin = makeSegment({ srcPort: 80, dstPort: 40000, seq: seq(5), flags: FIN });
    expect(formatSegment(B, A, fin)).toBe('10.77.0.2.80 > 10.77.0.1.40000: Flags [F], seq 5, win 0, length 0');
  });

  it('formats whole packets, verbose too', () => {
    const p = buildTcpPacket(A, B, makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), flags: RST }), { id: 4, tos: 0x03 });
    expect(formatPacket(p)).toBe('IP 10.77.0.1.1 > 10.77.0.2.2: Flags [R], seq 3, win 0, length 0');
    expect(formatPacket(p, true)).toMatch(
      /^IP \(tos 0x3,CE, ttl 64, id 4, offset 0, flags \[DF\], proto TCP \(6\), length 40\)\n {4}10\.77\.0\.1\.1 > 10\.77\.0\.2\.2: Flags \[R\], cksum 0x[0-9a-f]{4} \(correct\), seq 3, win 0, length 0$/,
    );
    expect(formatPacket(buildEchoRequest(A, B, 1, 2, new Uint8Array(56)))).toBe('IP 10.77.0.1 > 10.77.0.2: ICMP echo request, id 1, seq 2, length 64');
    const udp = new Uint8Array(28);
    emitIpv4Header({ src: A, dst: B, protocol: IPPROTO_UDP }, 8, udp, 0);
    expect(formatPacket(udp)).toBe('IP 10.77.0.1 > 10.77.0.2: ip-proto-17 8');
    expect(formatPacket(new Uint8Array(3))).toBe('IP invalid: ip-truncated');
    const bad = p.slice();
    bad[30] ^= 1;
    expect(formatPacket(bad)).toBe('IP 10.77.0.1 > 10.77.0.2: tcp invalid: tcp-bad-checksum');
  });

  it('names destination-unreachable codes as tcpdump does', () => {
    const syn = buildTcpPacket(A, B, makeSegment({ srcPort: 1, dstPort: 81, seq: seq(3), flags: SYN }));
    const text = (code: number, mtu = 0): string => formatPacket(buildDestinationUnreachable(B, code, syn, mtu) ?? new Uint8Array(0));
    expect(text(ICMP_NET_UNREACH)).toBe('IP 10.77.0.2 > 10.77.0.1: ICMP net 10.77.0.2 unreachable, length 48');
    expect(text(ICMP_HOST_UNREACH)).toBe('IP 10.77.0.2 > 10.77.0.1: ICMP host 10.77.0.2 unreachable, length 48');
    expect(text(ICMP_PROT_UNREACH)).toBe('IP 10.77.0.2 > 10.77.0.1: ICMP 10.77.0.2 protocol 6 unreachable, length 48');
    expect(text(3)).toBe('IP 10.77.0.2 > 10.77.0.1: ICMP 10.77.0.2 tcp port 81 unreachable, length 48');
    expect(text(ICMP_FRAG_NEEDED, 1400)).toBe('IP 10.77.0.2 > 10.77.0.1: ICMP 10.77.0.2 unreachable - need to frag (mtu 1400), length 48');
  });

  it('prints the IPv4 header like tcpdump -v', () => {
    const b = new Uint8Array(20);
    emitIpv4Header({ src: A, dst: B, protocol: 1, id: 7, tos: 0xc0, dontFragment: false }, 0, b, 0);
    const r = parseIpv4(b);
    expect(r.ok && formatIpv4Header(r.value.header)).toBe('(tos 0xc0, ttl 64, id 7, offset 0, flags [none], proto ICMP (1), length 20)');
  });
});
