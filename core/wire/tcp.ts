// The TCP header (RFC 9293 3.1): parse (with the pseudo-header checksum), emit, and helpers.
import { readU16, readU32, writeU16, writeU32 } from './bytes.ts';
import { checksumAdd, checksumFinish, pseudoHeaderSum } from './checksum.ts';
import { IPPROTO_TCP, IPV4_HEADER_LENGTH, emitIpv4Header } from './ipv4.ts';
import { fail, ok } from './result.ts';
import type { WireResult } from './result.ts';
import type { Seq } from './seq.ts';
import { MAX_OPTIONS_LENGTH, NO_OPTIONS, emitTcpOptions, optionsLength, readTcpOptions } from './tcp-options.ts';
import type { TcpOptions } from './tcp-options.ts';

// Flag bits as on the wire. ACK and URG are not in `flags`: they are implied by
// `ack !== null` and `urgent !== null`, so a segment cannot claim one without the other.
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK_BIT = 0x10;
export const URG_BIT = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

/** The bits that live in TcpSegment.flags. */
export const SEGMENT_FLAGS_MASK = FIN | SYN | RST | PSH | ECE | CWR;

export interface TcpSegment {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: Seq;
  /** The acknowledgment number; non-null exactly when the ACK flag is set. */
  readonly ack: Seq | null;
  /** FIN | SYN | RST | PSH | ECE | CWR bits (ACK and URG are derived, see above). */
  readonly flags: number;
  /** The raw 16-bit window field (not scaled). */
  readonly window: number;
  /** The urgent pointer; non-null exactly when the URG flag is set. */
  readonly urgent: number | null;
  readonly options: TcpOptions;
  readonly payload: Uint8Array;
}

// Field offsets (RFC 9293 3.1).
export const TCP_SRC_PORT = 0;
export const TCP_DST_PORT = 2;
export const TCP_SEQ = 4;
export const TCP_ACK = 8;
/** Data offset in the high 4 bits (32-bit words); the low 4 bits are reserved (AE in RFC 9768). */
export const TCP_DATA_OFFSET = 12;
export const TCP_FLAGS = 13;
export const TCP_WINDOW = 14;
export const TCP_CHECKSUM = 16;
export const TCP_URGENT = 18;
/** The header without options. */
export const TCP_HEADER_LENGTH = 20;
export const TCP_MAX_HEADER_LENGTH = TCP_HEADER_LENGTH + MAX_OPTIONS_LENGTH;

const EMPTY = new Uint8Array(0);

/**
 * Parses a TCP segment (the IPv4 payload, exactly) from src to dst. Checks, in order: the
 * fixed header present, the data offset (>= 5 words and within the segment), the checksum
 * over the pseudo-header and the whole segment, then the options. The reserved bits and the
 * ack / urgent fields of segments without ACK / URG are not kept.
 */
export function parseTcp(bytes: Uint8Array, src: number, dst: number): WireResult<TcpSegment> {
  const length = bytes.length;
  if (length < TCP_HEADER_LENGTH) return fail('tcp-truncated');
  const headerLength = (bytes[TCP_DATA_OFFSET] >>> 4) * 4;
  // RFC 9293 3.1: the data offset counts 32-bit words of header, at least 5.
  if (headerLength < TCP_HEADER_LENGTH || headerLength > length) return fail('tcp-bad-data-offset');
  // RFC 9293 3.1: the checksum covers the pseudo-header, the header and the data.
  const sum = checksumAdd(pseudoHeaderSum(src, dst, IPPROTO_TCP, length), bytes, 0, length);
  if (checksumFinish(sum) !== 0) return fail('tcp-bad-checksum');
  const options = headerLength === TCP_HEADER_LENGTH
    ? NO_OPTIONS
    : readTcpOptions(bytes, TCP_HEADER_LENGTH, headerLength);
  if (typeof options === 'string') return fail(options);
  const flags = bytes[TCP_FLAGS];
  return ok({
    srcPort: readU16(bytes, TCP_SRC_PORT),
    dstPort: readU16(bytes, TCP_DST_PORT),
    seq: readU32(bytes, TCP_SEQ) as Seq,
    ack: (flags & ACK_BIT) !== 0 ? readU32(bytes, TCP_ACK) as Seq : null,
    flags: flags & SEGMENT_FLAGS_MASK,
    window: readU16(bytes, TCP_WINDOW),
    urgent: (flags & URG_BIT) !== 0 ? readU16(bytes, TCP_URGENT) : null,
    options,
    payload: bytes.subarray(headerLength),
  });
}

/** 20 + the padded options, as emitTcp writes them. */
export function tcpHeaderLength(seg: TcpSegment): number {
  return TCP_HEADER_LENGTH + optionsLength(seg.options, (seg.flags & SYN) !== 0);
}

/** The flags byte on the wire: seg.flags plus ACK / URG derived from ack / urgent. */
export function wireFlags(seg: TcpSegment): number {
  return (seg.flags & SEGMENT_FLAGS_MASK) | (seg.ack !== null ? ACK_BIT : 0) | (seg.urgent !== null ? URG_BIT : 0);
}

/**
 * Writes header, options and payload at buf[offset..] and fills in the checksum (with the
 * pseudo-header for src -> dst). Returns the bytes written. If the payload already sits at
 * its place in buf (same buffer, right offset) it is not copied: build in place for zero copy.
 * Throws RangeError if the segment does not fit in buf (a caller bug).
 */
export function emitTcp(seg: TcpSegment, src: number, dst: number, buf: Uint8Array, offset: number): number {
  const syn = (seg.flags & SYN) !== 0;
  const headerLength = TCP_HEADER_LENGTH + optionsLength(seg.options, syn);
  const total = headerLength + seg.payload.length;
  if (offset < 0 || offset + total > buf.length) throw new RangeError('TCP segment does not fit');
  writeU16(buf, offset + TCP_SRC_PORT, seg.srcPort);
  writeU16(buf, offset + TCP_DST_PORT, seg.dstPort);
  writeU32(buf, offset + TCP_SEQ, seg.seq);
  writeU32(buf, offset + TCP_ACK, seg.ack ?? 0);
  buf[offset + TCP_DATA_OFFSET] = (headerLength >>> 2) << 4;
  buf[offset + TCP_FLAGS] = wireFlags(seg);
  writeU16(buf, offset + TCP_WINDOW, seg.window);
  buf[offset + TCP_CHECKSUM] = 0;
  buf[offset + TCP_CHECKSUM + 1] = 0;
  writeU16(buf, offset + TCP_URGENT, seg.urgent ?? 0);
  if (headerLength > TCP_HEADER_LENGTH) emitTcpOptions(seg.options, syn, buf, offset + TCP_HEADER_LENGTH);
  const payload = seg.payload;
  const at = offset + headerLength;
  if (payload.length > 0 && !(payload.buffer === buf.buffer && payload.byteOffset === buf.byteOffset + at)) {
    buf.set(payload, at);
  }
  const sum = checksumAdd(pseudoHeaderSum(src, dst, IPPROTO_TCP, total), buf, offset, offset + total);
  writeU16(buf, offset + TCP_CHECKSUM, checksumFinish(sum));
  return total;
}

/** A whole IPv4 packet (20-byte header with DF, then the segment) in a new buffer. */
export function buildTcpPacket(
  src: number,
  dst: number,
  seg: TcpSegment,
  ip?: { ttl?: number; id?: number; tos?: number },
): Uint8Array {
  const tcpLength = tcpHeaderLength(seg) + seg.payload.length;
  const buf = new Uint8Array(IPV4_HEADER_LENGTH + tcpLength);
  emitIpv4Header({ src, dst, protocol: IPPROTO_TCP, ttl: ip?.ttl, id: ip?.id, tos: ip?.tos }, tcpLength, buf, 0);
  emitTcp(seg, src, dst, buf, IPV4_HEADER_LENGTH);
  return buf;
}

/**
 * A segment with defaults: ack null, flags 0, window 0, urgent null, options NO_OPTIONS,
 * payload empty. ACK_BIT / URG_BIT in `flags` are accepted only together with `ack` /
 * `urgent` (and then dropped from flags); alone they throw RangeError (a caller bug).
 */
export function makeSegment(fields: Partial<TcpSegment> & { srcPort: number; dstPort: number; seq: Seq }): TcpSegment {
  const flags = fields.flags ?? 0;
  const ack = fields.ack ?? null;
  const urgent = fields.urgent ?? null;
  if ((flags & ACK_BIT) !== 0 && ack === null) throw new RangeError('ACK flag without an ack number');
  if ((flags & URG_BIT) !== 0 && urgent === null) throw new RangeError('URG flag without an urgent pointer');
  return {
    srcPort: fields.srcPort,
    dstPort: fields.dstPort,
    seq: fields.seq,
    ack,
    flags: flags & SEGMENT_FLAGS_MASK,
    window: fields.window ?? 0,
    urgent,
    options: fields.options ?? NO_OPTIONS,
    payload: fields.payload ?? EMPTY,
  };
}

/** Sequence space the segment occupies: payload bytes plus one each for SYN and FIN. */
export function segmentSeqLength(seg: TcpSegment): number {
  return seg.payload.length + ((seg.flags & SYN) !== 0 ? 1 : 0) + ((seg.flags & FIN) !== 0 ? 1 : 0);
}
