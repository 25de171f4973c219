// Packets between the script and the stack: building the IPv4/TCP bytes of a segment the
// script injects, and decoding what the stack sends. The IPv4 header, the checksums and the
// segment parse are the wire codecs'; the TCP header is written here because its options
// must keep the script's exact order (see options.ts).
import { writeU16, writeU32 } from '../wire/bytes.ts';
import { checksumAdd, checksumFinish, pseudoHeaderSum } from '../wire/checksum.ts';
import { IPPROTO_TCP, IPV4_HEADER_LENGTH, emitIpv4Header, parseIpv4 } from '../wire/ipv4.ts';
import { ACK_BIT, TCP_ACK, TCP_CHECKSUM, TCP_DATA_OFFSET, TCP_DST_PORT, TCP_FLAGS, TCP_HEADER_LENGTH, TCP_SEQ, TCP_SRC_PORT, TCP_URGENT, TCP_WINDOW, URG_BIT, parseTcp, wireFlags } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';
import { decodeOptions, encodeOptions } from './options.ts';
import type { WireOption } from './options.ts';
import type { OptionSpec } from './script.ts';

/** A segment with absolute numbers, ready to be put on the wire. */
export interface SegmentFields {
  readonly src: number;
  readonly dst: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** All wire flag bits, ACK and URG included. */
  readonly flags: number;
  readonly window: number;
  readonly urgent: number;
  readonly options: readonly OptionSpec[];
  readonly payloadLength: number;
}

/** The IPv4 packet for a segment; null when the options do not fit in 40 bytes. */
export function buildPacket(f: SegmentFields): Uint8Array | null {
  const options = encodeOptions(f.options);
  if (options === null) return null;
  const headerLength = TCP_HEADER_LENGTH + options.length;
  const tcpLength = headerLength + f.payloadLength;
  const buf = new Uint8Array(IPV4_HEADER_LENGTH + tcpLength);
  emitIpv4Header({ src: f.src, dst: f.dst, protocol: IPPROTO_TCP }, tcpLength, buf, 0);
  const t = IPV4_HEADER_LENGTH;
  writeU16(buf, t + TCP_SRC_PORT, f.srcPort);
  writeU16(buf, t + TCP_DST_PORT, f.dstPort);
  writeU32(buf, t + TCP_SEQ, f.seq >>> 0);
  writeU32(buf, t + TCP_ACK, (f.flags & ACK_BIT) !== 0 ? f.ack >>> 0 : 0);
  buf[t + TCP_DATA_OFFSET] = (headerLength >>> 2) << 4;
  buf[t + TCP_FLAGS] = f.flags;
  writeU16(buf, t + TCP_WINDOW, f.window);
  writeU16(buf, t + TCP_URGENT, (f.flags & URG_BIT) !== 0 ? f.urgent : 0);
  buf.set(options, t + TCP_HEADER_LENGTH);
  // The payload stays zero-filled (as packetdrill's).
  const sum = checksumAdd(pseudoHeaderSum(f.src, f.dst, IPPROTO_TCP, tcpLength), buf, t, t + tcpLength);
  writeU16(buf, t + TCP_CHECKSUM, checksumFinish(sum));
  return buf;
}

/** A packet the stack sent, decoded. */
export interface SentPacket {
  /** When it was sent, in microseconds since the script started. */
  readonly atUsecs: number;
  /** A copy of the IPv4 packet. */
  readonly bytes: Uint8Array;
  /** null when the packet is not a well-formed TCP/IPv4 packet (then `problem` says why). */
  readonly tcp: {
    readonly src: number;
    readonly dst: number;
    readonly seg: TcpSegment;
    /** All wire flag bits, ACK and URG included. */
    readonly flags: number;
    /** The options in wire order. */
    readonly options: readonly WireOption[];
  } | null;
  readonly problem: string | null;
}

export function decodeSent(packet: Uint8Array, atUsecs: number): SentPacket {
  const bytes = packet.slice();
  const ip = parseIpv4(bytes);
  if (!ip.ok) return { atUsecs, bytes, tcp: null, problem: `not a valid IPv4 packet (${ip.error})` };
  const h = ip.value.header;
  if (h.protocol !== IPPROTO_TCP) return { atUsecs, bytes, tcp: null, problem: `not a TCP packet (IP protocol ${h.protocol})` };
  const tcp = parseTcp(ip.value.payload, h.src, h.dst);
  if (!tcp.ok) return { atUsecs, bytes, tcp: null, problem: `not a valid TCP segment (${tcp.error})` };
  const raw = ip.value.payload;
  const headerLength = (raw[TCP_DATA_OFFSET] >>> 4) * 4;
  const options = decodeOptions(raw.subarray(TCP_HEADER_LENGTH, headerLength));
  if (!options.ok) return { atUsecs, bytes, tcp: null, problem: `bad TCP options (${options.error})` };
  const seg = tcp.value;
  return { atUsecs, bytes, tcp: { src: h.src, dst: h.dst, seg, flags: wireFlags(seg), options: options.options }, problem: null };
}
