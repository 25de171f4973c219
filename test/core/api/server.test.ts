// LabServer itself: what it costs the lab and how it treats handlers that fail.
import { describe, expect, it } from 'vitest';
import type { LabBackend } from '../../../core/api/backend.ts';
import { ApiFailure } from '../../../core/api/errors.ts';
import { LabServer } from '../../../core/api/server.ts';
import { FakeLab } from './fake-lab.ts';
import { ManualTimers } from './manual-timers.ts';

function counted(fake: FakeLab): LabBackend & { builds: number } {
  const backend = {
    builds: 0,
    handlers: fake.handlers,
    events: fake.events,
    snapshot() {
      backend.builds++;
      return fake.snapshot();
    },
  };
  return backend;
}

describe('LabServer', () => {
  it('builds at most ~60 snapshots a second however many clients watch', () => {
    const timers = new ManualTimers();
    const fake = new FakeLab(timers);
    const backend = counted(fake);
    const server = new LabServer(backend, { timers });
    let messages = 0;
    for (let i = 0; i < 20; i++) server.subscribeSnapshots({ rate: 30 }, () => { messages++; });
    const before = backend.builds;
    for (let t = 0; t < 200; t++) {
      fake.churn();
      timers.advance(5);
    }
    expect(backend.builds - before).toBeLessThanOrEqual(62);
    expect(messages).toBeGreaterThanOrEqual(20 * 28);
    expect(messages).toBeLessThanOrEqual(20 * 31);
    server.close();
    expect(timers.scheduled).toBe(0);
  });

  it('subscribes to the lab\'s events once, and lets go when the last client leaves', () => {
    const timers = new ManualTimers();
    const fake = new FakeLab(timers);
    const server = new LabServer(fake, { timers });
    const subs = [1, 2, 3].map(() => server.subscribeEvents({}, () => {}));
    expect(fake.subscriberCount).toBe(1);
    for (const s of subs) if (s.ok) s.value.close();
    expect(fake.subscriberCount).toBe(0);
  });

  it('keeps serving the others when one client\'s sink throws', () => {
    const timers = new ManualTimers();
    const fake = new FakeLab(timers);
    const server = new LabServer(fake, { timers });
    let got = 0;
    server.subscribeEvents({}, () => { throw new Error('buggy client'); });
    server.subscribeEvents({}, (m) => { if (m.kind === 'events') got += m.events.length; });
    server.subscribeSnapshots({}, () => { throw new Error('buggy client'); });
    fake.emitMany(10);
    timers.advance(100);
    expect(got).toBe(10);
  });

  it('answers EINTERNAL for a handler that fails unexpectedly, and runs async handlers', async () => {
    const timers = new ManualTimers();
    const fake = new FakeLab(timers);
    const server = new LabServer({
      ...fake,
      snapshot: () => fake.snapshot(),
      events: fake.events,
      handlers: {
        ...fake.handlers,
        getKnobs: () => { throw new TypeError('boom'); },
        faultList: async () => { await Promise.resolve(); throw new ApiFailure('EBUSY', 'busy'); },
        scenarioList: async () => ({ scenarios: [{ name: 'later', title: 'resolved later' }] }),
      },
    }, { timers });
    expect(await server.call('getKnobs', {})).toEqual({ ok: false, error: { code: 'EINTERNAL', message: 'boom' } });
    expect(await server.call('faultList', {})).toEqual({ ok: false, error: { code: 'EBUSY', message: 'busy' } });
    expect(await server.call('scenarioList', undefined)).toEqual({ ok: true, value: { scenarios: [{ name: 'later', title: 'resolved later' }] } });
  });

  it('bounds each client\'s queue: a client that never settles holds at most its capacity', () => {
    const timers = new ManualTimers();
    const fake = new FakeLab(timers);
    const server = new LabServer(fake, { timers, events: { capacity: 100, maxBatch: 10, window: 1, batchMs: 1 } });
    const delivered: number[] = [];
    server.subscribeEvents({}, (m) => {
      delivered.push(m.kind === 'events' ? m.events.length : -1);
      return new Promise<void>(() => {});
    });
    fake.emitMany(50);
    timers.advance(10);
    expect(delivered).toEqual([10]); // one batch out; the client never settles it
    fake.emitMany(100_000);
    timers.advance(10_000);
    expect(delivered).toEqual([10]); // the rest is counted as missed; nothing piles up, nothing more is sent
  });
});
