import { describe, expect, it } from 'vitest';
import { checksum } from '../../../core/wire/checksum.ts';
import {
  ICMP_CHECKSUM, ICMP_DEST_UNREACH, ICMP_ECHO_REQUEST, ICMP_ERROR_MAX_LENGTH, ICMP_FRAG_NEEDED, ICMP_PROT_UNREACH,
  buildDestinationUnreachable, buildEchoReply, buildEchoRequest, parseIcmp,
} from '../../../core/wire/icmp.ts';
import type { IcmpMessage } from '../../../core/wire/icmp.ts';
import { IPPROTO_ICMP, IPV4_HEADER_LENGTH, parseIpv4 } from '../../../core/wire/ipv4.ts';
import type { Ipv4Packet } from '../../../core/wire/ipv4.ts';
import { seq } from '../../../core/wire/seq.ts';
import { SYN, buildTcpPacket, makeSegment } from '../../../core/wire/tcp.ts';

const US = 0x0a4d0002;
const PEER = 0x0a4d0001;

function ip(bytes: Uint8Array): Ipv4Packet {
  const r = parseIpv4(bytes);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function icmp(bytes: Uint8Array): IcmpMessage {
  const r = parseIcmp(ip(bytes).payload);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function withChecksum(m: Uint8Array): Uint8Array {
  m[ICMP_CHECKSUM] = 0;
  m[ICMP_CHECKSUM + 1] = 0;
  const c = checksum(m, 0, m.length);
  m[ICMP_CHECKSUM] = c >>> 8;
  m[ICMP_CHECKSUM + 1] = c & 0xff;
  return m;
}

describe('ICMP echo', () => {
  const data = new Uint8Array([1, 2, 3, 4, 5]);
  const request = buildEchoRequest(PEER, US, 0x1234, 7, data, { id: 99 });

  it('builds and parses an echo request', () => {
    expect(ip(request).header).toMatchObject({ src: PEER, dst: US, protocol: IPPROTO_ICMP, id: 99, dontFragment: true });
    expect(icmp(request)).toEqual({ kind: 'echo-request', code: 0, identifier: 0x1234, sequence: 7, data });
  });

  it('answers an echo request addressed to us with the same id, sequence and data', () => {
    const reply = buildEchoReply(ip(request), US);
    expect(reply).not.toBeNull();
    if (reply === null) return;
    expect(ip(reply).header).toMatchObject({ src: US, dst: PEER, ttl: 64, dontFragment: false, id: 99 });
    expect(icmp(reply)).toEqual({ kind: 'echo-reply', code: 0, identifier: 0x1234, sequence: 7, data });
  });

  it('does not answer what is not an echo request to us', () => {
    expect(buildEchoReply(ip(request), US + 1)).toBeNull();
    const reply = buildEchoReply(ip(request), US);
    if (reply === null) throw new Error('no reply');
    expect(buildEchoReply(ip(reply), PEER)).toBeNull(); // a reply is not answered
    const tcp = buildTcpPacket(PEER, US, makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), flags: SYN }));
    expect(buildEchoReply(ip(tcp), US)).toBeNull();
    const bad = request.slice();
    bad[IPV4_HEADER_LENGTH + 8] ^= 1; // data changed, checksum now wrong
    expect(buildEchoReply(ip(bad), US)).toBeNull();
  });
});

describe('ICMP destination unreachable', () => {
  const syn = buildTcpPacket(PEER, US, makeSegment({ srcPort: 40000, dstPort: 81, seq: seq(0xdeadbeef), flags: SYN, window: 100, options: { mss: 1460 } }), { id: 5 });

  it('quotes the IP header and the start of TCP: ports and sequence number', () => {
    const p = buildDestinationUnreachable(US, ICMP_PROT_UNREACH, syn);
    if (p === null) throw new Error('null');
    expect(ip(p).header).toMatchObject({ src: US, dst: PEER, tos: 0xc0, dontFragment: false });
    const m = icmp(p);
    expect(m.kind).toBe('destination-unreachable');
    if (m.kind !== 'destination-unreachable') return;
    expect(m.code).toBe(ICMP_PROT_UNREACH);
    expect(m.nextHopMtu).toBe(0);
    expect(m.quoted).toMatchObject({ src: PEER, dst: US, id: 5, totalLength: syn.length });
    expect(m.tcp).toEqual({ srcPort: 40000, dstPort: 81, seq: 0xdeadbeef });
    expect(m.quotedPayload.length).toBe(syn.length - 20);
  });

  it('reads the next-hop MTU of fragmentation needed, and limits the quote to 576 bytes', () => {
    const big = buildTcpPacket(PEER, US, makeSegment({ srcPort: 1, dstPort: 2, seq: seq(3), payload: new Uint8Array(1400) }));
    const p = buildDestinationUnreachable(US, ICMP_FRAG_NEEDED, big, 1280);
    if (p === null) throw new Error('null');
    expect(p.length).toBe(ICMP_ERROR_MAX_LENGTH);
    const m = icmp(p);
    expect(m.kind === 'destination-unreachable' && m.nextHopMtu).toBe(1280);
    expect(buildDestinationUnreachable(US, 3, new Uint8Array(10))).toBeNull();
  });

  it('needs the quoted header and 8 bytes, and an IPv4 header', () => {
    const m = ip(buildDestinationUnreachable(US, 3, syn) ?? new Uint8Array(0)).payload;
    for (let n = 0; n < 8 + 20 + 8; n++) {
      const cut = withChecksum(m.slice(0, n));
      expect(parseIcmp(cut)).toEqual({ ok: false, error: 'icmp-truncated' });
    }
    expect(parseIcmp(withChecksum(m.slice(0, 36))).ok).toBe(true);
    const v6 = m.slice();
    v6[8] = 0x60;
    expect(parseIcmp(withChecksum(v6))).toEqual({ ok: false, error: 'icmp-bad-quote' });
    const ihl = m.slice();
    ihl[8] = 0x44;
    expect(parseIcmp(withChecksum(ihl))).toEqual({ ok: false, error: 'icmp-bad-quote' });
  });
});

describe('ICMP parse', () => {
  it('verifies the checksum over the whole message', () => {
    const req = ip(buildEchoRequest(PEER, US, 1, 2, new Uint8Array([9, 9, 9]))).payload;
    for (let i = 0; i < req.length; i++) {
      const c = req.slice();
      c[i] ^= 0x80;
      expect(parseIcmp(c)).toEqual({ ok: false, error: 'icmp-bad-checksum' });
    }
  });

  it('is truncated below 8 bytes', () => {
    for (let n = 0; n < 8; n++) expect(parseIcmp(new Uint8Array(n))).toEqual({ ok: false, error: 'icmp-truncated' });
  });

  it('returns other types as they are', () => {
    const m = withChecksum(new Uint8Array([11, 0, 0, 0, 0, 0, 0, 0, 0x45]));
    const r = parseIcmp(m);
    expect(r.ok && r.value).toMatchObject({ kind: 'other', type: 11, code: 0 });
    expect(r.ok && r.value.kind === 'other' && r.value.body.length).toBe(5);
    expect(ICMP_ECHO_REQUEST).toBe(8);
    expect(ICMP_DEST_UNREACH).toBe(3);
  });
});
