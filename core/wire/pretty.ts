// tcpdump-like one-line renderings (not a hot path). formatSegment matches the text after
// "IP " in `tcpdump -nn -S` output for the segment; formatPacket renders a whole IPv4 packet
// like `tcpdump -nn -S` (or, verbose, the first two lines of `tcpdump -nn -S -v`).
// TCP options print in the canonical Linux layout (see tcp-options.ts).
import { readU16 } from './bytes.ts';
import { ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, parseIcmp } from './icmp.ts';
import type { IcmpDestinationUnreachable, IcmpMessage } from './icmp.ts';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, formatAddress, parseIpv4 } from './ipv4.ts';
import type { Ipv4Header } from './ipv4.ts';
import { ACK_BIT, CWR, ECE, FIN, PSH, RST, SYN, TCP_CHECKSUM, URG_BIT, parseTcp, wireFlags } from './tcp.ts';
import type { TcpSegment } from './tcp.ts';
import { formatOptions, optionsLength } from './tcp-options.ts';

// tcpdump's order (print-tcp.c tcp_flag_values): F S R P . U E W.
const FLAG_CHARS: readonly (readonly [number, string])[] = [
  [FIN, 'F'], [SYN, 'S'], [RST, 'R'], [PSH, 'P'], [ACK_BIT, '.'], [URG_BIT, 'U'], [ECE, 'E'], [CWR, 'W'],
];

/** tcpdump's flag string: 'S', 'S.', '.', 'P.', 'F.', 'FP.', 'R', 'R.', 'SEW'; 'none' for no flags. */
export function tcpFlagsString(seg: TcpSegment): string {
  const bits = wireFlags(seg);
  let s = '';
  for (const [bit, c] of FLAG_CHARS) if ((bits & bit) !== 0) s += c;
  return s === '' ? 'none' : s;
}

/**
 * '10.77.0.1.40000 > 10.77.0.2.80: Flags [S], seq 123, win 64240, options [mss 1460,...], length 0'.
 * As tcpdump -S: seq (as 'A:B' when there is data) only for data, SYN, FIN or RST; 'ack N'
 * with ACK; 'urg N' with URG; options when there are any.
 */
export function formatSegment(src: number, dst: number, seg: TcpSegment): string {
  return `${formatAddress(src)}.${seg.srcPort} > ${formatAddress(dst)}.${seg.dstPort}: ${segmentDetails(seg, null)}`;
}

function segmentDetails(seg: TcpSegment, checksum: number | null): string {
  const length = seg.payload.length;
  let s = `Flags [${tcpFlagsString(seg)}]`;
  if (checksum !== null) s += `, cksum 0x${hex4(checksum)} (correct)`;
  if (length > 0 || (seg.flags & (SYN | FIN | RST)) !== 0) {
    s += `, seq ${seg.seq}`;
    if (length > 0) s += `:${(seg.seq + length) >>> 0}`;
  }
  if (seg.ack !== null) s += `, ack ${seg.ack}`;
  s += `, win ${seg.window}`;
  if (seg.urgent !== null) s += `, urg ${seg.urgent}`;
  if (optionsLength(seg.options, (seg.flags & SYN) !== 0) > 0) s += `, options [${formatOptions(seg.options)}]`;
  s += `, length ${length}`;
  // tcpdump -v shows the data of a RST (RFC 1122 4.2.2.12: it may carry diagnostic text).
  if (checksum !== null && (seg.flags & RST) !== 0 && length > 0) s += rstData(seg.payload);
  return s;
}

const MAX_RST_DATA = 30;

/** tcpdump's print_tcp_rst_data: ' [RST text]', '+' when cut at 30 bytes, unprintables as ^X / M-x. */
function rstData(data: Uint8Array): string {
  let s = data.length > MAX_RST_DATA ? ' [RST+ ' : ' [RST ';
  for (let i = 0; i < Math.min(data.length, MAX_RST_DATA); i++) {
    let c = data[i];
    if (c >= 0x80) {
      s += 'M-';
      c &= 0x7f;
    }
    s += c < 0x20 || c === 0x7f ? `^${String.fromCharCode(c ^ 0x40)}` : String.fromCharCode(c);
  }
  return `${s}]`;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

const ECN_NAMES = ['', 'ECT(1)', 'ECT(0)', 'CE'];
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { [IPPROTO_ICMP]: 'ICMP', [IPPROTO_TCP]: 'TCP', [IPPROTO_UDP]: 'UDP' };

/** The parenthesized part of tcpdump -v: '(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)'. */
export function formatIpv4Header(h: Ipv4Header): string {
  const ecn = ECN_NAMES[h.tos & 3];
  const flags = (h.moreFragments ? '+' : '') + (h.dontFragment ? 'DF' : '');
  const proto = PROTOCOL_NAMES[h.protocol] ?? 'unknown';
  return `(tos 0x${h.tos.toString(16)}${ecn === '' ? '' : `,${ecn}`}, ttl ${h.ttl}, id ${h.id}, `
    + `offset ${h.fragmentOffset * 8}, flags [${flags === '' ? 'none' : flags}], proto ${proto} (${h.protocol}), `
    + `length ${h.totalLength})`;
}

/** tcpdump's text for an ICMP message of `length` bytes: 'ICMP echo request, id 1, seq 2, length 64'. */
export function formatIcmp(m: IcmpMessage, length: number): string {
  switch (m.kind) {
    case 'echo-request':
    case 'echo-reply':
      return `ICMP echo ${m.kind === 'echo-request' ? 'request' : 'reply'}, id ${m.identifier}, seq ${m.sequence}, length ${length}`;
    case 'destination-unreachable':
      return `ICMP ${unreachableText(m)}, length ${length}`;
    case 'other':
      return `ICMP type-#${m.type}, length ${length}`;
    default: {
      const never: never = m;
      return never;
    }
  }
}

// tcpdump print-icmp.c, ICMP_UNREACH cases.
function unreachableText(m: IcmpDestinationUnreachable): string {
  const q = m.quoted;
  const dst = formatAddress(q.dst);
  switch (m.code) {
    case ICMP_NET_UNREACH:
      return `net ${dst} unreachable`;
    case ICMP_HOST_UNREACH:
      return `host ${dst} unreachable`;
    case ICMP_PROT_UNREACH:
      return `${dst} protocol ${q.protocol} unreachable`;
    case ICMP_PORT_UNREACH: {
      const port = readU16(m.quotedPayload, 2);
      if (q.protocol === IPPROTO_TCP) return `${dst} tcp port ${port} unreachable`;
      if (q.protocol === IPPROTO_UDP) return `${dst} udp port ${port} unreachable`;
      return `${dst} protocol ${q.protocol} port ${port} unreachable`;
    }
    case ICMP_FRAG_NEEDED:
      return m.nextHopMtu === 0 ? `${dst} unreachable - need to frag` : `${dst} unreachable - need to frag (mtu ${m.nextHopMtu})`;
    default: {
      const text = UNREACH_TEXT[m.code];
      return text === undefined ? `${dst} unreachable - #${m.code}` : text.replace('%s', dst);
    }
  }
}

// tcpdump print-icmp.c unr2str, codes 5 to 15 (RFC 1122, RFC 1812).
const UNREACH_TEXT: Readonly<Record<number, string>> = {
  5: '%s unreachable - source route failed',
  6: 'net %s unreachable - unknown',
  7: 'host %s unreachable - unknown',
  8: '%s unreachable - source host isolated',
  9: 'net %s unreachable - admin prohibited',
  10: 'host %s unreachable - admin prohibited',
  11: 'net %s unreachable - tos prohibited',
  12: 'host %s unreachable - tos prohibited',
  13: 'host %s unreachable - admin prohibited filter',
  14: 'host %s unreachable - host precedence violation',
  15: 'host %s unreachable - precedence cutoff',
};

/**
 * A whole IPv4 packet as `tcpdump -nn -S` prints it (without the timestamp):
 * 'IP 10.77.0.1.40000 > 10.77.0.2.80: Flags [S], ...'. With verbose, the first two lines of
 * `tcpdump -nn -S -v` ('IP (tos ...)\n    10.77.0.1.40000 > ...: Flags [S], cksum 0x... (correct), ...').
 * Packets that do not parse print as 'IP invalid: <error>' (tcpdump has its own wording).
 */
export function formatPacket(bytes: Uint8Array, verbose = false): string {
  const ip = parseIpv4(bytes);
  if (!ip.ok) return `IP invalid: ${ip.error}`;
  const h = ip.value.header;
  const payload = ip.value.payload;
  const prefix = verbose ? `IP ${formatIpv4Header(h)}\n    ` : 'IP ';
  if (h.protocol === IPPROTO_TCP) {
    const tcp = parseTcp(payload, h.src, h.dst);
    if (!tcp.ok) return `${prefix}${formatAddress(h.src)} > ${formatAddress(h.dst)}: tcp invalid: ${tcp.error}`;
    const seg = tcp.value;
    const ends = `${formatAddress(h.src)}.${seg.srcPort} > ${formatAddress(h.dst)}.${seg.dstPort}`;
    return `${prefix}${ends}: ${segmentDetails(seg, verbose ? readU16(payload, TCP_CHECKSUM) : null)}`;
  }
  const ends = `${formatAddress(h.src)} > ${formatAddress(h.dst)}`;
  if (h.protocol === IPPROTO_ICMP) {
    const icmp = parseIcmp(payload);
    if (!icmp.ok) return `${prefix}${ends}: icmp invalid: ${icmp.error}`;
    return `${prefix}${ends}: ${formatIcmp(icmp.value, payload.length)}`;
  }
  return `${prefix}${ends}: ip-proto-${h.protocol} ${payload.length}`;
}
