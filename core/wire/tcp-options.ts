// TCP options (RFC 9293 3.1, RFC 7323, RFC 2018): parse, emit, length and format.
//
// Emission uses Linux's layout (tcp_options_write), which depends only on the option set:
//   mss N                              (kind 2)
//   sackOK,TS val X ecr Y              when both (SACK-permitted packed before timestamps)
//   nop,nop,TS val X ecr Y             when timestamps only
//   nop,nop,sackOK                     when SACK-permitted only
//   nop,wscale N
//   nop,nop,sack N {L:R}...            SACK blocks
//   unknown options (kind, length, zero data), then EOL/zero padding to a multiple of 4.
// So a SYN reads <mss 1460,sackOK,TS val X ecr 0,nop,wscale 7> and a data segment
// <nop,nop,TS val X ecr Y,nop,nop,sack 1 {A:B}>, exactly as Linux sends them.
//
// Parsing does not record NOPs, EOL or padding, so formatOptions prints the canonical layout
// of the option set: identical to tcpdump for anything Linux (or this codec) emitted, and
// possibly different in where the nops sit for segments from other stacks.
import type { Seq } from './seq.ts';
import { readU16, readU32, writeU16, writeU32 } from './bytes.ts';
import type { WireError, WireResult } from './result.ts';
import { fail, ok } from './result.ts';

export interface SackBlock {
  readonly left: Seq;
  readonly right: Seq;
}

export interface Timestamps {
  /** TSval */
  readonly value: number;
  /** TSecr */
  readonly echo: number;
}

/** The options of one segment; absent fields were not present on the wire. */
export interface TcpOptions {
  readonly mss?: number;
  readonly wscale?: number;
  readonly sackPermitted?: boolean;
  readonly sack?: readonly SackBlock[];
  readonly timestamps?: Timestamps;
  /** Options we do not interpret, skipped by their length. */
  readonly unknown?: readonly UnknownOption[];
}

export interface UnknownOption {
  readonly kind: number;
  /** The option's length octet (kind and length included). */
  readonly length: number;
  /** The length - 2 data bytes: a view into the packet when parsed; zeros are emitted when absent. */
  readonly data?: Uint8Array;
}

export const NO_OPTIONS: TcpOptions = Object.freeze({});

// Option kinds and lengths (IANA TCP option kind numbers).
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERM = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

export const TCPOLEN_MSS = 4;
export const TCPOLEN_WSCALE = 3;
export const TCPOLEN_SACK_PERM = 2;
export const TCPOLEN_SACK_BASE = 2;
export const TCPOLEN_SACK_PERBLOCK = 8;
export const TCPOLEN_TIMESTAMP = 10;

/** Option space in a TCP header: data offset 15 words minus the 20-byte fixed header. */
export const MAX_OPTIONS_LENGTH = 40;

// Aligned sizes in Linux's layout.
const ALIGNED_MSS = 4;
const ALIGNED_TS = 12; // sackOK or nop,nop + TS
const ALIGNED_SACK_PERM = 4; // nop,nop,sackOK
const ALIGNED_WSCALE = 4; // nop,wscale
const ALIGNED_SACK_BASE = 4; // nop,nop,kind,len

/**
 * Reads the options in bytes[start, end) (a TCP header's option space). Returns the options
 * or an error code; allocates the options object, timestamps and SACK blocks only when present.
 * The last occurrence of a repeated option wins (as in Linux's tcp_parse_options).
 */
export function readTcpOptions(bytes: Uint8Array, start: number, end: number): TcpOptions | WireError {
  let mss: number | undefined;
  let wscale: number | undefined;
  let sackPermitted: boolean | undefined;
  let sack: SackBlock[] | undefined;
  let timestamps: Timestamps | undefined;
  let unknown: UnknownOption[] | undefined;
  let any = false;
  let i = start;
  while (i < end) {
    const kind = bytes[i];
    // RFC 9293 3.1: End of Option List; what follows is padding.
    if (kind === TCPOPT_EOL) break;
    if (kind === TCPOPT_NOP) {
      i++;
      continue;
    }
    // RFC 9293 3.1: every other option has a length octet counting kind and length.
    if (i + 1 >= end) return 'tcp-bad-option';
    const len = bytes[i + 1];
    if (len < 2 || i + len > end) return 'tcp-bad-option';
    switch (kind) {
      case TCPOPT_MSS:
        if (len !== TCPOLEN_MSS) return 'tcp-bad-option';
        mss = readU16(bytes, i + 2);
        break;
      case TCPOPT_WSCALE:
        // RFC 7323 2.3: a shift above 14 is used as 14; the raw value is kept here.
        if (len !== TCPOLEN_WSCALE) return 'tcp-bad-option';
        wscale = bytes[i + 2];
        break;
      case TCPOPT_SACK_PERM:
        if (len !== TCPOLEN_SACK_PERM) return 'tcp-bad-option';
        sackPermitted = true;
        break;
      case TCPOPT_SACK: {
        // RFC 2018 3: 2 + 8n bytes, n >= 1.
        const blocks = (len - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;
        if (blocks < 1 || blocks !== Math.floor(blocks)) return 'tcp-bad-option';
        sack = new Array<SackBlock>(blocks);
        for (let b = 0, at = i + 2; b < blocks; b++, at += TCPOLEN_SACK_PERBLOCK) {
          sack[b] = { left: readU32(bytes, at) as Seq, right: readU32(bytes, at + 4) as Seq };
        }
        break;
      }
      case TCPOPT_TIMESTAMP:
        if (len !== TCPOLEN_TIMESTAMP) return 'tcp-bad-option';
        timestamps = { value: readU32(bytes, i + 2), echo: readU32(bytes, i + 6) };
        break;
      default:
        (unknown ??= []).push({ kind, length: len, data: bytes.subarray(i + 2, i + len) });
        break;
    }
    any = true;
    i += len;
  }
  if (!any) return NO_OPTIONS;
  // One object shape for every parsed option set (absent fields are undefined).
  return { mss, wscale, sackPermitted, sack, timestamps, unknown };
}

export function parseTcpOptions(bytes: Uint8Array, start: number, end: number): WireResult<TcpOptions> {
  if (start < 0 || end > bytes.length || start > end) return fail('tcp-bad-option');
  const r = readTcpOptions(bytes, start, end);
  return typeof r === 'string' ? fail(r) : ok(r);
}

function unknownLength(o: TcpOptions): number {
  let n = 0;
  if (o.unknown !== undefined) for (const u of o.unknown) n += Math.max(2, u.length);
  return n;
}

/** Option bytes before the SACK blocks (unpadded sizes of the fixed parts are all 4-aligned). */
function fixedLength(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += ALIGNED_MSS;
  if (o.timestamps !== undefined) n += ALIGNED_TS;
  else if (o.sackPermitted === true) n += ALIGNED_SACK_PERM;
  if (o.wscale !== undefined) n += ALIGNED_WSCALE;
  return n;
}

/**
 * How many SACK blocks are emitted: all of them if they fit in the 40 option bytes, else as
 * many as fit. Linux does the same (tcp_established_options: at most 4 blocks, 3 with
 * timestamps).
 */
export function emittedSackBlocks(o: TcpOptions): number {
  const n = o.sack === undefined ? 0 : o.sack.length;
  if (n === 0) return 0;
  const room = MAX_OPTIONS_LENGTH - fixedLength(o) - unknownLength(o) - ALIGNED_SACK_BASE;
  return Math.max(0, Math.min(n, Math.floor(room / TCPOLEN_SACK_PERBLOCK)));
}

/**
 * The length of the options as emitted, padded to a multiple of 4. `syn` is part of the API
 * for callers that build SYNs; Linux's layout is the same for every segment and emits what
 * the option set holds (the caller decides which options a segment carries).
 */
export function optionsLength(o: TcpOptions, _syn: boolean): number {
  if (o === NO_OPTIONS) return 0;
  const blocks = emittedSackBlocks(o);
  let n = fixedLength(o) + unknownLength(o);
  if (blocks > 0) n += ALIGNED_SACK_BASE + blocks * TCPOLEN_SACK_PERBLOCK;
  return (n + 3) & ~3;
}

/**
 * Writes the options in Linux's layout at buf[offset..]; returns the bytes written (padded
 * to 4). Throws RangeError when they exceed 40 bytes (only possible with unknown options)
 * or do not fit in buf: a caller bug, not bad input.
 */
export function emitTcpOptions(o: TcpOptions, syn: boolean, buf: Uint8Array, offset: number): number {
  const total = optionsLength(o, syn);
  if (total > MAX_OPTIONS_LENGTH) throw new RangeError(`TCP options need ${total} bytes > 40`);
  if (offset < 0 || offset + total > buf.length) throw new RangeError('TCP options do not fit');
  let i = offset;
  if (o.mss !== undefined) {
    buf[i] = TCPOPT_MSS;
    buf[i + 1] = TCPOLEN_MSS;
    writeU16(buf, i + 2, o.mss);
    i += ALIGNED_MSS;
  }
  if (o.timestamps !== undefined) {
    if (o.sackPermitted === true) {
      buf[i] = TCPOPT_SACK_PERM;
      buf[i + 1] = TCPOLEN_SACK_PERM;
    } else {
      buf[i] = TCPOPT_NOP;
      buf[i + 1] = TCPOPT_NOP;
    }
    buf[i + 2] = TCPOPT_TIMESTAMP;
    buf[i + 3] = TCPOLEN_TIMESTAMP;
    writeU32(buf, i + 4, o.timestamps.value);
    writeU32(buf, i + 8, o.timestamps.echo);
    i += ALIGNED_TS;
  } else if (o.sackPermitted === true) {
    buf[i] = TCPOPT_NOP;
    buf[i + 1] = TCPOPT_NOP;
    buf[i + 2] = TCPOPT_SACK_PERM;
    buf[i + 3] = TCPOLEN_SACK_PERM;
    i += ALIGNED_SACK_PERM;
  }
  if (o.wscale !== undefined) {
    buf[i] = TCPOPT_NOP;
    buf[i + 1] = TCPOPT_WSCALE;
    buf[i + 2] = TCPOLEN_WSCALE;
    buf[i + 3] = o.wscale;
    i += ALIGNED_WSCALE;
  }
  const blocks = emittedSackBlocks(o);
  if (blocks > 0 && o.sack !== undefined) {
    buf[i] = TCPOPT_NOP;
    buf[i + 1] = TCPOPT_NOP;
    buf[i + 2] = TCPOPT_SACK;
    buf[i + 3] = TCPOLEN_SACK_BASE + blocks * TCPOLEN_SACK_PERBLOCK;
    i += ALIGNED_SACK_BASE;
    for (let b = 0; b < blocks; b++, i += TCPOLEN_SACK_PERBLOCK) {
      writeU32(buf, i, o.sack[b].left);
      writeU32(buf, i + 4, o.sack[b].right);
    }
  }
  if (o.unknown !== undefined) {
    for (const u of o.unknown) {
      const len = Math.max(2, u.length);
      buf[i] = u.kind;
      buf[i + 1] = len;
      buf.fill(0, i + 2, i + len);
      if (u.data !== undefined) buf.set(u.data.subarray(0, len - 2), i + 2);
      i += len;
    }
  }
  // RFC 9293 3.1: the header is padded with zeros (the first one reads as EOL).
  buf.fill(TCPOPT_EOL, i, offset + total);
  return total;
}

/**
 * tcpdump-style text for an option set, in the canonical layout above:
 * 'mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7', 'nop,nop,TS val 5 ecr 9,nop,nop,sack 1 {100:200}'.
 * SACK blocks print as tcpdump -S does: 'sack N {L:R}{L:R}'. Unknown options print as
 * tcpdump prints kinds it does not know: 'unknown-K 0x<data hex>' (tcpdump decodes some kinds
 * we treat as unknown, such as md5, tfo or mptcp; those print differently there).
 * Empty string for no options.
 */
export function formatOptions(o: TcpOptions): string {
  const parts: string[] = [];
  if (o.mss !== undefined) parts.push(`mss ${o.mss}`);
  if (o.timestamps !== undefined) {
    if (o.sackPermitted === true) parts.push('sackOK');
    else parts.push('nop', 'nop');
    parts.push(`TS val ${o.timestamps.value} ecr ${o.timestamps.echo}`);
  } else if (o.sackPermitted === true) {
    parts.push('nop', 'nop', 'sackOK');
  }
  if (o.wscale !== undefined) parts.push('nop', `wscale ${o.wscale}`);
  const blocks = emittedSackBlocks(o);
  if (blocks > 0 && o.sack !== undefined) {
    let s = `sack ${blocks} `;
    for (let b = 0; b < blocks; b++) s += `{${o.sack[b].left}:${o.sack[b].right}}`;
    parts.push('nop', 'nop', s);
  }
  if (o.unknown !== undefined) for (const u of o.unknown) parts.push(`unknown-${u.kind}${unknownDataHex(u)}`);
  const raw = fixedLength(o) + unknownLength(o) + (blocks > 0 ? ALIGNED_SACK_BASE + blocks * TCPOLEN_SACK_PERBLOCK : 0);
  if ((raw & 3) !== 0) parts.push('eol');
  return parts.join(',');
}

/** ' 0x0102..' for an unknown option's data (zeros when it has none), '' for no data. */
function unknownDataHex(u: UnknownOption): string {
  const n = Math.max(2, u.length) - 2;
  if (n === 0) return '';
  let s = ' 0x';
  for (let i = 0; i < n; i++) s += (u.data !== undefined && i < u.data.length ? u.data[i] : 0).toString(16).padStart(2, '0');
  return s;
}
