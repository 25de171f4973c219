import { describe, expect, it } from 'vitest';
import { checksum } from '../../../core/wire/checksum.ts';
import {
  IPPROTO_TCP, IPV4_CHECKSUM, IPV4_FLAGS_FRAGMENT, IPV4_HEADER_LENGTH, IPV4_TOTAL_LENGTH, IPV4_VERSION_IHL,
  emitIpv4Header, formatAddress, parseAddress, parseIpv4,
} from '../../../core/wire/ipv4.ts';

const A = 0x0a4d0001;
const B = 0x0a4d0002;

function packet(payload: number[], fields: Partial<Parameters<typeof emitIpv4Header>[0]> = {}): Uint8Array {
  const buf = new Uint8Array(IPV4_HEADER_LENGTH + payload.length);
  emitIpv4Header({ src: A, dst: B, protocol: IPPROTO_TCP, ...fields }, payload.length, buf, 0);
  buf.set(payload, IPV4_HEADER_LENGTH);
  return buf;
}

/** Rewrites the header checksum after a test changed a field. */
function fixChecksum(b: Uint8Array): Uint8Array {
  const ihl = (b[0] & 0x0f) * 4;
  b[IPV4_CHECKSUM] = 0;
  b[IPV4_CHECKSUM + 1] = 0;
  const c = checksum(b, 0, ihl);
  b[IPV4_CHECKSUM] = c >>> 8;
  b[IPV4_CHECKSUM + 1] = c & 0xff;
  return b;
}

describe('IPv4 header', () => {
  it('round-trips every field', () => {
    const b = packet([1, 2, 3], { ttl: 17, id: 0xbeef, tos: 0x10, dontFragment: false });
    const r = parseIpv4(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header).toEqual({
      src: A, dst: B, protocol: IPPROTO_TCP, ttl: 17, id: 0xbeef, tos: 0x10, dontFragment: false,
      moreFragments: false, fragmentOffset: 0, headerLength: 20, totalLength: 23,
    });
    expect([...r.value.payload]).toEqual([1, 2, 3]);
    // The payload is a view, not a copy.
    expect(r.value.payload.buffer).toBe(b.buffer);
  });

  it('defaults to ttl 64, id 0, tos 0 and DF, and returns 20', () => {
    const buf = new Uint8Array(40);
    expect(emitIpv4Header({ src: A, dst: B, protocol: 1 }, 0, buf, 10)).toBe(20);
    const r = parseIpv4(buf.subarray(10, 30));
    expect(r.ok && r.value.header).toMatchObject({ ttl: 64, id: 0, tos: 0, dontFragment: true, protocol: 1 });
  });

  it('throws RangeError on caller bugs only', () => {
    expect(() => emitIpv4Header({ src: A, dst: B, protocol: 6 }, 0, new Uint8Array(19), 0)).toThrow(RangeError);
    expect(() => emitIpv4Header({ src: A, dst: B, protocol: 6 }, 65516, new Uint8Array(100), 0)).toThrow(RangeError);
  });

  it('is truncated below 20 bytes and below the total length', () => {
    const b = packet([9, 9, 9, 9]);
    for (let n = 0; n < b.length; n++) {
      const r = parseIpv4(b.subarray(0, n));
      expect(r).toEqual({ ok: false, error: 'ip-truncated' });
    }
  });

  it('ignores bytes after the total length (link padding)', () => {
    const b = new Uint8Array(60);
    b.set(packet([7, 8]));
    b.fill(0xee, 22);
    const r = parseIpv4(b);
    expect(r.ok && [...r.value.payload]).toEqual([7, 8]);
  });

  it('rejects a version other than 4 and an IHL below 5', () => {
    const v6 = packet([]);
    v6[IPV4_VERSION_IHL] = 0x65;
    expect(parseIpv4(fixChecksum(v6))).toEqual({ ok: false, error: 'ip-bad-version' });
    for (let ihl = 0; ihl < 5; ihl++) {
      const b = packet([]);
      b[IPV4_VERSION_IHL] = 0x40 | ihl;
      expect(parseIpv4(b)).toEqual({ ok: false, error: 'ip-bad-header-length' });
    }
  });

  it('verifies the header checksum', () => {
    const b = packet([1, 2]);
    for (let i = 0; i < IPV4_HEADER_LENGTH; i++) {
      if (i === IPV4_VERSION_IHL) continue;
      const c = b.slice();
      c[i] ^= 0x01;
      const r = parseIpv4(c);
      expect(r.ok).toBe(false);
    }
    const c = b.slice();
    c[IPV4_CHECKSUM + 1] ^= 0xff;
    expect(parseIpv4(c)).toEqual({ ok: false, error: 'ip-bad-checksum' });
  });

  it('rejects a total length shorter than the header', () => {
    const b = packet([1, 2, 3, 4]);
    b[IPV4_TOTAL_LENGTH] = 0;
    b[IPV4_TOTAL_LENGTH + 1] = 19;
    expect(parseIpv4(fixChecksum(b))).toEqual({ ok: false, error: 'ip-bad-total-length' });
  });

  it('rejects fragments: MF set or a non-zero offset', () => {
    for (const frag of [0x2000, 0x0001, 0x2010, 0x4001]) {
      const b = packet([1, 2, 3, 4]);
      b[IPV4_FLAGS_FRAGMENT] = frag >>> 8;
      b[IPV4_FLAGS_FRAGMENT + 1] = frag & 0xff;
      expect(parseIpv4(fixChecksum(b))).toEqual({ ok: false, error: 'ip-fragment' });
    }
  });

  it('skips IP options (IHL > 5)', () => {
    // IHL 6: one 4-byte option word (NOP, NOP, NOP, EOL), then a 2-byte payload.
    const b = new Uint8Array(26);
    b.set(packet([]).subarray(0, 20));
    b[IPV4_VERSION_IHL] = 0x46;
    b[IPV4_TOTAL_LENGTH + 1] = 26;
    b.set([1, 1, 1, 0, 0xaa, 0xbb], 20);
    const r = parseIpv4(fixChecksum(b));
    expect(r.ok && r.value.header.headerLength).toBe(24);
    expect(r.ok && [...r.value.payload]).toEqual([0xaa, 0xbb]);
    const short = b.slice(0, 22);
    expect(parseIpv4(short)).toEqual({ ok: false, error: 'ip-truncated' });
  });
});

describe('addresses', () => {
  it('formats and parses dotted quads', () => {
    expect(formatAddress(0x0a4d0002)).toBe('10.77.0.2');
    expect(formatAddress(0xffffffff)).toBe('255.255.255.255');
    expect(formatAddress(0)).toBe('0.0.0.0');
    expect(parseAddress('10.77.0.2')).toBe(0x0a4d0002);
    expect(parseAddress('255.255.255.255')).toBe(0xffffffff);
    expect(parseAddress('0.0.0.0')).toBe(0);
  });

  it('returns null for anything else', () => {
    for (const s of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '01.2.3.4', '1..2.3', 'a.b.c.d', '1.2.3.4/24', '0x1.2.3.4']) {
      expect(parseAddress(s)).toBeNull();
    }
  });
});
