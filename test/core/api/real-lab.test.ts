// The contract suite against the REAL Lab (core/lab) through every transport: the lab on the
// simulated wire (a second stack plays the kernel) on a manual clock shared with the API
// server's timers, so nothing sleeps and every run is the same. Each case runs over the
// in-process transport, Electron IPC, the Unix socket, 127.0.0.1 with a token and the
// browser-style client (transports.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabClient } from '../../../core/api/client.ts';
import type { Result } from '../../../core/api/errors.ts';
import type { EventMessage, LabEvent } from '../../../core/api/events.ts';
import { LabServer } from '../../../core/api/server.ts';
import type { SnapshotMessage } from '../../../core/api/snapshot-diff.ts';
import { SnapshotMirror } from '../../../core/api/snapshot-mirror.ts';
import { createLab } from '../../../core/lab/create.ts';
import type { Lab } from '../../../core/lab/lab.ts';
import type { Scenario } from '../../../core/lab/scenarios.ts';
import { ManualClock } from '../../../core/stack/clock.ts';
import { ManualTimers } from './manual-timers.ts';
import { TRANSPORTS, type Served } from './transports.ts';

type AnyCall = (method: string, args?: unknown) => Promise<Result<unknown>>;

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

const plainJson = (v: unknown): void => expect(JSON.parse(JSON.stringify(v))).toStrictEqual(v);

const twoSteps: Scenario<Lab> = {
  name: 'two-steps',
  title: 'Two steps a second apart',
  async run(ctx) {
    ctx.step('one');
    await ctx.sleep(1000);
    ctx.step('two');
  },
};

for (const transport of TRANSPORTS) {
  describe(`the real Lab over ${transport.name}`, () => {
    let lab: Lab;
    let timers: ManualTimers;
    let server: LabServer;
    let served: Served;
    let client: LabClient;
    let call: AnyCall;

    /** Lets the transport deliver what is in flight (replies, stream messages, acks). */
    async function settle(...clients: LabClient[]): Promise<void> {
      for (let i = 0; i < 4; i++) {
        for (const c of clients.length > 0 ? clients : [client]) await c.call('faultList');
        await new Promise((r) => setImmediate(r));
      }
    }

    /** Lab time and the API server's time move together. */
    function tick(ms: number): void {
      lab.advance(ms);
      timers.advance(ms);
    }

    /** Runs the lab (and the server's timers) until `pred` holds. */
    function until(pred: () => boolean, maxMs = 10_000): void {
      for (let t = 0; t < maxMs && !pred(); t += 1) tick(1);
      expect(pred()).toBe(true);
    }

    const conns = (): { id: number; state: string; localPort: number; remotePort: number }[] => lab.snapshot().connections;

    beforeEach(async () => {
      lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 11, scenarios: [twoSteps] });
      timers = new ManualTimers();
      server = new LabServer(lab, { timers, events: { capacity: 256, maxBatch: 64, window: 2, batchMs: 10 } });
      served = await transport.serve(server);
      client = await served.connect();
      call = client.call as unknown as AnyCall;
    });
    afterEach(async () => {
      await served.close();
      server.close();
      lab.close();
    });

    describe('commands and reads', () => {
      it('listen: the kernel side connects, the connection waits in the accept queue; accept, pause, resume, unlisten', async () => {
        const l = value(await client.call('listen', { port: 8080, backlog: 2, responder: 'manual' }));
        expect(l).toEqual({ listener: expect.any(Number), port: 8080 });
        expect(value(await client.call('accept', { listener: l.listener }))).toEqual({ conn: null });
        const peer = lab.peer!.connect(8080);
        until(() => peer.state === 'ESTABLISHED' && lab.snapshot().listeners[0]?.acceptQueue === 1);
        const snap = value(await client.call('snapshot'));
        expect(snap.listeners).toEqual([expect.objectContaining({ id: l.listener, port: 8080, backlog: 2, responder: 'manual', acceptQueue: 1, paused: false })]);
        expect(snap.connections).toEqual([expect.objectContaining({ state: 'ESTABLISHED', localPort: 8080, accepted: false, remoteAddr: '10.77.0.1' })]);
        const { conn } = value(await client.call('accept', { listener: l.listener }));
        expect(conn).toBe(snap.connections[0].id);
        expect(value(await client.call('snapshot')).connections[0]).toMatchObject({ id: conn, accepted: true, responder: 'manual' });
        expect(value(await client.call('pauseAccept', { listener: l.listener }))).toEqual({});
        expect(value(await client.call('snapshot')).listeners[0].paused).toBe(true);
        expect(value(await client.call('resumeAccept', { listener: l.listener }))).toEqual({});
        expect(value(await client.call('unlisten', { listener: l.listener }))).toEqual({});
        expect(value(await client.call('snapshot')).listeners).toEqual([]);
        expect(await client.call('accept', { listener: l.listener })).toEqual({ ok: false, error: { code: 'ENOLISTENER', message: `no such listener: ${l.listener}`, field: 'listener' } });
      });

      it('fills in defaults (backlog 128, responder echo) and refuses a port in use, naming the field', async () => {
        value(await client.call('listen', { port: 80 }));
        expect(value(await client.call('snapshot')).listeners[0]).toMatchObject({ port: 80, backlog: 128, responder: 'echo' });
        expect(await client.call('listen', { port: 80 })).toEqual({ ok: false, error: { code: 'EADDRINUSE', message: 'port 80 is in use', field: 'port' } });
      });

      it('connect to the kernel side, send utf8 and base64, half-close, close, reset', async () => {
        const { conn } = value(await client.call('connect', { addr: '10.77.0.1', port: 9 }));
        until(() => conns()[0]?.state === 'ESTABLISHED');
        expect(value(await client.call('send', { conn, data: 'héllo' }))).toEqual({ written: 6 });
        expect(value(await client.call('send', { conn, data: 'AAEC', encoding: 'base64' }))).toEqual({ written: 3 });
        tick(100);
        expect(value(await client.call('snapshot')).counters.OutSegs).toBeGreaterThanOrEqual(3);
        const stateOf = (id: number): string | undefined => conns().find((c) => c.id === id)?.state;
        // Half-close: our FIN goes out; the discard service closes its side when it sees it.
        expect(value(await client.call('shutdown', { conn }))).toEqual({});
        expect(stateOf(conn)).toBe('FIN-WAIT-1');
        expect(await client.call('send', { conn, data: 'x' })).toMatchObject({ ok: false, error: { code: 'EPIPE', field: 'conn' } });
        until(() => stateOf(conn) === 'TIME-WAIT');
        // Close: FIN after the queued data.
        const second = value(await client.call('connect', { addr: '10.77.0.1', port: 9 })).conn;
        until(() => stateOf(second) === 'ESTABLISHED');
        expect(value(await client.call('close', { conn: second }))).toEqual({});
        until(() => stateOf(second) === 'TIME-WAIT');
        // Reset: gone at once.
        const third = value(await client.call('connect', { addr: '10.77.0.1', port: 9 })).conn;
        until(() => stateOf(third) === 'ESTABLISHED');
        expect(value(await client.call('reset', { conn: third }))).toEqual({});
        expect(value(await client.call('snapshot')).connections.map((c) => c.id)).not.toContain(third);
      });

      it('a gone connection answers ENOCONN, never acting on another', async () => {
        const a = value(await client.call('connect', { addr: '10.77.0.1', port: 9 })).conn;
        const b = value(await client.call('connect', { addr: '10.77.0.1', port: 9 })).conn;
        until(() => conns().length === 2 && conns().every((c) => c.state === 'ESTABLISHED'));
        value(await client.call('reset', { conn: a }));
        for (const [method, args] of [['send', { conn: a, data: 'x' }], ['shutdown', { conn: a }], ['close', { conn: a }], ['reset', { conn: a }]] as const) {
          expect(await call(method, args)).toEqual({ ok: false, error: { code: 'ENOCONN', message: `no such connection: ${a}`, field: 'conn' } });
        }
        expect(await call('close', { conn: 4242 })).toEqual({ ok: false, error: { code: 'ENOCONN', message: 'no such connection: 4242', field: 'conn' } });
        expect(await call('connectionHistory', { conn: 4242 })).toMatchObject({ ok: false, error: { code: 'ENOCONN' } });
        expect(conns().map((c) => [c.id, c.state])).toEqual([[b, 'ESTABLISHED']]);
      });

      it('knobs: get, set, and a refused value names the field and changes nothing', async () => {
        const { knobs } = value(await client.call('getKnobs'));
        expect(knobs.find((k) => k.name === 'tcp_synack_retries')).toMatchObject({ value: 5, default: 5, linuxName: 'net.ipv4.tcp_synack_retries' });
        expect(value(await client.call('setKnob', { name: 'tcp_synack_retries', value: 2 }))).toEqual({ name: 'tcp_synack_retries', value: 2 });
        expect(value(await client.call('snapshot')).knobs.tcp_synack_retries).toBe(2);
        const before = value(await client.call('snapshot'));
        expect(await client.call('setKnob', { name: 'tcp_synack_retries', value: 0 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'value' } });
        expect(await client.call('setKnob', { name: 'no_such_knob', value: 1 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'name' } });
        expect(value(await client.call('snapshot'))).toEqual(before);
      });

      it('fault rules: add, list, fire on real packets, remove; random faults', async () => {
        const { id } = value(await client.call('faultAdd', { rule: { dir: 'out', flags: 'S', action: 'drop' } }));
        value(await client.call('faultRandom', { random: { seed: 7, loss: 0.01 } }));
        const { conn } = value(await client.call('connect', { addr: '10.77.0.1', port: 9 }));
        until(() => conns()[0]?.state === 'ESTABLISHED', 5000);
        const status = value(await client.call('faultList'));
        // The first SYN matched and was dropped; its retransmission matched too but the rule was spent (count 1).
        expect(status.rules).toEqual([{ rule: expect.objectContaining({ id, dir: 'out', flags: 'S' }), matched: 2, fired: 1 }]);
        expect(status.random).toEqual({ seed: 7, loss: 0.01 });
        expect(status.counts.dropped).toBeGreaterThanOrEqual(1);
        expect(value(await client.call('snapshot')).faults).toEqual(status);
        expect(value(await client.call('connectionHistory', { conn })).events.some((e) => e.kind === 'timer' && e.action === 'fire')).toBe(true);
        expect(value(await client.call('faultRemove', { id }))).toEqual({});
        expect(await client.call('faultRemove', { id })).toEqual({ ok: false, error: { code: 'ENOENT', message: `no such fault rule: ${id}`, field: 'id' } });
        value(await client.call('faultRandom', { random: null }));
        expect(value(await client.call('faultList')).random).toBeNull();
      });

      it('pcap: start, record real packets, refuse a second start, stop, export', async () => {
        expect(value(await client.call('pcapStart', { maxPackets: 1000 }))).toEqual({});
        expect(await client.call('pcapStart')).toMatchObject({ ok: false, error: { code: 'EBUSY' } });
        value(await client.call('connect', { addr: '10.77.0.1', port: 9 }));
        until(() => conns()[0]?.state === 'ESTABLISHED');
        const stopped = value(await client.call('pcapStop'));
        expect(stopped.packets).toBe(3);
        const out = value(await client.call('pcapExport'));
        expect(out.packets).toBe(3);
        const bytes = Buffer.from(out.pcap, 'base64');
        expect(bytes.readUInt32LE(20)).toBe(101); // LINKTYPE_RAW
      });

      it('scenarios: list, run, step on lab time, refuse a second run, stop', async () => {
        expect(value(await client.call('scenarioList')).scenarios).toEqual([{ name: 'two-steps', title: 'Two steps a second apart' }]);
        value(await client.call('scenarioRun', { name: 'two-steps' }));
        await settle();
        expect(value(await client.call('snapshot')).scenario).toEqual({ name: 'two-steps', running: true, step: 'one' });
        expect(await client.call('scenarioRun', { name: 'two-steps' })).toMatchObject({ ok: false, error: { code: 'EBUSY' } });
        expect(await client.call('scenarioRun', { name: 'no-such' })).toMatchObject({ ok: false, error: { code: 'ENOENT', field: 'name' } });
        tick(1000);
        await settle();
        expect(value(await client.call('snapshot')).scenario).toEqual({ name: 'two-steps', running: false, step: 'done' });
        expect(value(await client.call('scenarioStop'))).toEqual({});
      });

      it('a connection\'s history, the segment log, counter deltas; history cleared', async () => {
        const { conn } = value(await client.call('connect', { addr: '10.77.0.1', port: 9 }));
        until(() => conns()[0]?.state === 'ESTABLISHED');
        const hist = value(await client.call('connectionHistory', { conn }));
        const states = hist.events.flatMap((e) => (e.kind === 'state' ? [`${e.from}>${e.to}`] : []));
        expect(states).toEqual(['CLOSED>SYN-SENT', 'SYN-SENT>ESTABLISHED']);
        const log = value(await client.call('segmentLog', { conn }));
        expect(log.segments.map((s) => `${s.dir} ${s.segment.flags}`)).toEqual(['out S', 'in S.', 'out .']);
        expect(value(await client.call('segmentLog', { since: log.segments[1].seq })).segments).toHaveLength(1);
        const d0 = value(await client.call('counterDeltas'));
        expect(d0.deltas).toMatchObject({ ActiveOpens: 1, OutSegs: 2, InSegs: 1 });
        value(await client.call('send', { conn, data: 'x' }));
        tick(100);
        const d1 = value(await client.call('counterDeltas', { since: d0.at }));
        expect(d1).toMatchObject({ since: d0.at, deltas: { OutSegs: 1, InSegs: 1 } });
        value(await client.call('clearHistory'));
        expect(value(await client.call('connectionHistory', { conn })).events.filter((e) => e.seq > 0)).toEqual([]);
      });

      it('answers plain JSON data only', async () => {
        const { conn } = value(await client.call('connect', { addr: '10.77.0.1', port: 7 }));
        until(() => conns()[0]?.state === 'ESTABLISHED');
        plainJson(value(await client.call('snapshot')));
        plainJson(value(await client.call('connectionHistory', { conn })));
        plainJson(value(await client.call('getKnobs')));
        plainJson(value(await client.call('faultList')));
      });

      it('serves several clients the same lab', async () => {
        const other = await served.connect();
        value(await other.call('listen', { port: 7 }));
        expect(value(await client.call('snapshot')).listeners.map((l) => l.port)).toEqual([7]);
        await other.close();
        expect(await other.call('snapshot')).toMatchObject({ ok: false, error: { code: 'ECLOSED' } });
        expect(value(await client.call('snapshot')).listeners).toHaveLength(1);
      });
    });

    describe('validation', () => {
      const bad: [string, unknown, string][] = [
        ['listen', { port: 0 }, 'port'], ['listen', { port: '80' }, 'port'], ['listen', null, 'args'],
        ['listen', { port: 80, responder: 'telnet' }, 'responder'], ['listen', { port: 80, bogus: 1 }, 'bogus'],
        ['connect', { addr: 'example.com', port: 80 }, 'addr'], ['send', { conn: 1, data: 'not base64!', encoding: 'base64' }, 'data'],
        ['setKnob', { name: 'Bad Name', value: 1 }, 'name'], ['faultAdd', { rule: { action: { type: 'delay' } } }, 'rule.action.ms'],
        ['faultRandom', { random: { loss: 0.5 } }, 'random.seed'], ['pcapStart', { maxPackets: 0 }, 'maxPackets'],
        ['scenarioRun', { name: '../etc' }, 'name'],
      ];
      for (const [method, args, field] of bad) {
        it(`${method}(${JSON.stringify(args)}) is refused naming '${field}' and changes nothing`, async () => {
          const before = value(await client.call('snapshot'));
          const r = await call(method, args);
          expect(r).toMatchObject({ ok: false, error: { code: 'EINVAL', field } });
          expect(value(await client.call('snapshot'))).toEqual(before);
        });
      }
      it('refuses unknown methods', async () => {
        expect(await call('handlers', {})).toEqual({ ok: false, error: { code: 'ENOMETHOD', message: 'unknown method: handlers', field: 'method' } });
      });
    });

    describe('streams', () => {
      it('snapshot diffs at most at the chosen rate while the lab is busy; a mirror stays equal to the lab', async () => {
        const msgs: SnapshotMessage[] = [];
        value(await client.subscribeSnapshots({ rate: 10 }, (m) => { msgs.push(m); }));
        const mirror = value(await SnapshotMirror.start(client, { rate: 30 }));
        await settle();
        expect(msgs.map((m) => m.kind)).toEqual(['full']);
        // chargen into a lab that reads everything (discard): the lab stays busy.
        value(await client.call('connect', { addr: '10.77.0.1', port: 19, responder: 'discard' }));
        for (let t = 0; t < 100; t++) {
          tick(10);
          await settle();
        }
        expect(msgs.length - 1).toBeLessThanOrEqual(10);
        expect(msgs.length - 1).toBeGreaterThanOrEqual(9);
        const c = conns()[0];
        value(await client.call('reset', { conn: c.id }));
        // A diff goes out per interval to a client that is not busy with the last one.
        for (let i = 0; i < 4; i++) {
          tick(40);
          await settle();
        }
        expect(mirror.snapshot).toEqual(value(await client.call('snapshot')));
        mirror.close();
      });

      it('a full snapshot of an idle lab carries the lab\'s time now, its `at` the time of the last change', async () => {
        value(await call('listen', { port: 7, backlog: 4, responder: 'echo' }));
        const changedAt = lab.snapshot().at;
        tick(5000);
        const msgs: SnapshotMessage[] = [];
        value(await client.subscribeSnapshots({ rate: 10 }, (m) => { msgs.push(m); }));
        await settle();
        expect(msgs[0]).toMatchObject({ kind: 'full', now: changedAt + 5000, snapshot: { at: changedAt } });
      });

      it('events: filtered by kind and connection, in order; nothing after unsubscribe', async () => {
        const a = value(await client.call('connect', { addr: '10.77.0.1', port: 9 })).conn;
        const b = value(await client.call('connect', { addr: '10.77.0.1', port: 9 })).conn;
        until(() => conns().length === 2 && conns().every((c) => c.state === 'ESTABLISHED'));
        const got: LabEvent[] = [];
        const all: LabEvent[] = [];
        const sub = value(await client.subscribeEvents({ kinds: ['state'], conns: [a] }, (m) => { if (m.kind === 'events') got.push(...m.events); }));
        value(await client.subscribeEvents({}, (m) => { if (m.kind === 'events') all.push(...m.events); }));
        for (const conn of [a, b]) value(await client.call('close', { conn }));
        until(() => conns().every((c) => c.state === 'TIME-WAIT'));
        tick(20);
        await settle();
        expect(got.map((e) => (e.kind === 'state' ? `${e.from}>${e.to}` : e.kind))).toEqual(['ESTABLISHED>FIN-WAIT-1', 'FIN-WAIT-1>FIN-WAIT-2', 'FIN-WAIT-2>TIME-WAIT']);
        expect(all.some((e) => e.kind === 'state' && e.conn === b && e.to === 'TIME-WAIT')).toBe(true);
        expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));
        plainJson(all);
        sub.close();
        await settle();
        const n = got.length;
        tick(61_000); // TIME-WAIT ends: more state events, none for the closed subscription
        await settle();
        expect(got).toHaveLength(n);
        expect(all.some((e) => e.kind === 'state' && e.conn === a && e.to === 'CLOSED')).toBe(true);
      });

      it('a slow client is dropped to the latest snapshot and told how many events it missed; a fast one loses nothing', async () => {
        let open: () => void = () => {};
        const gate = new Promise<void>((r) => (open = r));
        const slow = { delivered: 0, missed: 0, gaps: [] as (EventMessage & { kind: 'gap' })[] };
        value(await client.subscribeEvents({}, async (m) => {
          if (m.kind === 'events') slow.delivered += m.events.length;
          else {
            slow.missed += m.missed;
            slow.gaps.push(m);
          }
          await gate;
        }));
        const other = await served.connect();
        const fast = { seqs: [] as number[], gaps: 0 };
        value(await other.subscribeEvents({}, (m) => {
          if (m.kind === 'events') fast.seqs.push(...m.events.map((e) => e.seq));
          else fast.gaps++;
        }));
        const first = lab.snapshot().lastEventSeq;
        const { conn } = value(await client.call('connect', { addr: '10.77.0.1', port: 9 }));
        for (let t = 0; t < 100; t++) {
          value(await client.call('send', { conn, data: 'x'.repeat(100) }));
          tick(50); // each segment sent and acknowledged: a handful of events per round
          await settle(client, other);
        }
        open();
        for (let i = 0; i < 6; i++) {
          tick(10);
          await settle(client, other);
        }
        const last = lab.snapshot().lastEventSeq;
        expect(fast.gaps).toBe(0);
        expect(fast.seqs).toEqual(Array.from({ length: last - first }, (_, i) => first + 1 + i));
        expect(last - first).toBeGreaterThan(300); // more than the slow client may queue (256)
        expect(slow.gaps).toHaveLength(1);
        expect(slow.missed).toBeGreaterThan(0);
        expect(slow.delivered + slow.missed).toBe(last - first);
        await other.close();
      });
    });
  });
}
