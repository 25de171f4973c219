// Packets in packetdrill's own syntax, for reports: `> S. 0:0(0) ack 1 win 65535 <mss 1460,...>`.
import { ACK_BIT, CWR, ECE, FIN, PSH, RST, SYN, URG_BIT } from '../wire/tcp.ts';
import { formatOptionList } from './options.ts';
import type { WireOption } from './options.ts';
import type { Expr, PacketSpec, SyscallSpec, TimeSpec } from './script.ts';

// tcpdump's (and packetdrill's) order: F S R P . U E W.
const FLAG_CHARS: readonly (readonly [number, string])[] = [
  [FIN, 'F'], [SYN, 'S'], [RST, 'R'], [PSH, 'P'], [ACK_BIT, '.'], [URG_BIT, 'U'], [ECE, 'E'], [CWR, 'W'],
];

export function flagsText(bits: number): string {
  let s = '';
  for (const [bit, c] of FLAG_CHARS) if ((bits & bit) !== 0) s += c;
  return s === '' ? '-' : s;
}

export interface PacketLine {
  readonly direction: 'in' | 'out';
  readonly flags: number;
  readonly seqStart: number;
  readonly length: number;
  readonly ack: number | null;
  readonly win: number | null;
  readonly urg: number | null;
  readonly options: readonly WireOption[] | 'any' | null;
  readonly endpoint?: { readonly addr: number | null; readonly port: number } | null;
}

function endpointText(e: { readonly addr: number | null; readonly port: number }): string {
  const a = e.addr;
  return a === null ? `@${e.port} ` : `@${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}:${e.port} `;
}

export function formatPacketLine(p: PacketLine): string {
  const end = (p.seqStart + p.length) % 0x1_0000_0000;
  const at = p.endpoint !== undefined && p.endpoint !== null ? endpointText(p.endpoint) : '';
  let s = `${p.direction === 'in' ? '<' : '>'} ${at}${flagsText(p.flags)} ${p.seqStart}:${end}(${p.length})`;
  if (p.ack !== null) s += ` ack ${p.ack}`;
  if (p.win !== null) s += ` win ${p.win}`;
  if (p.urg !== null) s += ` urg ${p.urg}`;
  if (p.options === 'any') s += ' <...>';
  else if (p.options !== null && p.options.length > 0) s += ` ${formatOptionList(p.options)}`;
  return s;
}

export function formatPacketSpec(p: PacketSpec): string {
  return formatPacketLine(p);
}

/** Microseconds as packetdrill prints times: 1.250000 -> '1.250'. */
export function formatSeconds(usecs: number): string {
  return (usecs / 1e6).toFixed(3);
}

export function formatTimeSpec(t: TimeSpec): string {
  switch (t.kind) {
    case 'absolute':
      return formatSeconds(t.usecs);
    case 'relative':
      return `+${formatSeconds(t.usecs)}`;
    case 'any':
      return '*';
    case 'range':
      return t.relative ? `+${formatSeconds(t.startUsecs)}~+${formatSeconds(t.endUsecs)}` : `${formatSeconds(t.startUsecs)}~${formatSeconds(t.endUsecs)}`;
    case 'blocking':
      return `${t.relative ? '+' : ''}${formatSeconds(t.startUsecs)}...${formatSeconds(t.endUsecs)}`;
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'ellipsis':
      return '...';
    case 'int':
      return String(e.value);
    case 'name':
      return e.name;
    case 'or':
      return e.terms.map(formatExpr).join('|');
    case 'list':
      return `[${e.items.map(formatExpr).join(', ')}]`;
    case 'struct':
      return `{${e.fields.map((f) => `${f.name}=${formatExpr(f.value)}`).join(', ')}}`;
    case 'string':
      return JSON.stringify(e.value);
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** `accept(3, ..., ...)` */
export function formatCall(s: SyscallSpec): string {
  return `${s.name}(${s.args.map(formatExpr).join(', ')})`;
}
