import { describe, expect, it } from 'vitest';
import { FaultInjector, type FaultEvent } from '../../../core/link/fault-injector.ts';
import { ManualScheduler } from '../../../core/link/timing.ts';
import { parseIpv4 } from '../../../core/wire/ipv4.ts';
import { seq } from '../../../core/wire/seq.ts';
import { ACK_BIT, buildTcpPacket, FIN, makeSegment, parseTcp, PSH, SYN } from '../../../core/wire/tcp.ts';
import { FakeLink } from './fake-link.ts';

const KERNEL = 0x0a4d0001;
const LAB = 0x0a4d0002;

/** A TCP packet; `n` goes into seq so packets are told apart. */
function tcp(from: 'kernel' | 'lab', flags: number, n: number, data = 0): Uint8Array {
  const [src, dst, srcPort, dstPort] = from === 'kernel' ? [KERNEL, LAB, 40000, 80] : [LAB, KERNEL, 80, 40000];
  const ack = (flags & ACK_BIT) !== 0 ? seq(1000) : null;
  return buildTcpPacket(src, dst, makeSegment({ srcPort, dstPort, seq: seq(n), ack, flags, window: 65535, payload: new Uint8Array(data).fill(7) }));
}

const SYN_ACK = SYN | ACK_BIT;
const PURE_ACK = ACK_BIT;

function seqOf(p: Uint8Array): number {
  const ip = parseIpv4(p);
  if (!ip.ok) return -1;
  const t = parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst);
  return t.ok ? t.value.seq : -2;
}

function checksumOk(p: Uint8Array): boolean {
  const ip = parseIpv4(p);
  return ip.ok && parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst).ok;
}

function setup(): { link: FakeLink; fi: FaultInjector; clock: ManualScheduler; received: Uint8Array[][]; events: FaultEvent[] } {
  const link = new FakeLink();
  const clock = new ManualScheduler(1000);
  const fi = new FaultInjector(link, { scheduler: clock });
  const received: Uint8Array[][] = [];
  // Copy: batch bytes are valid only during the call.
  fi.onReceive((batch) => received.push(batch.map((p) => p.slice())));
  const events: FaultEvent[] = [];
  fi.onFault((e) => events.push(e));
  return { link, fi, clock, received, events };
}

function send(fi: FaultInjector, packets: Uint8Array[]): void {
  for (const p of packets) fi.write(p);
  fi.flush();
}

describe('FaultInjector: rules', () => {
  it('passes everything through untouched when there are no rules', () => {
    const { link, fi, received, events } = setup();
    const p = tcp('lab', SYN, 1);
    send(fi, [p]);
    link.deliver([tcp('kernel', PURE_ACK, 2)]);
    expect(link.sent.map(seqOf)).toEqual([1]);
    expect(received.flat().map(seqOf)).toEqual([2]);
    expect(events).toEqual([]);
  });

  it('drops the 3rd pure ACK from the kernel, only that one, and reports it', () => {
    const { link, fi, received, events, clock } = setup();
    expect(fi.addRule({ id: 'third-ack', dir: 'in', flags: '.', nth: 3, action: 'drop' })).toEqual({ ok: true, id: 'third-ack' });
    link.deliver([tcp('kernel', SYN, 1), tcp('kernel', PURE_ACK, 2), tcp('kernel', PURE_ACK, 3)]);
    clock.advance(5);
    link.deliver([tcp('kernel', PURE_ACK | PSH, 4, 10), tcp('kernel', PURE_ACK, 5), tcp('kernel', PURE_ACK, 6)]);
    send(fi, [tcp('lab', PURE_ACK, 7)]);
    expect(received.flat().map(seqOf)).toEqual([1, 2, 3, 4, 6]);
    expect(link.sent.map(seqOf)).toEqual([7]);
    expect(events).toEqual([{
      kind: 'fault', at: 1005, rule: 'third-ack', action: 'drop', dir: 'in',
      summary: 'IP 10.77.0.1.40000 > 10.77.0.2.80: Flags [.], ack 1000, win 65535, length 0',
    }]);
    expect(fi.status().rules[0]).toMatchObject({ matched: 4, fired: 1 });
  });

  it('holds the SYN-ACK for 5 s, then sends it (and flushes)', () => {
    const { link, fi, clock, events } = setup();
    fi.addRule({ flags: 'S.', action: { type: 'delay', ms: 5000 } });
    const synAck = tcp('lab', SYN_ACK, 1);
    send(fi, [synAck]);
    synAck.fill(0); // the caller may reuse its buffer after flush: the injector kept a copy
    expect(link.sent).toEqual([]);
    expect(fi.status().held).toBe(1);
    clock.advance(4999);
    expect(link.sent).toEqual([]);
    clock.advance(1);
    expect(link.sent.map(seqOf)).toEqual([1]);
    expect(link.queued).toEqual([]);
    expect(events[0]).toMatchObject({ at: 1000, rule: 'rule-1', action: 'delay 5000 ms', dir: 'out' });
    expect(fi.status().held).toBe(0);
  });

  it('duplicates the FIN', () => {
    const { link, fi, events } = setup();
    fi.addRule({ hasFlags: 'F', action: 'duplicate' });
    send(fi, [tcp('lab', PURE_ACK, 1), tcp('lab', FIN | ACK_BIT, 2), tcp('lab', FIN | ACK_BIT, 3)]);
    expect(link.sent.map(seqOf)).toEqual([1, 2, 2, 3]);
    expect(events.map((e) => e.action)).toEqual(['duplicate']);
  });

  it('corrupts one checksum (TCP) or a payload byte, in copies', () => {
    const { link, fi, received } = setup();
    fi.addRule({ dir: 'out', action: 'corrupt' });
    fi.addRule({ dir: 'in', payload: 'data', action: { type: 'corrupt', what: 'payload' } });
    const original = tcp('lab', PURE_ACK, 1);
    send(fi, [original, tcp('lab', PURE_ACK, 2)]);
    expect(checksumOk(original)).toBe(true);
    expect(link.sent.map(checksumOk)).toEqual([false, true]);
    link.deliver([tcp('kernel', PURE_ACK | PSH, 3, 100)]);
    const got = received.flat()[0];
    expect(checksumOk(got)).toBe(false);
    expect(got[got.length - 1]).toBe(7 ^ 0xff);
  });

  it('reorders: a held packet follows the next one in its direction', () => {
    const { link, fi, received } = setup();
    fi.addRule({ dir: 'in', nth: 2, action: 'reorder' });
    link.deliver([tcp('kernel', PURE_ACK, 1), tcp('kernel', PURE_ACK, 2), tcp('kernel', PURE_ACK, 3), tcp('kernel', PURE_ACK, 4)]);
    expect(received.flat().map(seqOf)).toEqual([1, 3, 2, 4]);
    fi.addRule({ dir: 'out', action: { type: 'reorder', after: 2 } });
    send(fi, [tcp('lab', PURE_ACK, 5), tcp('lab', PURE_ACK, 6), tcp('lab', PURE_ACK, 7), tcp('lab', PURE_ACK, 8)]);
    expect(link.sent.map(seqOf)).toEqual([6, 7, 5, 8]);
  });

  it('releases a reordered packet after maxMs when nothing follows it', () => {
    const { fi, link, clock } = setup();
    fi.addRule({ action: { type: 'reorder', maxMs: 200 } });
    send(fi, [tcp('lab', SYN, 1)]);
    clock.advance(199);
    expect(link.sent).toEqual([]);
    clock.advance(1);
    expect(link.sent.map(seqOf)).toEqual([1]);
  });

  it('matches on connection parts and counts: all packets to port 80 from one address, twice from the 2nd', () => {
    const { link, fi, received } = setup();
    fi.addRule({ src: '10.77.0.1', dstPort: 80, nth: 2, count: 2, action: 'drop' });
    link.deliver([1, 2, 3, 4, 5].map((n) => tcp('kernel', PURE_ACK, n)));
    send(fi, [tcp('lab', PURE_ACK, 6)]);
    expect(received.flat().map(seqOf)).toEqual([1, 4, 5]);
    expect(link.sent.map(seqOf)).toEqual([6]);
  });

  it('applies only the first rule that acts; every matching rule counts the packet', () => {
    const { link, fi, received } = setup();
    fi.addRule({ id: 'a', nth: 2, action: 'drop' });
    fi.addRule({ id: 'b', nth: 2, action: 'duplicate' }); // its window (the 2nd packet) was taken by 'a'
    link.deliver([1, 2, 3].map((n) => tcp('kernel', PURE_ACK, n)));
    expect(received.flat().map(seqOf)).toEqual([1, 3]);
    expect(fi.status().rules.map((r) => [r.matched, r.fired])).toEqual([[3, 1], [3, 0]]);
  });

  it('removes rules at runtime', () => {
    const { link, fi, received } = setup();
    const added = fi.addRule({ count: 'all', action: 'drop' });
    link.deliver([tcp('kernel', PURE_ACK, 1)]);
    expect(added.ok && fi.removeRule(added.id)).toBe(true);
    link.deliver([tcp('kernel', PURE_ACK, 2)]);
    expect(received.flat().map(seqOf)).toEqual([2]);
  });

  it('refuses bad rules with clear messages and keeps the good ones', () => {
    const { fi } = setup();
    const bad: [unknown, RegExp][] = [
      [null, /rule: must be an object/],
      [{ flags: 'S' }, /action: missing/],
      [{ action: 'explode' }, /action: unknown action "explode" \(one of drop, delay, duplicate, corrupt, reorder\)/],
      [{ action: { type: 'delay' } }, /action.ms: 'delay' needs ms/],
      [{ action: { type: 'drop', ms: 3 } }, /action.ms: not a parameter of 'drop'/],
      [{ flags: 'SX', action: 'drop' }, /flags: 'SX' is not a tcpdump flag string/],
      [{ dir: 'sideways', action: 'drop' }, /dir: must be 'in', 'out' or 'any'/],
      [{ nth: 0, action: 'drop' }, /nth: must be an integer from 1/],
      [{ srcPort: 70000, action: 'drop' }, /srcPort: must be an integer from 0 to 65535/],
      [{ src: '10.77.0.256', action: 'drop' }, /src: must be a dotted IPv4 address/],
      [{ proto: 'icmp', flags: 'S', action: 'drop' }, /TCP fields .* need proto 'tcp'/],
      [{ probability: 2, action: 'drop' }, /probability: must be a probability/],
      [{ colour: 'red', action: 'drop' }, /colour: unknown field of a fault rule/],
    ];
    for (const [rule, message] of bad) {
      const r = fi.addRule(rule);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(message);
    }
    expect(fi.addRule({ id: 'x', action: 'drop' }).ok).toBe(true);
    expect(fi.addRule({ id: 'x', action: 'drop' })).toEqual({ ok: false, error: "bad fault rule: id: 'x' is taken" });
    expect(fi.status().rules).toHaveLength(1);
  });

  it('takes rules as JSON text round-trips them', () => {
    const { fi } = setup();
    const rule = JSON.parse('{"id":"syn-ack-hold","dir":"out","flags":["S."],"action":{"type":"delay","ms":5000}}') as unknown;
    expect(fi.addRule(rule).ok).toBe(true);
    expect(JSON.parse(JSON.stringify(fi.status()))).toMatchObject({ rules: [{ rule: { id: 'syn-ack-hold', flags: ['S.'] }, matched: 0, fired: 0 }] });
  });
});

describe('FaultInjector: seeded random faults', () => {
  function runRandom(seed: number): { sent: number[]; events: string[] } {
    const { link, fi, clock, events } = setup();
    expect(fi.setRandom({ seed, loss: 0.1, duplicate: 0.05, reorder: 0.05, delay: { probability: 0.05, ms: 20, jitterMs: 10 } })).toEqual({ ok: true });
    for (let n = 1; n <= 1000; n++) {
      send(fi, [tcp('lab', PURE_ACK, n)]);
      clock.advance(1);
    }
    clock.advance(1000);
    return { sent: link.sent.map(seqOf), events: events.map((e) => `${e.at} ${e.action}`) };
  }

  it('is deterministic for a seed and different across seeds', () => {
    const a = runRandom(42);
    expect(runRandom(42)).toEqual(a);
    expect(runRandom(43).sent).not.toEqual(a.sent);
  });

  it('injects roughly the configured rates and reports each fault', () => {
    const { sent, events } = runRandom(7);
    const drops = events.filter((e) => e.endsWith('drop')).length;
    const dups = events.filter((e) => e.endsWith('duplicate')).length;
    expect(drops).toBeGreaterThan(60);
    expect(drops).toBeLessThan(140);
    expect(dups).toBeGreaterThan(20);
    expect(sent.length).toBe(1000 - drops + dups);
    // Reordered and delayed packets arrive late: the sequence is not sorted.
    expect(sent).not.toEqual([...sent].sort((x, y) => x - y));
  });

  it('applies only to what the random setting matches, and stops with null', () => {
    const { link, fi } = setup();
    fi.setRandom({ seed: 1, loss: 1, dir: 'in' });
    send(fi, [tcp('lab', PURE_ACK, 1)]);
    expect(link.sent.map(seqOf)).toEqual([1]);
    expect(fi.setRandom({ seed: 1, loss: 1.5 })).toEqual({ ok: false, error: 'bad random faults: loss: must be a probability from 0 to 1, not 1.5' });
    expect(fi.setRandom(null)).toEqual({ ok: true });
    expect(fi.status().random).toBeNull();
  });
});

describe('FaultInjector: lifecycle', () => {
  it('close() drops held packets and cancels the timer', () => {
    const { link, fi, clock } = setup();
    fi.addRule({ action: { type: 'delay', ms: 100 } });
    send(fi, [tcp('lab', SYN, 1)]);
    fi.close();
    expect(clock.pendingCount).toBe(0);
    clock.advance(1000);
    expect(link.sent).toEqual([]);
    expect(link.closed).toBe(true);
  });

  it('releaseAll() sends what is held now', () => {
    const { link, fi, received } = setup();
    fi.addRule({ count: 'all', action: { type: 'delay', ms: 60_000 } });
    send(fi, [tcp('lab', SYN, 1)]);
    link.deliver([tcp('kernel', SYN_ACK, 2)]);
    fi.releaseAll();
    expect(link.sent.map(seqOf)).toEqual([1]);
    expect(received.flat().map(seqOf)).toEqual([2]);
  });
});
