// The one contract test suite: the same cases against every transport (local, Electron IPC,
// WebSocket over a Unix socket, WebSocket over 127.0.0.1 with a token). Each transport's test
// file supplies a harness; the lab behind it is the deterministic FakeLab on a manual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabClient } from '../../../core/api/client.ts';
import type { Result } from '../../../core/api/errors.ts';
import type { EventFeedOptions } from '../../../core/api/event-feed.ts';
import type { EventMessage, LabEvent } from '../../../core/api/events.ts';
import { LabServer } from '../../../core/api/server.ts';
import type { SnapshotMessage } from '../../../core/api/snapshot-diff.ts';
import { SnapshotMirror } from '../../../core/api/snapshot-mirror.ts';
import { FakeLab } from './fake-lab.ts';
import { ManualTimers } from './manual-timers.ts';
import { TRANSPORTS } from './transports.ts';

export interface HarnessOptions {
  events?: Partial<EventFeedOptions>;
}

export interface Harness {
  timers: ManualTimers;
  fake: FakeLab;
  client: LabClient;
  /** Another client of the same lab over the same transport. */
  connect(): Promise<LabClient>;
  close(): Promise<void>;
}

export type MakeHarness = (opts: HarnessOptions) => Promise<Harness>;

/** The server side every harness starts from. */
export function makeLab(opts: HarnessOptions): { timers: ManualTimers; fake: FakeLab; server: LabServer } {
  const timers = new ManualTimers();
  const fake = new FakeLab(timers);
  const server = new LabServer(fake, { timers, events: opts.events });
  return { timers, fake, server };
}

type AnyCall = (method: string, args?: unknown) => Promise<Result<unknown>>;

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

function expectPlainJson(v: unknown): void {
  expect(JSON.parse(JSON.stringify(v))).toStrictEqual(v);
}

/** Lets each client's transport deliver what is in flight (replies, stream messages, acks). */
async function settle(...clients: LabClient[]): Promise<void> {
  for (let i = 0; i < 4; i++) {
    for (const c of clients) await c.call('faultList');
    await new Promise((r) => setImmediate(r));
  }
}

export function contractSuite(transport: string, make: MakeHarness, opts: HarnessOptions = {}): void {
  describe(`Lab API contract over ${transport}`, () => {
    let h: Harness;
    let call: AnyCall;

    beforeEach(async () => {
      h = await make({ events: { capacity: 64, maxBatch: 16, window: 2, batchMs: 10, maxRate: 100_000, rateWindowMs: 250 }, ...opts });
      call = h.client.call as unknown as AnyCall;
    });
    afterEach(async () => {
      await h.close();
    });

    describe('commands and reads', () => {
      it('listens, accepts and shows the listener with its queues', async () => {
        const l = value(await h.client.call('listen', { port: 8080, backlog: 2, responder: 'manual' }));
        expect(l).toEqual({ listener: expect.any(Number), port: 8080 });
        expect(value(await h.client.call('accept', { listener: l.listener }))).toEqual({ conn: null });
        const incoming = h.fake.incoming(l.listener);
        const snap = value(await h.client.call('snapshot'));
        expect(snap.listeners).toEqual([expect.objectContaining({ id: l.listener, port: 8080, backlog: 2, responder: 'manual', acceptQueue: 1, acceptQueueLimit: 2 })]);
        expect(value(await h.client.call('accept', { listener: l.listener }))).toEqual({ conn: incoming });
        expect(value(await h.client.call('pauseAccept', { listener: l.listener }))).toEqual({});
        expect(value(await h.client.call('snapshot')).listeners[0].paused).toBe(true);
        expect(value(await h.client.call('resumeAccept', { listener: l.listener }))).toEqual({});
        expect(value(await h.client.call('unlisten', { listener: l.listener }))).toEqual({});
        expect(value(await h.client.call('snapshot')).listeners).toEqual([]);
      });

      it('fills in defaults (backlog 128, responder echo)', async () => {
        value(await h.client.call('listen', { port: 80 }));
        const [l] = value(await h.client.call('snapshot')).listeners;
        expect(l).toMatchObject({ port: 80, backlog: 128, responder: 'echo' });
      });

      it('refuses a port in use, naming the field', async () => {
        value(await h.client.call('listen', { port: 80 }));
        const r = await h.client.call('listen', { port: 80 });
        expect(r).toEqual({ ok: false, error: { code: 'EADDRINUSE', message: 'port 80 is in use', field: 'port' } });
      });

      it('connects, sends utf8 and base64, half-closes, closes and resets', async () => {
        const { conn } = value(await h.client.call('connect', { addr: '10.77.0.1', port: 9000 }));
        const row = () => value(h.fake.snapshot().connections.find((c) => c.id === conn) ? { ok: true, value: h.fake.snapshot().connections.find((c) => c.id === conn)! } : { ok: false, error: { code: 'ENOCONN', message: '' } });
        expect(row()).toMatchObject({ state: 'ESTABLISHED', remoteAddr: '10.77.0.1', remotePort: 9000 });
        expect(value(await h.client.call('send', { conn, data: 'héllo' }))).toEqual({ written: 6 });
        expect(value(await h.client.call('send', { conn, data: 'AAEC', encoding: 'base64' }))).toEqual({ written: 3 });
        expect(row().sndNxt - row().sndUna).toBe(9);
        expect(value(await h.client.call('shutdown', { conn }))).toEqual({});
        expect(row().state).toBe('FIN-WAIT-1');
        expect(value(await h.client.call('close', { conn }))).toEqual({});
        expect(value(await h.client.call('reset', { conn }))).toEqual({});
        expect(h.fake.snapshot().connections).toEqual([]);
      });

      it('sets and gets knobs; a value the lab refuses names the field and changes nothing', async () => {
        const { knobs } = value(await h.client.call('getKnobs'));
        expect(knobs.find((k) => k.name === 'tcp_syncookies')).toMatchObject({ value: 1, default: 1, min: 0, max: 2 });
        expect(value(await h.client.call('setKnob', { name: 'tcp_syncookies', value: 2 }))).toEqual({ name: 'tcp_syncookies', value: 2 });
        expect(value(await h.client.call('snapshot')).knobs.tcp_syncookies).toBe(2);
        const before = value(await h.client.call('snapshot')).version;
        expect(await h.client.call('setKnob', { name: 'tcp_syncookies', value: 3 })).toEqual({ ok: false, error: { code: 'EINVAL', message: 'value: tcp_syncookies must be an integer 0..2', field: 'value' } });
        expect(await h.client.call('setKnob', { name: 'no_such_knob', value: 1 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'name' } });
        expect(value(await h.client.call('snapshot')).version).toBe(before);
      });

      it('adds, lists and removes fault rules; sets random faults', async () => {
        const { id } = value(await h.client.call('faultAdd', { rule: { dir: 'in', flags: '.', nth: 3, action: 'drop' } }));
        expect(id).toBe('rule-1');
        const named = value(await h.client.call('faultAdd', { rule: { id: 'hold-synack', flags: 'S.', action: { type: 'delay', ms: 5000 } } }));
        expect(named.id).toBe('hold-synack');
        expect(await h.client.call('faultAdd', { rule: { id: 'hold-synack', action: 'drop' } })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'rule.id' } });
        value(await h.client.call('faultRandom', { random: { seed: 7, loss: 0.01, reorder: 0.01 } }));
        const status = value(await h.client.call('faultList'));
        expect(status.rules.map((r) => r.rule)).toEqual([
          { id: 'rule-1', dir: 'in', flags: '.', nth: 3, action: { type: 'drop' } },
          { id: 'hold-synack', flags: 'S.', action: { type: 'delay', ms: 5000 } },
        ]);
        expect(status.random).toEqual({ seed: 7, loss: 0.01, reorder: 0.01 });
        expect(value(await h.client.call('snapshot')).faults).toEqual(status);
        expect(value(await h.client.call('faultRemove', { id }))).toEqual({});
        expect(await h.client.call('faultRemove', { id })).toEqual({ ok: false, error: { code: 'ENOENT', message: `no such fault rule: ${id}`, field: 'id' } });
        value(await h.client.call('faultRandom', { random: null }));
        expect(value(await h.client.call('faultList')).random).toBeNull();
      });

      it('starts, stops and exports a pcap', async () => {
        expect(value(await h.client.call('pcapStart', { maxPackets: 1000 }))).toEqual({});
        expect(value(await h.client.call('snapshot')).pcap).toMatchObject({ running: true, maxPackets: 1000, maxBytes: 64 << 20 });
        expect(await h.client.call('pcapStart')).toMatchObject({ ok: false, error: { code: 'EBUSY' } });
        expect(value(await h.client.call('pcapStop'))).toEqual({ packets: 0, bytes: 0 });
        const { pcap } = value(await h.client.call('pcapExport'));
        expect(Buffer.from(pcap, 'base64').readUInt32LE(0)).toBe(0xa1b2c3d4);
      });

      it('lists, runs and stops scenarios', async () => {
        const { scenarios } = value(await h.client.call('scenarioList'));
        expect(scenarios.map((s) => s.name)).toContain('handshake');
        expect(value(await h.client.call('scenarioRun', { name: 'handshake' }))).toEqual({});
        expect(value(await h.client.call('snapshot')).scenario).toEqual({ name: 'handshake', running: true, step: 'start' });
        expect(await h.client.call('scenarioRun', { name: 'no-such' })).toMatchObject({ ok: false, error: { code: 'ENOENT', field: 'name' } });
        expect(value(await h.client.call('scenarioStop'))).toEqual({});
      });

      it('reads a connection history, the segment log and counter deltas; clears history', async () => {
        const { conn } = value(await h.client.call('connect', { addr: '10.77.0.1', port: 9000 }));
        value(await h.client.call('send', { conn, data: 'x' }));
        const hist = value(await h.client.call('connectionHistory', { conn }));
        expect(hist.events.map((e) => e.kind === 'state' ? `${e.from}>${e.to}` : e.kind)).toEqual(['CLOSED>SYN-SENT', 'segment', 'segment', 'SYN-SENT>ESTABLISHED', 'segment']);
        const log = value(await h.client.call('segmentLog', { conn }));
        expect(log.segments.map((s) => `${s.dir} ${s.segment.flags}`)).toEqual(['out S', 'in S.', 'out P.']);
        const later = value(await h.client.call('segmentLog', { since: log.segments[1].seq }));
        expect(later.segments).toHaveLength(1);
        const d0 = value(await h.client.call('counterDeltas'));
        expect(d0.deltas).toMatchObject({ ActiveOpens: 1, OutSegs: 2, InSegs: 1 });
        h.timers.advance(1000);
        h.fake.churn();
        const d1 = value(await h.client.call('counterDeltas', { since: d0.at }));
        expect(d1).toEqual({ since: d0.at, at: 1000, deltas: { InSegs: 1 } });
        value(await h.client.call('clearHistory'));
        expect(value(await h.client.call('connectionHistory', { conn })).events).toEqual([]);
      });

      it('answers plain JSON data only', async () => {
        const { conn } = value(await h.client.call('connect', { addr: '10.77.0.1', port: 9000 }));
        expectPlainJson(value(await h.client.call('snapshot')));
        expectPlainJson(value(await h.client.call('connectionHistory', { conn })));
        expectPlainJson(value(await h.client.call('getKnobs')));
      });

      it('serves several clients the same lab', async () => {
        const other = await h.connect();
        value(await other.call('listen', { port: 7 }));
        expect(value(await h.client.call('snapshot')).listeners.map((l) => l.port)).toEqual([7]);
        await other.close();
        expect(await other.call('snapshot')).toMatchObject({ ok: false, error: { code: 'ECLOSED' } });
        expect(value(await h.client.call('snapshot')).listeners).toHaveLength(1);
      });
    });

    describe('validation', () => {
      const bad: [string, unknown, string][] = [
        ['listen', { port: 0 }, 'port'],
        ['listen', { port: 65536 }, 'port'],
        ['listen', { port: '80' }, 'port'],
        ['listen', { port: 80.5 }, 'port'],
        ['listen', {}, 'port'],
        ['listen', null, 'args'],
        ['listen', { port: 80, backlog: -1 }, 'backlog'],
        ['listen', { port: 80, responder: 'telnet' }, 'responder'],
        ['listen', { port: 80, bogus: 1 }, 'bogus'],
        ['listen', 5, 'args'],
        ['listen', [80], 'args'],
        ['connect', { addr: '10.77.0.256', port: 80 }, 'addr'],
        ['connect', { addr: 'example.com', port: 80 }, 'addr'],
        ['send', { conn: 1, data: 'not base64!', encoding: 'base64' }, 'data'],
        ['send', { conn: 1, data: 5 }, 'data'],
        ['send', { conn: -1, data: 'x' }, 'conn'],
        ['send', { conn: 1, data: 'x', encoding: 'latin1' }, 'encoding'],
        ['reset', { conn: 'all' }, 'conn'],
        ['setKnob', { name: 'Bad Name', value: 1 }, 'name'],
        ['setKnob', { name: 'somaxconn', value: { x: 1 } }, 'value'],
        ['setKnob', { name: 'somaxconn', value: Infinity }, 'value'],
        ['faultAdd', { rule: { action: 'explode' } }, 'rule.action'],
        ['faultAdd', { rule: { action: { type: 'explode' } } }, 'rule.action.type'],
        ['faultAdd', { rule: { action: { type: 'delay', ms: -5 } } }, 'rule.action.ms'],
        ['faultAdd', { rule: { action: { type: 'delay' } } }, 'rule.action.ms'],
        ['faultAdd', { rule: { flags: 'SYN', action: 'drop' } }, 'rule.flags'],
        ['faultAdd', { rule: { action: 'drop', probability: 2 } }, 'rule.probability'],
        ['faultAdd', { rule: { action: 'drop', conn: 3 } }, 'rule.conn'],
        ['faultAdd', { rule: { dir: 'in' } }, 'rule.action'],
        ['faultRandom', { random: { loss: 0.5 } }, 'random.seed'],
        ['faultRandom', { random: { seed: 1, loss: 1.5 } }, 'random.loss'],
        ['faultRemove', { id: 3 }, 'id'],
        ['pcapStart', { maxPackets: 0 }, 'maxPackets'],
        ['scenarioRun', { name: '../etc' }, 'name'],
        ['segmentLog', { limit: 100_000 }, 'limit'],
        ['getKnobs', { verbose: true }, 'verbose'],
      ];
      for (const [method, args, field] of bad) {
        it(`${method}(${JSON.stringify(args)}) is refused naming '${field}' and changes nothing`, async () => {
          const before = value(await h.client.call('snapshot'));
          const r = await call(method, args);
          expect(r).toMatchObject({ ok: false, error: { code: 'EINVAL', field } });
          if (!r.ok) expect(r.error.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
          expect(value(await h.client.call('snapshot'))).toEqual(before);
        });
      }

      it('names an unknown argument as such', async () => {
        expect(await call('close', { conn: 1, force: true })).toEqual({ ok: false, error: { code: 'EINVAL', message: 'force: unknown argument', field: 'force' } });
      });

      for (const name of ['explode', 'constructor', '__proto__', 'toString', 'handlers']) {
        it(`refuses the unknown method '${name}'`, async () => {
          expect(await call(name, {})).toEqual({ ok: false, error: { code: 'ENOMETHOD', message: `unknown method: ${name}`, field: 'method' } });
        });
      }
    });

    describe('connections that have gone', () => {
      it('answers ENOCONN, never acting on another connection', async () => {
        const a = value(await h.client.call('connect', { addr: '10.77.0.1', port: 1 })).conn;
        const b = value(await h.client.call('connect', { addr: '10.77.0.1', port: 2 })).conn;
        value(await h.client.call('reset', { conn: a }));
        for (const [method, args] of [['send', { conn: a, data: 'x' }], ['shutdown', { conn: a }], ['close', { conn: a }], ['reset', { conn: a }]] as const) {
          expect(await call(method, args)).toEqual({ ok: false, error: { code: 'ENOCONN', message: `no such connection: ${a}`, field: 'conn' } });
        }
        expect(await call('close', { conn: 42 })).toEqual({ ok: false, error: { code: 'ENOCONN', message: 'no such connection: 42', field: 'conn' } });
        expect(await call('connectionHistory', { conn: 42 })).toMatchObject({ ok: false, error: { code: 'ENOCONN' } });
        expect(h.fake.snapshot().connections.map((c) => [c.id, c.state])).toEqual([[b, 'ESTABLISHED']]);
      });

      it('answers ENOLISTENER for a listener that has gone', async () => {
        expect(await call('accept', { listener: 9 })).toEqual({ ok: false, error: { code: 'ENOLISTENER', message: 'no such listener: 9', field: 'listener' } });
      });
    });

    describe('snapshot stream', () => {
      it('sends a full snapshot, then diffs at the default 10 per second at most', async () => {
        const msgs: SnapshotMessage[] = [];
        value(await h.client.subscribeSnapshots({}, (m) => { msgs.push(m); }));
        await settle(h.client);
        expect(msgs.map((m) => m.kind)).toEqual(['full']);
        for (let t = 0; t < 100; t++) {
          h.fake.churn();
          h.timers.advance(10);
          await settle(h.client);
        }
        const diffs = msgs.length - 1;
        expect(diffs).toBeLessThanOrEqual(10);
        expect(diffs).toBeGreaterThanOrEqual(9);
      });

      it('honours a client-chosen rate up to 30 per second', async () => {
        const msgs: SnapshotMessage[] = [];
        value(await h.client.subscribeSnapshots({ rate: 30 }, (m) => { msgs.push(m); }));
        for (let t = 0; t < 200; t++) {
          h.fake.churn();
          h.timers.advance(5);
          await settle(h.client);
        }
        expect(msgs.length - 1).toBeLessThanOrEqual(30);
        expect(msgs.length - 1).toBeGreaterThanOrEqual(28);
      });

      it('refuses rates outside 1..30 and unknown stream arguments', async () => {
        for (const [args, field] of [[{ rate: 31 }, 'rate'], [{ rate: 0 }, 'rate'], [{ rate: 'fast' }, 'rate'], [{ speed: 1 }, 'speed']] as const) {
          const r = await h.client.subscribeSnapshots(args as never, () => {});
          expect(r).toMatchObject({ ok: false, error: { code: 'EINVAL', field } });
        }
      });

      it('sends nothing while nothing changes', async () => {
        const msgs: SnapshotMessage[] = [];
        value(await h.client.subscribeSnapshots({ rate: 30 }, (m) => { msgs.push(m); }));
        for (let t = 0; t < 10; t++) {
          h.timers.advance(100);
          await settle(h.client);
        }
        expect(msgs).toHaveLength(1);
      });

      it('keeps a mirror equal to the lab, even for a client that is slow to take each diff', async () => {
        let release: () => void = () => {};
        let holding = false;
        let received = 0;
        const mirror = value(await SnapshotMirror.start(h.client, { rate: 20 }));
        const slow = await h.client.subscribeSnapshots({ rate: 30 }, () => {
          received++;
          if (!holding) return;
          return new Promise<void>((r) => (release = r));
        });
        value(slow);
        holding = true;
        for (let t = 0; t < 50; t++) {
          if (t <= 40) h.fake.churn();
          if (t === 10) value(await h.client.call('listen', { port: 80 }));
          if (t === 20) h.fake.incoming(1);
          if (t > 40) h.fake.emitMany(3); // events only: the version moves, no row changes
          h.timers.advance(20);
          await settle(h.client);
        }
        expect(received).toBe(2); // the full snapshot and one diff it is still busy with
        holding = false;
        release();
        await settle(h.client);
        h.timers.advance(100);
        await settle(h.client);
        expect(received).toBe(3); // one diff covers everything it missed
        const now = value(await h.client.call('snapshot'));
        expect(mirror.snapshot).toEqual(now);
        mirror.close();
      });
    });

    describe('event stream', () => {
      it('filters by kind and by connection', async () => {
        const a = value(await h.client.call('connect', { addr: '10.77.0.1', port: 1 })).conn;
        const b = value(await h.client.call('connect', { addr: '10.77.0.1', port: 2 })).conn;
        const got: LabEvent[] = [];
        const all: LabEvent[] = [];
        value(await h.client.subscribeEvents({ kinds: ['state', 'segment'], conns: [a] }, (m) => { if (m.kind === 'events') got.push(...m.events); }));
        value(await h.client.subscribeEvents({}, (m) => { if (m.kind === 'events') all.push(...m.events); }));
        for (const conn of [a, b]) {
          value(await h.client.call('send', { conn, data: 'hi' }));
          value(await h.client.call('close', { conn }));
        }
        value(await h.client.call('setKnob', { name: 'somaxconn', value: 8 }));
        h.timers.advance(20);
        await settle(h.client);
        expect(got.map((e) => e.kind === 'state' ? e.to : e.kind === 'segment' ? e.segment.flags : e.kind)).toEqual(['P.', 'F.', 'FIN-WAIT-1']);
        expect(got.every((e) => 'conn' in e && e.conn === a)).toBe(true);
        expect(all.map((e) => e.kind)).toEqual(['segment', 'segment', 'state', 'segment', 'segment', 'state', 'lab']);
        expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));
        expectPlainJson(all);
      });

      it('refuses a bad filter naming the field', async () => {
        expect(await h.client.subscribeEvents({ kinds: ['bogus' as never] }, () => {})).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'kinds.0' } });
        expect(await h.client.subscribeEvents({ conns: [-1] }, () => {})).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'conns.0' } });
        expect(await h.client.subscribeEvents({ kinds: [] }, () => {})).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'kinds' } });
      });

      it('stops delivering after unsubscribe', async () => {
        let n = 0;
        const sub = value(await h.client.subscribeEvents({}, (m) => { if (m.kind === 'events') n += m.events.length; }));
        h.fake.emitMany(4);
        h.timers.advance(20);
        await settle(h.client);
        expect(n).toBe(4);
        sub.close();
        await settle(h.client);
        h.fake.emitMany(4);
        h.timers.advance(20);
        await settle(h.client);
        expect(n).toBe(4);
      });

      it('drops a slow client to the latest snapshot and tells it how many events it missed; others lose nothing', async () => {
        let open: () => void = () => {};
        const gate = new Promise<void>((r) => (open = r));
        const slow = { delivered: 0, missed: 0, gaps: [] as (EventMessage & { kind: 'gap' })[], after: [] as number[] };
        value(await h.client.subscribeEvents({}, async (m) => {
          if (m.kind === 'events') {
            slow.delivered += m.events.length;
            if (slow.gaps.length > 0) slow.after.push(...m.events.map((e) => e.seq));
          } else {
            slow.missed += m.missed;
            slow.gaps.push(m);
          }
          await gate;
        }));
        const other = await h.connect();
        const fast = { delivered: 0, gaps: 0 };
        value(await other.subscribeEvents({}, (m) => {
          if (m.kind === 'events') fast.delivered += m.events.length;
          else fast.gaps++;
        }));
        for (let round = 0; round < 20; round++) {
          h.fake.emitMany(50);
          h.timers.advance(10);
          await settle(h.client, other);
        }
        open();
        for (let i = 0; i < 4; i++) {
          h.timers.advance(10);
          await settle(h.client, other);
        }
        expect(fast).toEqual({ delivered: 1000, gaps: 0 });
        expect(slow.gaps).toHaveLength(1);
        expect(slow.missed).toBeGreaterThan(0);
        expect(slow.delivered + slow.missed).toBe(1000);
        const gap = slow.gaps[0];
        expect(gap.snapshot?.lastEventSeq).toBe(1000);
        expect(slow.after.every((seq) => seq > (gap.snapshot?.lastEventSeq ?? Infinity))).toBe(true);
        await other.close();
      });

      it('bounds each client\'s rate: past its budget a window ends in one gap; a client may ask for more', async () => {
        const limited = { events: 0, missed: 0, gaps: 0, seqs: [] as number[] };
        value(await h.client.subscribeEvents({ maxRate: 400 }, (m) => { // 100 per 250 ms window
          if (m.kind === 'events') {
            limited.events += m.events.length;
            limited.seqs.push(...m.events.map((e) => e.seq));
          } else {
            limited.missed += m.missed;
            limited.gaps++;
          }
        }));
        let all = 0;
        value(await h.client.subscribeEvents({}, (m) => { if (m.kind === 'events') all += m.events.length; })); // 100,000/s here
        for (let t = 0; t < 100; t++) { // 1 s: 3000 events, 30 every 10 ms
          h.fake.emitMany(30);
          h.timers.advance(10);
          await settle(h.client);
        }
        h.timers.advance(300);
        await settle(h.client);
        expect(all).toBe(3000);
        expect(limited.events + limited.missed).toBe(3000);
        expect(limited.gaps).toBe(4); // one per window
        expect(limited.events).toBeGreaterThanOrEqual(400);
        expect(limited.events).toBeLessThanOrEqual(500);
        expect(limited.seqs).toEqual([...limited.seqs].sort((a, b) => a - b));
        expect(await h.client.subscribeEvents({ maxRate: 0 }, () => {})).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'maxRate' } });
        expect(await h.client.subscribeEvents({ gapSnapshot: 'no' } as never, () => {})).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'gapSnapshot' } });
        expect(await h.client.subscribeEvents({ maxRate: 1e6 }, () => {})).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'maxRate' } });
      });

      it('sends gaps without a snapshot to a client that asks (it follows the snapshot stream), counting the same', async () => {
        const gaps: { missed: number; snapshot: unknown }[][] = [[], []];
        const events = [0, 0];
        for (const [i, gapSnapshot] of [true, false].entries()) {
          value(await h.client.subscribeEvents({ maxRate: 40, gapSnapshot }, (m) => {
            if (m.kind === 'events') events[i] += m.events.length;
            else gaps[i].push({ missed: m.missed, snapshot: m.snapshot });
          }));
        }
        h.fake.emitMany(30);
        h.timers.advance(300);
        await settle(h.client);
        expect(gaps[0]).toHaveLength(1);
        expect(gaps[0][0].snapshot).toMatchObject({ lastEventSeq: expect.any(Number) });
        expect(gaps[1]).toEqual([{ missed: gaps[0][0].missed, snapshot: null }]);
        expect(events[1]).toBe(events[0]);
      });

      it('stops listening to the lab while no client can take events, and counts what they missed', async () => {
        const got = { events: 0, missed: 0, gaps: [] as number[] };
        value(await h.client.subscribeEvents({ maxRate: 40 }, (m) => { // 10 per 250 ms window
          if (m.kind === 'events') got.events += m.events.length;
          else {
            got.missed += m.missed;
            got.gaps.push(m.snapshot?.lastEventSeq ?? -1);
          }
        }));
        expect(h.fake.subscriberCount).toBe(1);
        h.fake.emitMany(12); // 10 taken, the 11th is over budget: nobody takes events now
        expect(h.fake.subscriberCount).toBe(0);
        h.fake.emitMany(100); // the lab builds none of these for the API
        h.timers.advance(20);
        await settle(h.client);
        expect(got).toEqual({ events: 10, missed: 0, gaps: [] });
        h.timers.advance(250); // the window ends: the gap, then events again
        await settle(h.client);
        expect(got).toEqual({ events: 10, missed: 102, gaps: [112] });
        expect(h.fake.subscriberCount).toBe(1);
        h.fake.emitMany(3);
        h.timers.advance(20);
        await settle(h.client);
        expect(got.events).toBe(13);
      });

      it('never makes the lab wait: a client that never reads costs a bounded queue', async () => {
        value(await h.client.subscribeEvents({}, () => new Promise<void>(() => {})));
        for (let round = 0; round < 10; round++) {
          h.fake.emitMany(1000);
          h.timers.advance(10);
        }
        await settle(h.client);
        expect(h.fake.snapshot().lastEventSeq).toBe(10_000);
      });
    });
  });
}

/** The contract suite over one of the transports of transports.ts (by its name), on the FakeLab. */
export function transportSuite(name: string, opts: HarnessOptions = {}): void {
  const transport = TRANSPORTS.find((t) => t.name === name);
  if (transport === undefined) throw new Error(`no transport named '${name}' in transports.ts`);
  contractSuite(name, async (o) => {
    const { timers, fake, server } = makeLab(o);
    const served = await transport.serve(server);
    return {
      timers, fake,
      client: await served.connect(),
      connect: () => served.connect(),
      close: async () => {
        await served.close();
        server.close();
      },
    };
  }, opts);
}
