import { describe, expect, it } from 'vitest';
import { seq } from '../../../core/wire/seq.ts';
import {
  MAX_OPTIONS_LENGTH, NO_OPTIONS, emitTcpOptions, emittedSackBlocks, formatOptions, optionsLength, parseTcpOptions,
} from '../../../core/wire/tcp-options.ts';
import type { TcpOptions } from '../../../core/wire/tcp-options.ts';
import { fixture, fromHex, toHex } from './helpers.ts';

function emit(o: TcpOptions, syn = false): Uint8Array {
  const buf = new Uint8Array(optionsLength(o, syn));
  expect(emitTcpOptions(o, syn, buf, 0)).toBe(buf.length);
  return buf;
}

function parse(bytes: Uint8Array | number[]): ReturnType<typeof parseTcpOptions> {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return parseTcpOptions(b, 0, b.length);
}


describe('TCP options: emission in Linux layout', () => {
  it('SYN: mss, sackOK+TS packed, nop, wscale: byte-identical to a captured Linux SYN', () => {
    // The option bytes of the first SYN in test/fixtures/packets/http.json (Linux 6.18).
    const syn = fromHex(fixture('http').packets[0].hex);
    const wire = syn.subarray(40, 20 + (syn[32] >>> 4) * 4);
    const tsval = ((wire[8] << 24) | (wire[9] << 16) | (wire[10] << 8) | wire[11]) >>> 0;
    const o: TcpOptions = { mss: 1460, sackPermitted: true, timestamps: { value: tsval, echo: 0 }, wscale: 10 };
    expect(toHex(emit(o, true))).toBe(toHex(wire));
    expect(formatOptions(o)).toBe(`mss 1460,sackOK,TS val ${tsval} ecr 0,nop,wscale 10`);
    const r = parse(wire);
    expect(r.ok && r.value).toEqual(o);
  });

  it('TS only: nop,nop,TS; sackOK only: nop,nop,sackOK', () => {
    const ts = { timestamps: { value: 1, echo: 2 } };
    expect(toHex(emit(ts))).toBe('0101080a0000000100000002');
    expect(formatOptions(ts)).toBe('nop,nop,TS val 1 ecr 2');
    const synAck = { mss: 1460, sackPermitted: true, wscale: 7 };
    expect(toHex(emit(synAck, true))).toBe('020405b40101040201030307');
    expect(formatOptions(synAck)).toBe('mss 1460,nop,nop,sackOK,nop,wscale 7');
    expect(toHex(emit({ mss: 536 }, true))).toBe('02040218');
  });

  it('data: nop,nop,TS then nop,nop,sack blocks', () => {
    const o = { timestamps: { value: 5, echo: 9 }, sack: [{ left: seq(100), right: seq(200) }, { left: seq(300), right: seq(400) }] };
    expect(optionsLength(o, false)).toBe(12 + 4 + 16);
    expect(toHex(emit(o))).toBe('0101080a0000000500000009' + '01010512' + '00000064000000c8' + '0000012c00000190');
    expect(formatOptions(o)).toBe('nop,nop,TS val 5 ecr 9,nop,nop,sack 2 {100:200}{300:400}');
  });

  it('caps SACK blocks to what fits in 40 bytes (4 alone, 3 with timestamps), like Linux', () => {
    const blocks = [1, 2, 3, 4, 5].map((i) => ({ left: seq(i * 1000), right: seq(i * 1000 + 500) }));
    expect(emittedSackBlocks({ sack: blocks })).toBe(4);
    expect(optionsLength({ sack: blocks }, false)).toBe(36);
    const withTs = { sack: blocks, timestamps: { value: 1, echo: 1 } };
    expect(emittedSackBlocks(withTs)).toBe(3);
    expect(optionsLength(withTs, false)).toBe(40);
    const r = parse(emit(withTs));
    expect(r.ok && r.value.sack).toEqual(blocks.slice(0, 3));
  });

  it('emits nothing for no options; unknown options with zero data and EOL padding', () => {
    expect(optionsLength(NO_OPTIONS, true)).toBe(0);
    expect(formatOptions(NO_OPTIONS)).toBe('');
    const o = { mss: 1000, unknown: [{ kind: 253, length: 3 }] };
    expect(toHex(emit(o, true))).toBe('020403e8' + 'fd0300' + '00');
    expect(formatOptions(o)).toBe('mss 1000,unknown-253 0x00,eol');
    const r = parse(emit(o, true));
    expect(r.ok && r.value).toEqual({ mss: 1000, unknown: [{ kind: 253, length: 3, data: new Uint8Array(1) }] });
    const withData = { unknown: [{ kind: 99, length: 4, data: new Uint8Array([0xab, 0xcd]) }, { kind: 254, length: 2 }] };
    expect(toHex(emit(withData))).toBe('6304abcd' + 'fe02' + '0000');
    expect(formatOptions(withData)).toBe('unknown-99 0xabcd,unknown-254,eol');
  });

  it('throws RangeError when options cannot fit (a caller bug)', () => {
    expect(() => optionsLength({ unknown: [{ kind: 99, length: 41 }] }, false)).not.toThrow();
    expect(() => emit({ unknown: [{ kind: 99, length: 41 }] })).toThrow(RangeError);
    expect(() => emitTcpOptions({ mss: 1 }, true, new Uint8Array(3), 0)).toThrow(RangeError);
  });

  it('round-trips every combination of the known options', () => {
    for (let mask = 0; mask < 32; mask++) {
      const o: TcpOptions = {
        ...(mask & 1 ? { mss: 1400 + mask } : {}),
        ...(mask & 2 ? { sackPermitted: true } : {}),
        ...(mask & 4 ? { timestamps: { value: (0xfffffff0 + mask) >>> 0, echo: mask } } : {}),
        ...(mask & 8 ? { wscale: mask & 15 } : {}),
        ...(mask & 16 ? { sack: [{ left: seq(0xfffffffe), right: seq(5) }] } : {}),
      };
      const b = emit(o, true);
      expect(b.length % 4).toBe(0);
      expect(b.length).toBeLessThanOrEqual(MAX_OPTIONS_LENGTH);
      const r = parse(b);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.value).toEqual(o);
      // Canonical: parse(emit(o)) re-emits the same bytes.
      expect(toHex(emit(r.value, true))).toBe(toHex(b));
    }
  });
});

describe('TCP options: parsing', () => {
  it('reads each option and skips NOPs; EOL ends the list', () => {
    const r = parse(fromHex('01020405b4010303070402080a0000000a0000000b0000ffff'));
    expect(r.ok && r.value).toEqual({ mss: 1460, wscale: 7, sackPermitted: true, timestamps: { value: 10, echo: 11 } });
    const nops = parse([1, 1, 1, 1]);
    expect(nops.ok && nops.value).toBe(NO_OPTIONS);
    const empty = parse([]);
    expect(empty.ok && empty.value).toBe(NO_OPTIONS);
  });

  it('reads SACK blocks (1 to 4)', () => {
    for (let n = 1; n <= 4; n++) {
      const b = new Uint8Array(2 + 8 * n);
      b[0] = 5;
      b[1] = 2 + 8 * n;
      for (let i = 0; i < n; i++) {
        b[2 + 8 * i + 3] = i;
        b[2 + 8 * i + 7] = i + 100;
      }
      const r = parse(b);
      expect(r.ok && r.value.sack).toEqual(Array.from({ length: n }, (_, i) => ({ left: i, right: i + 100 })));
    }
  });

  it('skips unknown options by their length and lists them', () => {
    const r = parse([0x1e, 4, 0xaa, 0xbb, 2, 4, 0x05, 0xb4, 0xfe, 2]);
    expect(r.ok && r.value).toEqual({
      mss: 1460,
      unknown: [{ kind: 30, length: 4, data: new Uint8Array([0xaa, 0xbb]) }, { kind: 254, length: 2, data: new Uint8Array(0) }],
    });
  });

  it('the last of repeated options wins', () => {
    const r = parse([2, 4, 0, 100, 2, 4, 0, 200]);
    expect(r.ok && r.value.mss).toBe(200);
  });

  it('rejects malformed options', () => {
    const bad: number[][] = [
      [2], // a kind with no length byte
      [30], // same for an unknown kind
      [2, 0, 0, 0], // length 0
      [30, 1, 0, 0], // length 1
      [2, 4, 5], // runs past the end
      [30, 10, 0, 0], // unknown, runs past the end
      [2, 3, 5], // MSS must be 4
      [2, 5, 0, 0, 0],
      [3, 2], // wscale must be 3
      [3, 4, 7, 0],
      [4, 3, 0], // SACK-permitted must be 2
      [5, 2], // SACK needs at least one block
      [5, 9, 0, 0, 0, 0, 0, 0, 0],
      [5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [8, 9, 0, 0, 0, 0, 0, 0, 0], // timestamps must be 10
      [8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 1, 1, 8], // a kind after NOPs, no room for its length
    ];
    for (const b of bad) expect(parse(b)).toEqual({ ok: false, error: 'tcp-bad-option' });
  });

  it('checks the range it was given', () => {
    const b = new Uint8Array([2, 4, 5, 0xb4]);
    expect(parseTcpOptions(b, 0, 5).ok).toBe(false);
    expect(parseTcpOptions(b, 3, 2).ok).toBe(false);
    expect(parseTcpOptions(b, -1, 4).ok).toBe(false);
    expect(parseTcpOptions(b, 0, 3)).toEqual({ ok: false, error: 'tcp-bad-option' });
  });
});
