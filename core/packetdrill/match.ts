// Matching a packet the stack sent against a `>` line.
//
// Compared: flags (exactly), seq relative to our ISN, payload length, ack (as written: the
// script's own sequence space) when the line gives one, window when the line gives `win`,
// urgent pointer when given, and the options: none written = none allowed, `<...>` = any,
// a list = the same options in the same order (NOPs and EOLs included) with the same values,
// except TS val.
//
// Timestamps, as packetdrill does them: TS ecr of our packets must equal the script's value
// (it echoes a TS val the script chose, so it is exact); TS val is our clock, so it is not
// compared, unless --tcp_ts_tick_usecs is given: then it must be within the tolerance
// (converted to ticks, plus one tick) of the script's value shifted by the offset learned from
// our first TS val (actual minus script). The same offset maps the script's TS ecr values in
// `<` packets to our real TS val (runner.ts).
import { IPV4_HEADER_LENGTH } from '../wire/ipv4.ts';
import type { RunConfig } from './config.ts';
import { flagsText, formatPacketLine } from './format.ts';
import { formatOptionList } from './options.ts';
import type { WireOption } from './options.ts';
import { buildPacket } from './packet.ts';
import type { SentPacket } from './packet.ts';
import type { OptionSpec, PacketSpec } from './script.ts';
import type { PdSocket } from './stack-port.ts';

/** One connection of the script, by its ports, with what the runner learned about it. */
export interface ConnTrack {
  readonly localPort: number;
  readonly remotePort: number;
  /** The script's address for this connection (--remote_ip, or an `@A.B.C.D:PORT` line's). */
  readonly remoteAddr: number;
  /** Our ISN, from our first SYN / SYN-ACK; null until then (numbers then count from 0). */
  ourIsn: number | null;
  /** Our TS val minus the script's, learned from the first `>` line with a TS option. */
  tsOffset: number | null;
  /** The latest TS val we sent. */
  lastTsVal: number | null;
  /** An RST ended it: the next SYN from the script starts a new connection. */
  closed: boolean;
  socket: PdSocket | null;
}

function relativeSeq(p: SentPacket, conn: ConnTrack | null): number {
  return ((p.tcp?.seg.seq ?? 0) - (conn?.ourIsn ?? 0)) >>> 0;
}

/** The packet in packetdrill syntax (our seq relative to our ISN), or what is wrong with it. */
export function describeSent(p: SentPacket, conn: ConnTrack | null): string {
  if (p.tcp === null) return `(${p.problem})`;
  const seg = p.tcp.seg;
  return formatPacketLine({
    direction: 'out', flags: p.tcp.flags, seqStart: relativeSeq(p, conn), length: seg.payload.length,
    ack: seg.ack, win: seg.window, urg: seg.urgent, options: p.tcp.options,
  });
}

/** The differences between the line and the packet, most telling first; empty when it matches. */
export function comparePacket(spec: PacketSpec, p: SentPacket, conn: ConnTrack | null, config: RunConfig): string[] {
  const tcp = p.tcp;
  if (tcp === null) return [`the stack sent ${p.problem}`];
  const seg = tcp.seg;
  const diffs: string[] = [];
  if (tcp.src !== config.localIp || tcp.dst !== (conn?.remoteAddr ?? config.remoteIp)) diffs.push('the packet is not from our address to the script\'s');
  if (conn === null) diffs.push(`the packet (port ${seg.srcPort} > ${seg.dstPort}) is not on a connection of the script`);
  if (tcp.flags !== spec.flags) diffs.push(`flags ${flagsText(tcp.flags)}, the script expects ${flagsText(spec.flags)}`);
  const rel = relativeSeq(p, conn);
  if (rel !== spec.seqStart) diffs.push(`seq ${rel}, the script expects ${spec.seqStart}`);
  if (seg.payload.length !== spec.length) diffs.push(`${seg.payload.length} bytes of data, the script expects ${spec.length}`);
  if (spec.ack !== null && seg.ack !== null && seg.ack !== spec.ack) diffs.push(`ack ${seg.ack}, the script expects ${spec.ack}`);
  if (spec.win !== null && seg.window !== spec.win) diffs.push(`win ${seg.window}, the script expects ${spec.win}`);
  if (spec.urg !== null && seg.urgent !== spec.urg) diffs.push(`urg ${seg.urgent ?? 'none'}, the script expects ${spec.urg}`);
  const options = compareOptions(spec.options, tcp.options, conn, config);
  if (options !== null) diffs.push(options);
  return diffs;
}

function isPadding(o: WireOption): boolean {
  return o.kind === 'nop' || o.kind === 'eol';
}

function compareOptions(spec: PacketSpec['options'], actual: readonly WireOption[], conn: ConnTrack | null, config: RunConfig): string | null {
  if (spec === 'any') return null;
  if (spec === null) {
    return actual.every(isPadding) ? null : `options ${formatOptionList(actual)}, the script expects none`;
  }
  const same = spec.length === actual.length && spec.every((o, i) => optionMatches(o, actual[i], conn, config));
  if (same) return null;
  const onlyTsVal = spec.length === actual.length && spec.every((o, i) => {
    const a = actual[i];
    return o.kind === 'ts' ? a.kind === 'ts' && a.ecr === o.ecr : optionMatches(o, a, null, config);
  });
  const got = actual.find((o) => o.kind === 'ts');
  const want = spec.find((o) => o.kind === 'ts');
  if (onlyTsVal && got?.kind === 'ts' && want?.kind === 'ts' && conn?.tsOffset != null) {
    const inScriptTerms = (got.val - conn.tsOffset) >>> 0;
    return `TS val ${got.val} (${inScriptTerms} on the script's clock), the script expects ${want.val}`;
  }
  return `options ${formatOptionList(actual)}, the script expects ${formatOptionList(spec)}`;
}

function optionMatches(want: OptionSpec, got: WireOption, conn: ConnTrack | null, config: RunConfig): boolean {
  switch (want.kind) {
    case 'nop':
    case 'eol':
    case 'sackOK':
      return got.kind === want.kind;
    case 'mss':
    case 'wscale':
      return got.kind === want.kind && got.value === want.value;
    case 'sack':
      return got.kind === 'sack' && got.blocks.length === want.blocks.length
        && got.blocks.every((b, i) => b.left === want.blocks[i].left && b.right === want.blocks[i].right);
    case 'ts':
      return got.kind === 'ts' && got.ecr === want.ecr && tsValMatches(want.val, got.val, conn, config);
    default: {
      const never: never = want;
      return never;
    }
  }
}

function tsValMatches(want: number, got: number, conn: ConnTrack | null, config: RunConfig): boolean {
  const tick = config.tsTickUsecs;
  if (tick === null || conn === null || conn.tsOffset === null) return true;
  const expected = (want + conn.tsOffset) >>> 0;
  const slack = Math.ceil(config.toleranceUsecs / tick) + 1;
  return Math.abs(((got - expected) | 0)) <= slack;
}

/** After a match: learn the TS offset from the first line that gives our TS val. */
export function learnTimestamps(spec: PacketSpec, p: SentPacket, conn: ConnTrack): void {
  if (conn.tsOffset !== null || spec.options === null || spec.options === 'any' || p.tcp === null) return;
  const want = spec.options.find((o) => o.kind === 'ts');
  const got = p.tcp.options.find((o) => o.kind === 'ts');
  if (want?.kind === 'ts' && got?.kind === 'ts') conn.tsOffset = (got.val - want.val) >>> 0;
}

/**
 * The packet the line describes, with absolute numbers, for a tcpdump-style line next to the
 * actual one. Fields the line does not constrain (window, TS val, `<...>`) are the actual ones.
 */
export function expectedPacketBytes(spec: PacketSpec, p: SentPacket, conn: ConnTrack | null, config: RunConfig): Uint8Array | null {
  const seg = p.tcp?.seg;
  if (spec.length > 0xffff - IPV4_HEADER_LENGTH - 60) return null;
  const actualOptions = p.tcp?.options.filter((o): o is OptionSpec => o.kind !== 'unknown') ?? [];
  let options: readonly OptionSpec[];
  if (spec.options === 'any') options = actualOptions;
  else if (spec.options === null) options = [];
  else {
    const actualTs = actualOptions.find((o) => o.kind === 'ts');
    const offset = conn?.tsOffset ?? null;
    const val = (o: { val: number }): number => {
      if (config.tsTickUsecs !== null && offset !== null) return (o.val + offset) >>> 0;
      return actualTs?.kind === 'ts' ? actualTs.val : o.val;
    };
    options = spec.options.map((o) => (o.kind === 'ts' ? { ...o, val: val(o) } : o));
  }
  return buildPacket({
    src: config.localIp, dst: spec.endpoint?.addr ?? (spec.endpoint ? config.remoteIp : conn?.remoteAddr ?? config.remoteIp),
    srcPort: seg?.srcPort ?? conn?.localPort ?? 0, dstPort: spec.endpoint?.port ?? seg?.dstPort ?? conn?.remotePort ?? 0,
    seq: (spec.seqStart + (conn?.ourIsn ?? 0)) >>> 0,
    ack: spec.ack ?? seg?.ack ?? 0,
    flags: spec.flags,
    window: spec.win ?? seg?.window ?? 0,
    urgent: spec.urg ?? seg?.urgent ?? 0,
    options,
    payloadLength: spec.length,
  });
}
