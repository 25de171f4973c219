// Time control of the lab side (issue 8): LabTime (scale, pause, jump), the TimeGate (packets
// from the wire held, stepped, released), and the Lab's setTime/timeStep on a manual clock and
// on real time (simulated wire: no TUN needed).
import { describe, expect, it, vi } from 'vitest';
import { createLab } from '../../../core/lab/create.ts';
import { LabTime } from '../../../core/lab/lab-time.ts';
import { TimeGate } from '../../../core/lab/time-gate.ts';
import type { Link, PacketHandler } from '../../../core/link/link.ts';
import { ManualClock } from '../../../core/stack/clock.ts';
import { buildTcpPacket, makeSegment, SYN } from '../../../core/wire/tcp.ts';
import { seq } from '../../../core/wire/seq.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LabTime', () => {
  it('runs at scale, stands still while paused, jumps forward only while paused, never goes back', () => {
    const real = new ManualClock(1000);
    const t = new LabTime(real);
    expect(t.now()).toBe(1000);
    real.advance(100);
    expect(t.now()).toBe(1100);
    t.setScale(10);
    real.advance(100);
    expect(t.now()).toBe(2100);
    t.pause();
    real.advance(500);
    expect(t.now()).toBe(2100);
    t.jumpTo(2500);
    expect(t.now()).toBe(2500);
    t.jumpTo(2000);
    expect(t.now()).toBe(2500);
    t.resume();
    real.advance(10);
    expect(t.now()).toBe(2600);
    expect(() => t.jumpTo(9999)).toThrow(/only while paused/);
    expect(() => t.setScale(0)).toThrow(RangeError);
    expect(() => t.setScale(5000)).toThrow(RangeError);
  });

  it('arms real timers for ms / scale, none while paused, and says when it changes', () => {
    // The real timers are the test's (fake) ones: what is armed, for how long, exactly.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const t = new LabTime(new ManualClock(0));
      const changes: string[] = [];
      t.onChange(() => changes.push(`${t.paused ? 'paused' : 'running'} x${t.scale}`));
      t.setScale(20);
      let fired = 0;
      t.timers.setTimeout(() => fired++, 400);
      vi.advanceTimersByTime(19);
      expect(fired).toBe(0);
      vi.advanceTimersByTime(1);
      expect(fired).toBe(1);
      t.pause();
      t.timers.setTimeout(() => fired++, 0);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(fired).toBe(1);
      t.resume();
      expect(changes).toEqual(['running x20', 'paused x20', 'running x20']);
    } finally {
      vi.useRealTimers();
    }
  });
});

function fakeLink(): Link & { deliver(p: Uint8Array[]): void; sent: Uint8Array[] } {
  let h: PacketHandler | null = null;
  const sent: Uint8Array[] = [];
  return {
    mtu: 1500, sent,
    write: (p) => sent.push(p.slice()),
    flush: () => {},
    onReceive: (handler) => (h = handler),
    close: () => {},
    deliver: (p) => h?.(p),
  };
}

const syn = (port: number): Uint8Array => buildTcpPacket(0x0a4d0001, 0x0a4d0002, makeSegment({ srcPort: port, dstPort: 80, seq: seq(1), flags: SYN, window: 1000 }));

describe('TimeGate', () => {
  it('passes packets through until it holds; steps the oldest; letting go delivers the rest in order', () => {
    const link = fakeLink();
    const gate = new TimeGate(link, new ManualClock(5), 3);
    const got: number[] = [];
    gate.onReceive((batch) => {
      for (const p of batch) got.push((p[20] << 8) | p[21]);
    });
    link.deliver([syn(1)]);
    expect(got).toEqual([1]);
    gate.hold(true);
    link.deliver([syn(2), syn(3)]);
    link.deliver([syn(4), syn(5)]);
    expect(got).toEqual([1]);
    expect(gate.held).toBe(3);
    expect(gate.dropped).toBe(1);
    expect(gate.peek(1)[0]).toMatchObject({ dir: 'in', at: 5 });
    expect(gate.peek(1)[0].text).toContain('10.77.0.1.2 > 10.77.0.2.80: Flags [S]');
    expect(gate.step(1)).toBe(1);
    expect(got).toEqual([1, 2]);
    gate.hold(false);
    expect(got).toEqual([1, 2, 3, 4]);
    expect(gate.held).toBe(0);
    gate.write(syn(9));
    expect(link.sent).toHaveLength(1);
  });
});

describe('the Lab: pause, single step, resume (manual clock, simulated wire)', () => {
  it('holds the kernel side\'s packets while paused, steps them one by one, then runs on', () => {
    const lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 7 });
    try {
      lab.handlers.listen({ port: 8080, backlog: 8, responder: 'echo' });
      lab.setTime({ paused: true });
      const peer = lab.peer!.connect(8080);
      lab.advance(5);
      let t = lab.timeStatus();
      expect(t).toMatchObject({ paused: true, held: 1, realTime: false, scale: 1 });
      expect(t.next[0].text).toMatch(/> 10\.77\.0\.2\.8080: Flags \[S\]/);
      expect(lab.snapshot().connections).toHaveLength(0);
      // The SYN: the lab answers SYN-ACK (the stack's output is never held).
      expect(lab.timeStep(1).stepped).toBe(1);
      expect(lab.snapshot().connections[0].state).toBe('SYN-RECEIVED');
      lab.advance(5);
      t = lab.timeStatus();
      expect(t.held).toBe(1);
      expect(t.next[0].text).toMatch(/Flags \[\.\]/);
      lab.timeStep(1);
      expect(lab.snapshot().connections[0].state).toBe('ESTABLISHED');
      // Resume: everything held is delivered, and the lab runs on.
      peer.write(new TextEncoder().encode('hello'));
      lab.advance(5);
      expect(lab.timeStatus().held).toBeGreaterThan(0);
      const resumed = lab.setTime({ paused: false });
      expect(resumed).toMatchObject({ paused: false, held: 0 });
      lab.advance(100);
      expect(new TextDecoder().decode(peer.read() ?? new Uint8Array())).toBe('hello');
    } finally {
      lab.close();
    }
  });

  it('a step with nothing held runs the next deadline; refusals change nothing', () => {
    const lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 7 });
    try {
      expect(() => lab.timeStep(1)).toThrow(/not paused/);
      expect(() => lab.setTime({ scale: 10 })).toThrow(/manual clock/);
      lab.setTime({ paused: true });
      let ran = 0;
      lab.after(250, () => ran++);
      const r = lab.timeStep(1);
      expect(r.stepped).toBe(1);
      expect(ran).toBe(1);
      expect(lab.clock.now()).toBe(250);
      expect(() => lab.setTime({ slowMotionMs: 1 })).toThrow(/slowMotionMs/);
      expect(lab.timeStatus().slowMotionMs).toBeNull();
    } finally {
      lab.close();
    }
  });
});

describe('the Lab on real time (simulated wire)', () => {
  it('a scale of 20 makes lab timers (TIME-WAIT with msl 1 s) pass twenty times faster; info.timeScale says so', async () => {
    const lab = createLab({ simulated: true, seed: 3, knobs: { msl: 1 } });
    try {
      // Lab time against real time, each lab reading bracketed by real ones: exact, however busy
      // the machine is (lab ms = anchor + (real ms - anchor) * scale, lab-time.ts).
      const reading = (): { lab: number; before: number; after: number } => {
        const before = performance.now();
        const labNow = lab.clock.now();
        return { lab: labNow, before, after: performance.now() };
      };
      lab.setTime({ scale: 20 });
      const first = reading();
      expect(lab.snapshot().info.timeScale).toBe(20);
      const { conn } = lab.handlers.connect({ addr: '10.77.0.1', port: 9, responder: 'manual' }) as { conn: number };
      // When the connection entered TIME-WAIT and left it, by the events' own lab timestamps.
      const at = new Map<string, number>();
      const off = lab.events.subscribe((e) => {
        if (e.kind === 'state' && e.conn === conn) at.set(e.to, e.at);
      });
      const until = async (pred: () => boolean, ms: number): Promise<void> => {
        const start = performance.now();
        while (!pred() && performance.now() - start < ms) await sleep(5);
      };
      await until(() => at.has('ESTABLISHED'), 2000);
      lab.handlers.close({ conn });
      await until(() => at.has('CLOSED'), 5000);
      off();
      const last = reading();
      expect(last.lab - first.lab).toBeGreaterThanOrEqual((last.before - first.after) * 20 - 1e-6);
      expect(last.lab - first.lab).toBeLessThanOrEqual((last.after - first.before) * 20 + 1e-6);
      // 2*MSL = 2000 lab ms, never less: a timer fires only once its lab deadline has passed. Had it
      // been armed for 2000 real ms (unscaled), it would have lasted 40,000 lab ms; it fires late
      // only by what a busy machine delays it (each real ms late is 20 lab ms): 900 real ms allowed.
      const timeWait = (at.get('CLOSED') ?? Infinity) - (at.get('TIME-WAIT') ?? 0);
      expect(timeWait).toBeGreaterThanOrEqual(2000);
      expect(timeWait).toBeLessThan(2000 + 900 * 20);
    } finally {
      lab.close();
    }
  });

  it('paused: lab time stands still and scheduled work waits; slow motion steps by itself', async () => {
    const lab = createLab({ simulated: true, seed: 3 });
    try {
      let ran = false;
      lab.after(20, () => (ran = true));
      lab.setTime({ paused: true });
      const t0 = lab.clock.now();
      await sleep(60);
      expect(lab.clock.now()).toBe(t0);
      expect(ran).toBe(false);
      lab.setTime({ slowMotionMs: 20 });
      await sleep(100);
      expect(ran).toBe(true);
      expect(lab.timeStatus()).toMatchObject({ paused: true, slowMotionMs: 20 });
      lab.setTime({ paused: false });
      expect(lab.timeStatus()).toMatchObject({ paused: false, slowMotionMs: null });
    } finally {
      lab.close();
    }
  });
});
