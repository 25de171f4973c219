import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/stack/clock.ts';
import { seededRandom } from '../../../core/stack/random.ts';
import { Runtime } from '../../../core/stack/runtime.ts';
import { Stack } from '../../../core/stack/stack.ts';
import { KNOBS } from '../../../core/stack/knobs.ts';
import { buildEchoRequest, buildDestinationUnreachable, ICMP_PORT_UNREACH } from '../../../core/wire/icmp.ts';
import { checksum } from '../../../core/wire/checksum.ts';
import { parseIpv4 } from '../../../core/wire/ipv4.ts';
import { seq } from '../../../core/wire/seq.ts';
import { ACK_BIT, buildTcpPacket, makeSegment, parseTcp, RST, SYN } from '../../../core/wire/tcp.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';
import { A_ADDR, B_ADDR, makeNet } from './net.ts';

const US = 0x0a4d0002;
const PEER = 0x0a4d0001;

function lone(knobs = {}) {
  const clock = new ManualClock(0);
  const out: Uint8Array[] = [];
  const stack = new Stack({ address: US, clock, random: seededRandom(9), output: (p) => out.push(p), knobs });
  const segs = (): TcpSegment[] => out.map((p) => {
    const ip = parseIpv4(p);
    if (!ip.ok) throw new Error(ip.error);
    const t = parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst);
    if (!t.ok) throw new Error(t.error);
    return t.value;
  });
  return { clock, out, stack, segs };
}

describe('stack input and output', () => {
  it('malformed packets are counted and dropped, never thrown', () => {
    const { stack } = lone();
    expect(() => stack.input(new Uint8Array([0x45, 0, 0]))).not.toThrow();
    const good = buildTcpPacket(PEER, US, makeSegment({ srcPort: 1, dstPort: 2, seq: seq(1), flags: SYN }));
    const bad = good.slice();
    bad[bad.length - 1] ^= 0xff; // breaks nothing in IP; TCP has no payload: break the TCP checksum instead
    bad[20 + 16] ^= 0x55;
    stack.input(bad);
    const frag = good.slice();
    frag[6] = 0x20; // MF
    frag[10] = 0;
    frag[11] = 0;
    const sum = checksum(frag, 0, 20);
    frag[10] = sum >>> 8;
    frag[11] = sum & 0xff;
    stack.input(frag);
    expect(stack.counters.get('InHdrErrors')).toBe(1);
    expect(stack.counters.get('InCsumErrors')).toBe(1);
    expect(stack.counters.get('ReasmFails')).toBe(1);
    expect(stack.events.since(0).filter((e) => e.kind === 'drop')).toHaveLength(3);
  });

  it('RST for segments to a closed port follows RFC 9293 3.10.7.1', () => {
    const { stack, segs } = lone();
    stack.input(buildTcpPacket(PEER, US, makeSegment({ srcPort: 40000, dstPort: 9, seq: seq(100), flags: SYN })));
    stack.input(buildTcpPacket(PEER, US, makeSegment({ srcPort: 40000, dstPort: 9, seq: seq(100), ack: seq(777), payload: new Uint8Array(5) })));
    stack.input(buildTcpPacket(PEER, US, makeSegment({ srcPort: 40000, dstPort: 9, seq: seq(100), flags: RST })));
    const [r1, r2] = segs();
    expect(r1).toMatchObject({ seq: 0, ack: 101, flags: RST }); // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    expect(r2).toMatchObject({ seq: 777, ack: null, flags: RST }); // <SEQ=SEG.ACK><CTL=RST>
    expect(segs()).toHaveLength(2); // nothing for an RST
    void ACK_BIT;
  });

  it('answers ICMP echo requests', () => {
    const { stack, out } = lone();
    stack.input(buildEchoRequest(PEER, US, 7, 1, new Uint8Array(16)));
    expect(out).toHaveLength(1);
    expect(stack.counters.get('InEchos')).toBe(1);
    expect(stack.counters.get('OutEchoReps')).toBe(1);
  });

  it('ICMP port unreachable during SYN-SENT fails the connect (Linux); established: soft error only', () => {
    const { stack, out } = lone();
    const s = stack.connect(PEER, 80);
    const icmp = buildDestinationUnreachable(PEER, ICMP_PORT_UNREACH, out[0]);
    if (icmp === null) throw new Error('bad');
    stack.input(icmp);
    expect(s.state).toBe('CLOSED');
    expect(s.error).toBe('ECONNREFUSED');
    expect(stack.counters.get('InDestUnreachs')).toBe(1);
  });

  it('knobs: validated, refused with a message, Linux names listed', () => {
    const { stack } = lone();
    expect(stack.setKnob('tcp_syn_retries', 3)).toEqual({ ok: true });
    expect(stack.getKnobs().tcp_syn_retries).toBe(3);
    const r = stack.setKnob('tcp_syn_retries', 0);
    expect(r.ok).toBe(false);
    expect(stack.setKnob('nope', 1)).toEqual({ ok: false, error: "unknown knob 'nope'" });
    expect(stack.setKnob('isn_clock', '4us')).toEqual({ ok: true });
    expect(stack.setKnob('isn_clock', '1us').ok).toBe(false);
    expect(KNOBS.find((k) => k.name === 'tcp_keepalive_probes')).toMatchObject({ default: 9, linuxName: 'net.ipv4.tcp_keepalive_probes' });
  });

  it('connection ids are never reused; histories survive the event ring wrapping', () => {
    const { a, b, rt } = makeNet({ eventRingSize: 16 });
    b.listen(80, 10);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = a.connect(B_ADDR, 80);
      ids.push(c.id);
      rt.advance(10);
      c.abort();
      rt.advance(10);
    }
    expect(new Set(ids).size).toBe(5);
    expect(a.events.lastSeq).toBeGreaterThan(16);
    expect(a.events.forConnection(ids[0])).toHaveLength(0);
    expect(a.history(ids[0]).map((h) => h.state)).toEqual(['SYN-SENT', 'ESTABLISHED', 'CLOSED']);
    expect(a.history(ids[0])[2].cause).toBe('user abort');
  });

  it('state events carry the segment or timer that caused them', () => {
    const { a, b, rt } = makeNet();
    b.listen(80, 10);
    const c = a.connect(B_ADDR, 80);
    rt.advance(10);
    const st = a.events.forConnection(c.id).filter((e) => e.kind === 'state');
    expect(st[0]).toMatchObject({ from: 'CLOSED', to: 'SYN-SENT', cause: 'user connect' });
    const est = st[1];
    expect(est.kind === 'state' && est.segment?.flags).toBe('S.');
  });

  it('simultaneous open and simultaneous close (CLOSING) between two stacks', () => {
    const { a, b, rt } = makeNet();
    const ca = a.connect(B_ADDR, 5000, { localPort: 6000 });
    const cb = b.connect(A_ADDR, 6000, { localPort: 5000 });
    rt.advance(20);
    expect(ca.state).toBe('ESTABLISHED');
    expect(cb.state).toBe('ESTABLISHED');
    expect(a.history(ca.id).map((h) => h.state)).toEqual(['SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED']);
    ca.close();
    cb.close();
    rt.advance(20);
    expect(a.history(ca.id).map((h) => h.state)).toContain('CLOSING');
    expect(ca.state).toBe('TIME-WAIT');
    expect(cb.state).toBe('TIME-WAIT');
  });

  it('a new SYN to a TIME-WAIT connection with a higher sequence number reopens it (RFC 6191)', () => {
    const { a, b, rt } = makeNet();
    const l = b.listen(80, 10);
    const c = a.connect(B_ADDR, 80, { localPort: 45000 });
    rt.advance(10);
    const s = l.accept();
    s?.close();
    rt.advance(10);
    c.close();
    rt.advance(10);
    expect(s?.state).toBe('TIME-WAIT');
    const c2 = a.connect(B_ADDR, 80, { localPort: 45000 });
    rt.advance(2000);
    expect(c2.state).toBe('ESTABLISHED');
  });

  it('runtime: one real timer for the earliest deadline, re-armed after each batch', () => {
    const clock = new ManualClock(0);
    const stack = new Stack({ address: US, clock, random: seededRandom(1), output: () => {} });
    const pending: { cb: () => void; at: number }[] = [];
    const rt = new Runtime([stack], clock, {
      setTimeout: (cb, ms) => { const h = { cb, at: clock.now() + ms }; pending.push(h); return h; },
      clearTimeout: (h) => { const i = pending.indexOf(h as never); if (i >= 0) pending.splice(i, 1); },
    });
    stack.onAfterBatch(() => rt.kick());
    rt.start();
    expect(pending).toHaveLength(0);
    const s = stack.connect(PEER, 80);
    expect(pending).toHaveLength(1);
    expect(pending[0].at).toBe(1000);
    clock.set(1000);
    pending.shift()?.cb();
    expect(pending[0].at).toBe(3000);
    expect(s.info().retransmits).toBe(1);
    rt.stop();
    expect(pending).toHaveLength(0);
  });

  it('socket options: SO_LINGER 0 makes close() an abort; keepalive per socket', () => {
    const { a, b, rt } = makeNet();
    b.listen(80, 10);
    const c = a.connect(B_ADDR, 80, { keepalive: true, keepIdle: 10, keepIntvl: 2, keepCnt: 3 });
    rt.advance(10);
    expect(c.info().keepalive).toBe(true);
    expect(c.info().timers.find((t) => t.name === 'keepalive')?.deadline).toBe(10_002); // established at 2 ms
    c.setOption({ linger: { onoff: true, seconds: 0 } });
    c.close();
    expect(c.state).toBe('CLOSED');
    expect(a.counters.get('OutRsts')).toBe(1);
  });
});

describe('stack fuzz', () => {
  it('random bytes and random valid TCP packets never throw out of input()', () => {
    const { stack, clock } = lone();
    stack.listen(80, 4);
    let x = 12345;
    const r = (): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x / 4294967296;
    };
    for (let i = 0; i < 3000; i++) {
      clock.advance(r() * 10);
      if (r() < 0.3) {
        const junk = new Uint8Array(Math.floor(r() * 80));
        for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(r() * 256);
        if (junk.length > 0) junk[0] = 0x45;
        expect(() => stack.input(junk)).not.toThrow();
        continue;
      }
      const s = makeSegment({
        srcPort: 40000 + Math.floor(r() * 4), dstPort: r() < 0.8 ? 80 : 81, seq: seq(Math.floor(r() * 2 ** 32)),
        flags: r() < 0.4 ? SYN : r() < 0.1 ? RST : 0, window: Math.floor(r() * 65536),
        ...(r() < 0.6 ? { ack: seq(Math.floor(r() * 2 ** 32)) } : {}),
        payload: new Uint8Array(Math.floor(r() * 100)),
      });
      expect(() => stack.input(buildTcpPacket(PEER, US, s))).not.toThrow();
      if (stack.nextDeadline() !== null && (stack.nextDeadline() as number) <= clock.now()) stack.runTimers();
    }
    expect(stack.counters.get('InSegs')).toBeGreaterThan(1000);
  });
});

describe('event subscribers', () => {
  it('see events in sequence order, the arriving segment before what it caused', () => {
    const { a, b, rt } = makeNet();
    b.listen(80, 4);
    const seen: number[] = [];
    const kinds: string[] = [];
    b.events.subscribe((e) => {
      seen.push(e.seq);
      kinds.push(e.kind === 'segment' ? `${e.kind}:${e.dir}` : e.kind);
    });
    a.connect(B_ADDR, 80);
    rt.advance(10);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(kinds[0]).toBe('segment:in');
    expect(kinds).toContain('segment:out');
  });
});
