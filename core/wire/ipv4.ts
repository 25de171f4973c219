// The IPv4 header (RFC 791 3.1). Options are accepted and skipped; fragments are rejected
// (the lab does not reassemble; Linux would count them under ReasmFails when reassembly fails).
import { readU16, readU32, writeU16, writeU32 } from './bytes.ts';
import { checksumAdd, checksumFinish } from './checksum.ts';
import { fail, ok } from './result.ts';
import type { WireResult } from './result.ts';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

// Field offsets (RFC 791 3.1).
export const IPV4_VERSION_IHL = 0;
export const IPV4_TOS = 1;
export const IPV4_TOTAL_LENGTH = 2;
export const IPV4_ID = 4;
export const IPV4_FLAGS_FRAGMENT = 6;
export const IPV4_TTL = 8;
export const IPV4_PROTOCOL = 9;
export const IPV4_CHECKSUM = 10;
export const IPV4_SRC = 12;
export const IPV4_DST = 16;
/** The header without options. */
export const IPV4_HEADER_LENGTH = 20;
export const IPV4_MAX_HEADER_LENGTH = 60;
export const IPV4_MAX_TOTAL_LENGTH = 0xffff;

// Bits of the 16-bit flags + fragment offset field.
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;

export const DEFAULT_TTL = 64;

export interface Ipv4Header {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
  readonly ttl: number;
  readonly id: number;
  readonly tos: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** In 8-byte units, as on the wire. */
  readonly fragmentOffset: number;
  /** In bytes (IHL * 4). */
  readonly headerLength: number;
  readonly totalLength: number;
}

export interface Ipv4Packet {
  readonly header: Ipv4Header;
  /** bytes[headerLength, totalLength): a view, not a copy. */
  readonly payload: Uint8Array;
}

/** What emitIpv4Header needs; defaults: ttl 64, id 0, tos 0, dontFragment true (Linux sets DF on TCP). */
export interface Ipv4HeaderFields {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
  readonly ttl?: number;
  readonly id?: number;
  readonly tos?: number;
  readonly dontFragment?: boolean;
}

/** The header fields at bytes[at..], unvalidated (also used for headers quoted in ICMP). */
export function readIpv4Header(b: Uint8Array, at: number): Ipv4Header {
  const frag = readU16(b, at + IPV4_FLAGS_FRAGMENT);
  return {
    src: readU32(b, at + IPV4_SRC),
    dst: readU32(b, at + IPV4_DST),
    protocol: b[at + IPV4_PROTOCOL],
    ttl: b[at + IPV4_TTL],
    id: readU16(b, at + IPV4_ID),
    tos: b[at + IPV4_TOS],
    dontFragment: (frag & IPV4_FLAG_DF) !== 0,
    moreFragments: (frag & IPV4_FLAG_MF) !== 0,
    fragmentOffset: frag & IPV4_FRAGMENT_OFFSET_MASK,
    headerLength: (b[at + IPV4_VERSION_IHL] & 0x0f) * 4,
    totalLength: readU16(b, at + IPV4_TOTAL_LENGTH),
  };
}

/**
 * Parses one IPv4 packet. Checks in the order Linux's ip_rcv_core does: version and IHL,
 * the header present, the header checksum, then the total length. Bytes after the total
 * length (link padding) are ignored.
 */
export function parseIpv4(bytes: Uint8Array): WireResult<Ipv4Packet> {
  if (bytes.length < IPV4_HEADER_LENGTH) return fail('ip-truncated');
  const versionIhl = bytes[IPV4_VERSION_IHL];
  if (versionIhl >>> 4 !== 4) return fail('ip-bad-version');
  const headerLength = (versionIhl & 0x0f) * 4;
  // RFC 791 3.1: the minimum value for a correct header is 5 (words).
  if (headerLength < IPV4_HEADER_LENGTH) return fail('ip-bad-header-length');
  if (bytes.length < headerLength) return fail('ip-truncated');
  if (checksumFinish(checksumAdd(0, bytes, 0, headerLength)) !== 0) return fail('ip-bad-checksum');
  const totalLength = readU16(bytes, IPV4_TOTAL_LENGTH);
  if (totalLength < headerLength) return fail('ip-bad-total-length');
  if (bytes.length < totalLength) return fail('ip-truncated');
  const frag = readU16(bytes, IPV4_FLAGS_FRAGMENT);
  if ((frag & (IPV4_FLAG_MF | IPV4_FRAGMENT_OFFSET_MASK)) !== 0) return fail('ip-fragment');
  return ok({ header: readIpv4Header(bytes, 0), payload: bytes.subarray(headerLength, totalLength) });
}

/**
 * Writes a 20-byte IPv4 header (no options) for a payload of payloadLength bytes, with its
 * checksum, at buf[offset..]. Returns 20. Throws RangeError if it does not fit or the total
 * length exceeds 65535 (a caller bug, not bad input from the wire).
 */
export function emitIpv4Header(h: Ipv4HeaderFields, payloadLength: number, buf: Uint8Array, offset: number): number {
  const total = IPV4_HEADER_LENGTH + payloadLength;
  if (total > IPV4_MAX_TOTAL_LENGTH) throw new RangeError(`IPv4 total length ${total} > 65535`);
  if (offset < 0 || offset + IPV4_HEADER_LENGTH > buf.length) throw new RangeError('IPv4 header does not fit');
  buf[offset + IPV4_VERSION_IHL] = 0x45;
  buf[offset + IPV4_TOS] = h.tos ?? 0;
  writeU16(buf, offset + IPV4_TOTAL_LENGTH, total);
  writeU16(buf, offset + IPV4_ID, h.id ?? 0);
  writeU16(buf, offset + IPV4_FLAGS_FRAGMENT, (h.dontFragment ?? true) ? IPV4_FLAG_DF : 0);
  buf[offset + IPV4_TTL] = h.ttl ?? DEFAULT_TTL;
  buf[offset + IPV4_PROTOCOL] = h.protocol;
  buf[offset + IPV4_CHECKSUM] = 0;
  buf[offset + IPV4_CHECKSUM + 1] = 0;
  writeU32(buf, offset + IPV4_SRC, h.src);
  writeU32(buf, offset + IPV4_DST, h.dst);
  writeU16(buf, offset + IPV4_CHECKSUM, checksumFinish(checksumAdd(0, buf, offset, offset + IPV4_HEADER_LENGTH)));
  return IPV4_HEADER_LENGTH;
}

/** '10.77.0.2' */
export function formatAddress(a: number): string {
  return `${(a >>> 24) & 0xff}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * '10.77.0.2' -> 0x0a4d0002; null when malformed. Strict dotted quad: four decimal parts
 * 0-255, no leading zeros (inet_aton would read '010' as octal), nothing else.
 */
export function parseAddress(s: string): number | null {
  const m = DOTTED_QUAD.exec(s);
  if (m === null) return null;
  let a = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i];
    if (part.length > 1 && part[0] === '0') return null;
    const v = Number(part);
    if (v > 255) return null;
    a = a * 256 + v;
  }
  return a;
}
