// The TUI's copy of the lab under load: the trace asks for a bounded event rate (a busy lab's
// trace shows "missed N" instead of keeping up with every event), while the selected
// connection has its own subscription, so its timeline and ladder stay whole.
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import { LabStore, TRACE_EVENT_RATE } from '../../tui/ui/store.ts';
import { FakeLab } from '../core/api/fake-lab.ts';
import { ManualTimers } from '../core/api/manual-timers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const tick = async (): Promise<void> => {
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setImmediate(r));
};

describe('the store under load', () => {
  it('keeps the selected connection\'s history whole while the trace misses events', async () => {
    const timers = new ManualTimers();
    const fake = new FakeLab(timers);
    const server = new LabServer(fake, { timers });
    const client = createLocalClient(server);
    await client.call('listen', { port: 80, backlog: 10, responder: 'echo' });
    const busy = fake.incoming(1);
    const quiet = fake.incoming(1);
    const store = new LabStore(client, { notifyMs: 0, now: () => timers.now() });
    cleanups.push(() => { store.stop(); server.close(); });
    await store.start();
    store.select(busy);
    for (let i = 0; i < 5; i++) {
      timers.advance(20);
      await tick();
    }
    const before = store.history?.events.length ?? 0;
    // Twice the trace's rate in one rate window, on the selected connection, and some elsewhere.
    fake.emitMany(TRACE_EVENT_RATE / 2, busy);
    fake.emitMany(100, quiet);
    for (let i = 0; i < 40; i++) {
      timers.advance(25);
      await tick();
    }
    expect(store.missed).toBeGreaterThan(0);
    expect(store.history?.conn).toBe(busy);
    expect(store.history?.events.length).toBe(before + TRACE_EVENT_RATE / 2);
    const seqs = store.history?.events.map((e) => e.seq) ?? [];
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
