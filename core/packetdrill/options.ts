// TCP options as ordered lists, the way scripts write them. The wire codec (core/wire/tcp-options)
// models options as a struct in Linux's layout; a script fixes the exact order, padding and
// NOPs of what it sends (`<mss 1000,sackOK,nop,nop,nop,wscale 7>`) and of what it expects, so
// the runner encodes and decodes the option bytes itself, in order.
import type { OptionSpec } from './script.ts';

/** An option as found on the wire: a script option, or one we do not interpret. */
export type WireOption = OptionSpec | { readonly kind: 'unknown'; readonly code: number; readonly length: number };

export const MAX_OPTIONS_LENGTH = 40;

const KIND_EOL = 0;
const KIND_NOP = 1;
const KIND_MSS = 2;
const KIND_WSCALE = 3;
const KIND_SACK_PERMITTED = 4;
const KIND_SACK = 5;
const KIND_TIMESTAMPS = 8;

function optionLength(o: OptionSpec): number {
  switch (o.kind) {
    case 'nop':
    case 'eol':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackOK':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'ts':
      return 10;
    default: {
      const never: never = o;
      return never;
    }
  }
}

/** Encodes options in order, padded with zero bytes (EOL) to a multiple of 4; null when longer than 40 bytes. */
export function encodeOptions(list: readonly OptionSpec[]): Uint8Array | null {
  const raw = list.reduce((n, o) => n + optionLength(o), 0);
  const padded = (raw + 3) & ~3;
  if (padded > MAX_OPTIONS_LENGTH) return null;
  const out = new Uint8Array(padded);
  const view = new DataView(out.buffer);
  let i = 0;
  for (const o of list) {
    switch (o.kind) {
      case 'nop':
        out[i] = KIND_NOP;
        break;
      case 'eol':
        out[i] = KIND_EOL;
        break;
      case 'mss':
        out[i] = KIND_MSS;
        out[i + 1] = 4;
        view.setUint16(i + 2, o.value);
        break;
      case 'wscale':
        out[i] = KIND_WSCALE;
        out[i + 1] = 3;
        out[i + 2] = o.value;
        break;
      case 'sackOK':
        out[i] = KIND_SACK_PERMITTED;
        out[i + 1] = 2;
        break;
      case 'sack':
        out[i] = KIND_SACK;
        out[i + 1] = 2 + 8 * o.blocks.length;
        o.blocks.forEach((b, k) => {
          view.setUint32(i + 2 + 8 * k, b.left >>> 0);
          view.setUint32(i + 6 + 8 * k, b.right >>> 0);
        });
        break;
      case 'ts':
        out[i] = KIND_TIMESTAMPS;
        out[i + 1] = 10;
        view.setUint32(i + 2, o.val >>> 0);
        view.setUint32(i + 6, o.ecr >>> 0);
        break;
      default: {
        const never: never = o;
        return never;
      }
    }
    i += optionLength(o);
  }
  return out;
}

/** Decodes option bytes in order (each zero padding byte is one `eol`); an error message when malformed. */
export function decodeOptions(bytes: Uint8Array): { ok: true; options: WireOption[] } | { ok: false; error: string } {
  const options: WireOption[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  while (i < bytes.length) {
    const kind = bytes[i];
    if (kind === KIND_EOL) {
      options.push({ kind: 'eol' });
      i++;
      continue;
    }
    if (kind === KIND_NOP) {
      options.push({ kind: 'nop' });
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) return { ok: false, error: `option ${kind} at byte ${i} has no length` };
    const len = bytes[i + 1];
    if (len < 2 || i + len > bytes.length) return { ok: false, error: `option ${kind} at byte ${i} has a bad length ${len}` };
    const decoded = decodeOne(kind, len, view, i);
    if (decoded === null) return { ok: false, error: `option ${kind} at byte ${i} has a bad length ${len}` };
    options.push(decoded);
    i += len;
  }
  return { ok: true, options };
}

function decodeOne(kind: number, len: number, view: DataView, i: number): WireOption | null {
  switch (kind) {
    case KIND_MSS:
      return len === 4 ? { kind: 'mss', value: view.getUint16(i + 2) } : null;
    case KIND_WSCALE:
      return len === 3 ? { kind: 'wscale', value: view.getUint8(i + 2) } : null;
    case KIND_SACK_PERMITTED:
      return len === 2 ? { kind: 'sackOK' } : null;
    case KIND_SACK: {
      if ((len - 2) % 8 !== 0 || len === 2) return null;
      const blocks: { left: number; right: number }[] = [];
      for (let k = i + 2; k < i + len; k += 8) blocks.push({ left: view.getUint32(k), right: view.getUint32(k + 4) });
      return { kind: 'sack', blocks };
    }
    case KIND_TIMESTAMPS:
      return len === 10 ? { kind: 'ts', val: view.getUint32(i + 2), ecr: view.getUint32(i + 6) } : null;
    default:
      return { kind: 'unknown', code: kind, length: len };
  }
}

/** packetdrill's text for one option: `mss 1460`, `TS val 1 ecr 0`, `sack 1:2 3:4`. */
export function formatOption(o: WireOption): string {
  switch (o.kind) {
    case 'nop':
    case 'eol':
    case 'sackOK':
      return o.kind;
    case 'mss':
    case 'wscale':
      return `${o.kind} ${o.value}`;
    case 'sack':
      return `sack ${o.blocks.map((b) => `${b.left}:${b.right}`).join(' ')}`;
    case 'ts':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'unknown':
      return `unknown-${o.code}(${o.length})`;
    default: {
      const never: never = o;
      return never;
    }
  }
}

export function formatOptionList(list: readonly WireOption[]): string {
  return `<${list.map(formatOption).join(',')}>`;
}
