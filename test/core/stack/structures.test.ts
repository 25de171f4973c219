// The stack's data structures: the numeric 4-tuple table, the timer queue, the event ring.
import { describe, expect, it } from 'vitest';
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { ConnTable } from '../../../core/stack/conn-table.ts';
import { EventRing } from '../../../core/stack/events.ts';
import { TimerQueue } from '../../../core/stack/timer-queue.ts';

const cfg = defaultTcpConfig();

describe('ConnTable', () => {
  it('agrees with a Map under random adds and removes (backward-shift deletion)', () => {
    const table = new ConnTable(4);
    const ref = new Map<string, Tcb>();
    let x = 7;
    const r = (n: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    for (let i = 0; i < 20000; i++) {
      const addr = 0x0a000000 + r(4);
      const rp = 1000 + r(50);
      const lp = 80 + r(3);
      const key = `${addr}:${rp}:${lp}`;
      const have = ref.get(key);
      if (have === undefined) {
        const t = new Tcb(i, cfg, 1, lp, addr, rp);
        table.add(t);
        ref.set(key, t);
      } else if (r(2) === 0) {
        expect(table.remove(have)).toBe(true);
        ref.delete(key);
      }
      expect(table.get(addr, rp, lp)).toBe(ref.get(key) ?? null);
    }
    expect(table.size).toBe(ref.size);
    for (const t of ref.values()) expect(table.get(t.remoteAddr, t.remotePort, t.localPort)).toBe(t);
  });
});

describe('TimerQueue', () => {
  it('yields TCBs in deadline order, skips cancelled and moved deadlines', () => {
    const q = new TimerQueue();
    const ts = [0, 1, 2, 3].map((i) => new Tcb(i, cfg, 1, 1, 2, i));
    ts[0].tRtx = 300;
    ts[1].tDelack = 100;
    ts[2].tKeep = 200;
    ts[3].t2msl = 50;
    for (const t of ts) q.update(t);
    ts[3].t2msl = 0; // cancelled
    ts[2].tKeep = 400; // moved later
    ts[1].tDelack = 20; // moved earlier
    q.update(ts[1]);
    expect(q.peek()).toBe(20);
    const order: number[] = [];
    for (let now = 0; now <= 500; now += 10) {
      for (let t = q.popDue(now); t !== null; t = q.popDue(now)) {
        order.push(t.id);
        t.tRtx = t.tDelack = t.tKeep = t.t2msl = 0;
      }
    }
    expect(order).toEqual([1, 0, 2]);
    expect(q.peek()).toBeNull();
  });
});

describe('EventRing', () => {
  it('keeps the last `capacity` events, reports the gap, materializes plain data', () => {
    const ring = new EventRing(8);
    for (let i = 0; i < 20; i++) ring.drop(i, 'test', `n${i}`);
    expect(ring.lastSeq).toBe(20);
    expect(ring.firstSeq).toBe(13);
    const all = ring.since(0);
    expect(all.map((e) => e.seq)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    expect(all[0]).toEqual({ kind: 'drop', seq: 13, at: 12, reason: 'test', detail: 'n12' });
    expect(ring.since(18).map((e) => e.seq)).toEqual([19, 20]);
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
  });
});
