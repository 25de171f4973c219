// ICMP for IPv4 (RFC 792): echo request/reply and destination unreachable are decoded;
// other types are returned as 'other' with their type, code and body.
import { readU16, readU32, writeU16 } from './bytes.ts';
import { checksumAdd, checksumFinish } from './checksum.ts';
import { DEFAULT_TTL, IPPROTO_ICMP, IPPROTO_TCP, IPV4_HEADER_LENGTH, emitIpv4Header, readIpv4Header } from './ipv4.ts';
import type { Ipv4Header, Ipv4Packet } from './ipv4.ts';
import { fail, ok } from './result.ts';
import type { WireResult } from './result.ts';
import type { Seq } from './seq.ts';

// Types (RFC 792).
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;

// Destination unreachable codes (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1).
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_SR_FAILED = 5;
export const ICMP_PKT_FILTERED = 13;

// Field offsets.
export const ICMP_TYPE = 0;
export const ICMP_CODE = 1;
export const ICMP_CHECKSUM = 2;
/** Echo: identifier; destination unreachable: unused. */
export const ICMP_ECHO_ID = 4;
/** Echo: sequence number; destination unreachable code 4: next-hop MTU (RFC 1191). */
export const ICMP_ECHO_SEQUENCE = 6;
export const ICMP_NEXT_HOP_MTU = 6;
export const ICMP_HEADER_LENGTH = 8;
/** RFC 792: the quote is the internet header plus the first 64 bits of the datagram's data. */
export const ICMP_QUOTED_DATA_LENGTH = 8;
/** RFC 1812 4.3.2.3: an ICMP error is at most 576 bytes including its IP header. */
export const ICMP_ERROR_MAX_LENGTH = 576;

export interface IcmpEcho {
  readonly kind: 'echo-request' | 'echo-reply';
  readonly code: number;
  readonly identifier: number;
  readonly sequence: number;
  /** The echoed data (a view). */
  readonly data: Uint8Array;
}

/** The start of a TCP segment quoted in an ICMP error: ports and sequence number. */
export interface QuotedTcp {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: Seq;
}

export interface IcmpDestinationUnreachable {
  readonly kind: 'destination-unreachable';
  readonly code: number;
  /** Code 4 (fragmentation needed): the next-hop MTU (RFC 1191), else 0. */
  readonly nextHopMtu: number;
  /** The quoted IPv4 header (its checksum and total length are not checked: it is a quote). */
  readonly quoted: Ipv4Header;
  /** Everything quoted after that header (at least 8 bytes), a view. */
  readonly quotedPayload: Uint8Array;
  /** Ports and sequence number when the quote is a first TCP fragment, else null. */
  readonly tcp: QuotedTcp | null;
}

export interface IcmpOther {
  readonly kind: 'other';
  readonly type: number;
  readonly code: number;
  /** Bytes 4.. of the message (the rest of the header, then the data), a view. */
  readonly body: Uint8Array;
}

export type IcmpMessage = IcmpEcho | IcmpDestinationUnreachable | IcmpOther;

/** Parses an ICMP message (the IPv4 payload, exactly); verifies the checksum over all of it. */
export function parseIcmp(bytes: Uint8Array): WireResult<IcmpMessage> {
  if (bytes.length < ICMP_HEADER_LENGTH) return fail('icmp-truncated');
  if (checksumFinish(checksumAdd(0, bytes, 0, bytes.length)) !== 0) return fail('icmp-bad-checksum');
  const type = bytes[ICMP_TYPE];
  const code = bytes[ICMP_CODE];
  switch (type) {
    case ICMP_ECHO_REQUEST:
    case ICMP_ECHO_REPLY:
      return ok({
        kind: type === ICMP_ECHO_REQUEST ? 'echo-request' : 'echo-reply',
        code,
        identifier: readU16(bytes, ICMP_ECHO_ID),
        sequence: readU16(bytes, ICMP_ECHO_SEQUENCE),
        data: bytes.subarray(ICMP_HEADER_LENGTH),
      });
    case ICMP_DEST_UNREACH:
      return parseDestinationUnreachable(bytes, code);
    default:
      return ok({ kind: 'other', type, code, body: bytes.subarray(4) });
  }
}

function parseDestinationUnreachable(bytes: Uint8Array, code: number): WireResult<IcmpMessage> {
  const q = ICMP_HEADER_LENGTH;
  if (bytes.length < q + IPV4_HEADER_LENGTH) return fail('icmp-truncated');
  const versionIhl = bytes[q];
  const headerLength = (versionIhl & 0x0f) * 4;
  if (versionIhl >>> 4 !== 4 || headerLength < IPV4_HEADER_LENGTH) return fail('icmp-bad-quote');
  // RFC 1122 3.2.2: the quote holds the IP header and at least 8 bytes of its data.
  if (bytes.length < q + headerLength + ICMP_QUOTED_DATA_LENGTH) return fail('icmp-truncated');
  const quoted = readIpv4Header(bytes, q);
  const t = q + headerLength;
  const tcp = quoted.protocol === IPPROTO_TCP && quoted.fragmentOffset === 0
    ? { srcPort: readU16(bytes, t), dstPort: readU16(bytes, t + 2), seq: readU32(bytes, t + 4) as Seq }
    : null;
  return ok({
    kind: 'destination-unreachable',
    code,
    nextHopMtu: code === ICMP_FRAG_NEEDED ? readU16(bytes, ICMP_NEXT_HOP_MTU) : 0,
    quoted,
    quotedPayload: bytes.subarray(t),
    tcp,
  });
}

export interface IcmpIpFields {
  readonly ttl?: number;
  readonly id?: number;
  readonly tos?: number;
}

/** An IPv4 packet carrying an ICMP message of `bodyLength` bytes after the 8-byte header. */
function icmpPacket(src: number, dst: number, bodyLength: number, ip: IcmpIpFields | undefined, dontFragment: boolean): Uint8Array {
  const icmpLength = ICMP_HEADER_LENGTH + bodyLength;
  const buf = new Uint8Array(IPV4_HEADER_LENGTH + icmpLength);
  emitIpv4Header(
    { src, dst, protocol: IPPROTO_ICMP, ttl: ip?.ttl ?? DEFAULT_TTL, id: ip?.id ?? 0, tos: ip?.tos ?? 0, dontFragment },
    icmpLength,
    buf,
    0,
  );
  return buf;
}

function finishIcmp(buf: Uint8Array): Uint8Array {
  const at = IPV4_HEADER_LENGTH;
  buf[at + ICMP_CHECKSUM] = 0;
  buf[at + ICMP_CHECKSUM + 1] = 0;
  writeU16(buf, at + ICMP_CHECKSUM, checksumFinish(checksumAdd(0, buf, at, buf.length)));
  return buf;
}

/**
 * The echo reply (a whole IPv4 packet) to an echo request addressed to ourAddress, or null
 * if the packet is not such a request (or is malformed). RFC 1122 3.2.2.6: the reply carries
 * the request's identifier, sequence number and data. Linux replies with ttl 64, the
 * request's TOS and DF clear; the IP id defaults to the request's (pass ip.id to choose).
 */
export function buildEchoReply(request: Ipv4Packet, ourAddress: number, ip?: IcmpIpFields): Uint8Array | null {
  const h = request.header;
  if (h.dst !== ourAddress || h.protocol !== IPPROTO_ICMP) return null;
  const parsed = parseIcmp(request.payload);
  if (!parsed.ok || parsed.value.kind !== 'echo-request') return null;
  const buf = icmpPacket(ourAddress, h.src, request.payload.length - ICMP_HEADER_LENGTH,
    { ttl: ip?.ttl, id: ip?.id ?? h.id, tos: ip?.tos ?? h.tos }, false);
  buf.set(request.payload, IPV4_HEADER_LENGTH);
  buf[IPV4_HEADER_LENGTH + ICMP_TYPE] = ICMP_ECHO_REPLY;
  buf[IPV4_HEADER_LENGTH + ICMP_CODE] = 0;
  return finishIcmp(buf);
}

/** An echo request (a whole IPv4 packet), as ping sends it (DF set). */
export function buildEchoRequest(
  src: number,
  dst: number,
  identifier: number,
  sequence: number,
  data: Uint8Array,
  ip?: IcmpIpFields,
): Uint8Array {
  const buf = icmpPacket(src, dst, data.length, ip, true);
  const at = IPV4_HEADER_LENGTH;
  buf[at + ICMP_TYPE] = ICMP_ECHO_REQUEST;
  buf[at + ICMP_CODE] = 0;
  writeU16(buf, at + ICMP_ECHO_ID, identifier);
  writeU16(buf, at + ICMP_ECHO_SEQUENCE, sequence);
  buf.set(data, at + ICMP_HEADER_LENGTH);
  return finishIcmp(buf);
}

/** Linux sends ICMP errors with TOS 0xc0 (IPTOS_PREC_INTERNETCONTROL) and DF clear. */
export const ICMP_ERROR_TOS = 0xc0;

/**
 * A destination unreachable (a whole IPv4 packet) from `src` about `original` (an IPv4
 * packet), sent back to the original's source. Quotes as much of the original as fits in
 * 576 bytes (RFC 1812 4.3.2.3, as Linux's icmp_send). IP defaults: ttl 64, id 0, tos 0xc0.
 * Returns null if `original` is too short to hold an IPv4 header.
 */
export function buildDestinationUnreachable(
  src: number,
  code: number,
  original: Uint8Array,
  nextHopMtu = 0,
  ip?: IcmpIpFields,
): Uint8Array | null {
  if (original.length < IPV4_HEADER_LENGTH || original[0] >>> 4 !== 4) return null;
  const originalHeader = readIpv4Header(original, 0);
  const available = Math.min(original.length, Math.max(originalHeader.totalLength, IPV4_HEADER_LENGTH));
  const quote = Math.min(available, ICMP_ERROR_MAX_LENGTH - IPV4_HEADER_LENGTH - ICMP_HEADER_LENGTH);
  const buf = icmpPacket(src, originalHeader.src, quote, { ttl: ip?.ttl, id: ip?.id, tos: ip?.tos ?? ICMP_ERROR_TOS }, false);
  const at = IPV4_HEADER_LENGTH;
  buf[at + ICMP_TYPE] = ICMP_DEST_UNREACH;
  buf[at + ICMP_CODE] = code;
  writeU16(buf, at + ICMP_NEXT_HOP_MTU, code === ICMP_FRAG_NEEDED ? nextHopMtu : 0);
  buf.set(original.subarray(0, quote), at + ICMP_HEADER_LENGTH);
  return finishIcmp(buf);
}
