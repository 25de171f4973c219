// The Lab on the simulated wire and a manual clock: every handler of the contract through
// LabServer, the responders against the peer stack, events and history, pcap, faults, scenarios.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalClient } from '../../../core/api/local.ts';
import type { LabMethods } from '../../../core/api/client.ts';
import { methodsOf } from '../../../core/api/client.ts';
import type { Result } from '../../../core/api/errors.ts';
import type { LabEvent } from '../../../core/api/events.ts';
import { LabServer } from '../../../core/api/server.ts';
import { createLab } from '../../../core/lab/create.ts';
import type { Lab } from '../../../core/lab/lab.ts';
import type { Scenario } from '../../../core/lab/scenarios.ts';
import { ManualClock } from '../../../core/stack/clock.ts';
import type { Socket } from '../../../core/stack/socket.ts';
import { addr, buildEcho } from '../../interop/icmp-echo.ts';
import { ManualTimers } from '../api/manual-timers.ts';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Everything readable on a socket now. */
function drain(s: Socket): string {
  let out = '';
  for (let d = s.read(); d !== null && d.length > 0; d = s.read()) out += text(d);
  return out;
}

const slowScenario: Scenario<Lab> = {
  name: 'slow',
  title: 'Waits, in steps',
  async run(ctx) {
    ctx.step('one');
    await ctx.sleep(1000);
    ctx.step('two');
    await ctx.sleep(1000);
  },
};

describe('the Lab on the simulated wire (manual clock)', () => {
  let lab: Lab;
  let api: LabMethods;
  let server: LabServer;
  const timers = new ManualTimers();

  beforeEach(() => {
    lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 3, scenarios: [slowScenario] });
    server = new LabServer(lab, { timers });
    api = methodsOf(createLocalClient(server));
  });
  afterEach(() => {
    server.close();
    lab.close();
  });

  it('says it is simulated', async () => {
    const snap = value(await api.snapshot());
    expect(snap.info).toEqual({
      device: null, simulated: true, labAddr: '10.77.0.2', kernelAddr: '10.77.0.1', timeScale: 1, netns: null,
      time: { paused: false, scale: 1, slowMotionMs: null, held: 0, next: [], droppedAtGate: 0, nextTimerIn: null, realTime: false },
    });
  });

  it('echo: the peer connects, sends, gets its bytes back; both sides close', async () => {
    const l = value(await api.listen({ port: 7000, responder: 'echo' }));
    const peer = lab.peer!;
    const c = peer.connect(7000);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    c.write(new TextEncoder().encode('hello, lab'));
    let got = '';
    lab.runUntil(() => (got += drain(c)).length >= 10);
    expect(got).toBe('hello, lab');
    const snap = value(await api.snapshot());
    const row = snap.connections.find((r) => r.localPort === 7000)!;
    expect(row).toMatchObject({ state: 'ESTABLISHED', responder: 'echo', accepted: true, listener: null, remoteAddr: '10.77.0.1' });
    expect(snap.listeners).toEqual([expect.objectContaining({ id: l.listener, port: 7000, responder: 'echo', paused: false, localAddr: '10.77.0.2' })]);
    c.close();
    lab.runUntil(() => c.state === 'TIME-WAIT');
    lab.advance(10);
    expect(value(await api.snapshot()).connections.filter((r) => r.localPort === 7000)).toEqual([]);
  });

  it('http: keep-alive, pipelining, Connection: close, /bytes/N, HEAD, 405, 400', () => {
    lab.handlers.listen({ port: 80, backlog: 16, responder: 'http' });
    const c = lab.peer!.connect(80);
    c.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /bytes/10 HTTP/1.1\r\nHost: x\r\n\r\nGET /bytes/100000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let got = '';
    lab.runUntil(() => {
      got += drain(c);
      return c.state === 'CLOSE-WAIT' || c.state === 'CLOSED';
    });
    const parts = got.split('HTTP/1.1 ');
    expect(parts).toHaveLength(4);
    expect(parts[1]).toMatch(/^200 OK\r\n[\s\S]*Connection: keep-alive\r\n\r\nHello from tcplab: 10\.77\.0\.2:80/);
    expect(parts[2]).toMatch(/^200 OK\r\n[\s\S]*Content-Length: 10\r\nConnection: keep-alive\r\n\r\n$/);
    expect(parts[3]).toMatch(/^200 OK\r\n[\s\S]*Content-Length: 100000\r\nConnection: close\r\n\r\n/);
    expect(parts[3].split('\r\n\r\n')[1]).toHaveLength(100000);
    const bad = lab.peer!.connect(80);
    bad.write(new TextEncoder().encode('DELETE / HTTP/1.1\r\n\r\nnonsense\r\n\r\n'));
    let out = '';
    lab.runUntil(() => {
      out += drain(bad);
      return bad.state === 'CLOSE-WAIT';
    });
    expect(out).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('discard and chargen', () => {
    lab.handlers.listen({ port: 9, backlog: 16, responder: 'discard' });
    lab.handlers.listen({ port: 19, backlog: 16, responder: 'chargen' });
    const d = lab.peer!.connect(9);
    lab.runUntil(() => d.state === 'ESTABLISHED');
    d.write(new Uint8Array(100_000));
    d.close();
    lab.runUntil(() => d.state === 'TIME-WAIT' || d.state === 'CLOSED');
    expect(lab.stack.counters.get('InSegs')).toBeGreaterThan(60);
    const g = lab.peer!.connect(19);
    let got = '';
    lab.runUntil(() => (got += drain(g)).length >= 7030 * 2);
    const lines = got.split('\r\n');
    expect(lines[0]).toBe(' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg');
    expect(lines[1]).toBe(lines[0].slice(1) + 'h');
    expect(lines[95]).toBe(lines[0]);
    g.close();
    lab.runUntil(() => g.state === 'TIME-WAIT' || g.state === 'CLOSED');
  });

  it('connects to the peer ("the kernel"), sends, half-closes, reads the answer', async () => {
    const { conn } = value(await api.connect({ addr: '10.77.0.1', port: 7 }));
    expect(value(await api.snapshot()).connections.find((r) => r.id === conn)).toMatchObject({ state: 'SYN-SENT', responder: 'manual', accepted: true });
    lab.runUntil(() => lab.socket(conn).state === 'ESTABLISHED');
    expect(value(await api.send({ conn, data: 'héllo' }))).toEqual({ written: 6 });
    expect(value(await api.send({ conn, data: 'AAEC', encoding: 'base64' }))).toEqual({ written: 3 });
    value(await api.shutdown({ conn }));
    const s = lab.socket(conn);
    let got = Buffer.alloc(0);
    lab.runUntil(() => {
      for (let d = s.read(); d !== null && d.length > 0; d = s.read()) got = Buffer.concat([got, d]);
      return s.state === 'TIME-WAIT';
    });
    expect(got).toEqual(Buffer.concat([Buffer.from('héllo'), Buffer.from([0, 1, 2])]));
    expect(value(await api.snapshot()).connections.find((r) => r.id === conn)?.state).toBe('TIME-WAIT');
  });

  it('resets a connection; commands on a gone connection answer ENOCONN', async () => {
    const { conn } = value(await api.connect({ addr: '10.77.0.1', port: 7 }));
    lab.runUntil(() => lab.socket(conn).state === 'ESTABLISHED');
    value(await api.reset({ conn }));
    for (const m of ['send', 'shutdown', 'close', 'reset'] as const) {
      const r = await (api[m] as (a: unknown) => Promise<Result<unknown>>)(m === 'send' ? { conn, data: 'x' } : { conn });
      expect(r).toEqual({ ok: false, error: { code: 'ENOCONN', message: `no such connection: ${conn}`, field: 'conn' } });
    }
    expect(await api.send({ conn: 999, data: 'x' })).toMatchObject({ ok: false, error: { code: 'ENOCONN' } });
    expect(await api.connectionHistory({ conn: 999 })).toMatchObject({ ok: false, error: { code: 'ENOCONN' } });
    const hist = value(await api.connectionHistory({ conn }));
    expect(hist.events.filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && `${e.from}>${e.to}`))
      .toEqual(['CLOSED>SYN-SENT', 'SYN-SENT>ESTABLISHED', 'ESTABLISHED>CLOSED']);
  });

  it('a connection to a closed port of the peer is refused', async () => {
    const { conn } = value(await api.connect({ addr: '10.77.0.1', port: 4444 }));
    const errors: string[] = [];
    lab.socket(conn).on('error', (code) => errors.push(code));
    lab.advance(100);
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(await api.send({ conn, data: 'x' })).toMatchObject({ ok: false, error: { code: 'ENOCONN' } });
  });

  it('refuses a port in use, bad knobs and unknown listeners, naming the field', async () => {
    value(await api.listen({ port: 80 }));
    expect(await api.listen({ port: 80 })).toEqual({ ok: false, error: { code: 'EADDRINUSE', message: 'port 80 is in use', field: 'port' } });
    expect(await api.setKnob({ name: 'no_such_knob', value: 1 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'name' } });
    const before = value(await api.snapshot()).version;
    expect(await api.setKnob({ name: 'tcp_abort_on_overflow', value: 2 })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'value' } });
    expect(value(await api.snapshot()).version).toBe(before);
    expect(value(await api.setKnob({ name: 'tcp_abort_on_overflow', value: 1 }))).toEqual({ name: 'tcp_abort_on_overflow', value: 1 });
    const knobs = value(await api.getKnobs()).knobs;
    expect(knobs.find((k) => k.name === 'tcp_abort_on_overflow')).toMatchObject({ value: 1, default: 0, min: 0, max: 1, linuxName: 'net.ipv4.tcp_abort_on_overflow' });
    expect(await api.accept({ listener: 42 })).toMatchObject({ ok: false, error: { code: 'ENOLISTENER', field: 'listener' } });
    expect(await api.pauseAccept({ listener: 42 })).toMatchObject({ ok: false, error: { code: 'ENOLISTENER' } });
  });

  it('pauseAccept lets the accept queue fill; overflow is dropped (abort_on_overflow 0); resume serves them all', async () => {
    const { listener } = value(await api.listen({ port: 7, backlog: 1, responder: 'echo' }));
    value(await api.pauseAccept({ listener }));
    const clients: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      clients.push(lab.peer!.connect(7));
      lab.advance(50);
    }
    let l = value(await api.snapshot()).listeners[0];
    // backlog 1: the accept queue holds 2 (Linux: full means more than backlog); the third SYN is dropped.
    expect(l).toMatchObject({ paused: true, acceptQueue: 2, acceptQueueLimit: 2 });
    expect(clients.map((c) => c.state)).toEqual(['ESTABLISHED', 'ESTABLISHED', 'SYN-SENT']);
    expect(value(await api.snapshot()).counters.ListenOverflows).toBe(1);
    value(await api.resumeAccept({ listener }));
    l = value(await api.snapshot()).listeners[0];
    expect(l).toMatchObject({ paused: false, acceptQueue: 0 });
    // The third client's SYN is retransmitted after 1 s and served.
    lab.advance(3000);
    for (const c of clients) c.write(new TextEncoder().encode('ping'));
    const got = clients.map(() => '');
    lab.runUntil(() => clients.every((c, i) => (got[i] += drain(c)) === 'ping'), 10_000);
    expect(got).toEqual(['ping', 'ping', 'ping']);
  });

  it('accept by hand on a manual listener', async () => {
    const { listener } = value(await api.listen({ port: 5000, backlog: 4, responder: 'manual' }));
    expect(value(await api.accept({ listener }))).toEqual({ conn: null });
    const c = lab.peer!.connect(5000);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    lab.advance(5);
    const row = value(await api.snapshot()).connections.find((r) => r.localPort === 5000)!;
    expect(row).toMatchObject({ accepted: false, responder: null, listener });
    expect(value(await api.accept({ listener }))).toEqual({ conn: row.id });
    expect(value(await api.snapshot()).connections.find((r) => r.id === row.id)).toMatchObject({ accepted: true, responder: 'manual', listener: null });
    c.write(new TextEncoder().encode('abc'));
    lab.advance(50);
    expect(value(await api.snapshot()).connections.find((r) => r.id === row.id)?.recvQ).toBe(3);
    value(await api.unlisten({ listener }));
    expect(value(await api.snapshot()).listeners).toEqual([]);
  });

  it('faults: a rule drops the peer\'s first SYN; the event names the rule; the SYN is retransmitted', async () => {
    value(await api.listen({ port: 7, responder: 'echo' }));
    const { id } = value(await api.faultAdd({ rule: { dir: 'in', flags: 'S', action: 'drop' } }));
    expect(id).toBe('rule-1');
    expect(await api.faultAdd({ rule: { id: 'rule-1', action: 'drop' } })).toMatchObject({ ok: false, error: { code: 'EINVAL', field: 'rule.id' } });
    const c = lab.peer!.connect(7);
    lab.advance(500);
    expect(c.state).toBe('SYN-SENT');
    lab.runUntil(() => c.state === 'ESTABLISHED', 5000);
    const status = value(await api.faultList());
    expect(status.rules).toEqual([{ rule: { id: 'rule-1', dir: 'in', flags: 'S', action: { type: 'drop' } }, matched: 2, fired: 1 }]);
    const events = lab.history.since(0).filter((e) => e.kind === 'fault');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'fault', rule: 'rule-1', action: 'drop', dir: 'in' });
    expect(await api.faultRemove({ id: 'nope' })).toEqual({ ok: false, error: { code: 'ENOENT', message: 'no such fault rule: nope', field: 'id' } });
    value(await api.faultRemove({ id }));
    value(await api.faultRandom({ random: { seed: 1, loss: 0.1 } }));
    expect(value(await api.faultList()).random).toEqual({ seed: 1, loss: 0.1 });
    value(await api.faultRandom({ random: null }));
  });

  it('numbers lab and stack events in one gapless increasing sequence', async () => {
    value(await api.listen({ port: 7, responder: 'echo' }));
    value(await api.faultAdd({ rule: { dir: 'out', flags: 'S.', action: { type: 'delay', ms: 20 } } }));
    const c = lab.peer!.connect(7);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    value(await api.setKnob({ name: 'delack_ms', value: 50 }));
    c.write(new Uint8Array(3000));
    lab.advance(500);
    const all = lab.history.since(0);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(all.length).toBe(lab.history.lastSeq);
    expect(all.some((e) => e.kind === 'fault')).toBe(true);
    expect(all.filter((e) => e.kind === 'lab').map((e) => e.kind === 'lab' && e.topic)).toEqual(['listener', 'fault-rule', 'knob']);
    expect(value(await api.snapshot()).lastEventSeq).toBe(lab.history.lastSeq);
  });

  it('streams events (mapped seqs, lab notes included) only while subscribed', async () => {
    const client = createLocalClient(server);
    const got: LabEvent[] = [];
    const sub = value(await client.subscribeEvents({}, (m) => {
      if (m.kind === 'events') got.push(...m.events);
    }));
    value(await api.listen({ port: 7, responder: 'echo' }));
    const c = lab.peer!.connect(7);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    lab.advance(5);
    timers.advance(100);
    expect(got[0]).toMatchObject({ kind: 'lab', topic: 'listener' });
    const stored = new Map(lab.history.since(0).map((e) => [e.seq, e]));
    for (const e of got) expect(stored.get(e.seq)).toEqual(e);
    expect(got.filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && e.to)).toEqual(['SYN-RECEIVED', 'ESTABLISHED']);
    sub.close();
    expect(lab.history.subscriberCount).toBe(0);
  });

  it('segment log (newest, since, per connection), counter deltas, clear history', async () => {
    value(await api.listen({ port: 7, responder: 'echo' }));
    const c = lab.peer!.connect(7);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    lab.advance(5);
    const d0 = value(await api.counterDeltas({}));
    expect(d0.deltas).toMatchObject({ PassiveOpens: 1, InSegs: 2, OutSegs: 1 });
    lab.advance(1000);
    c.write(new TextEncoder().encode('x'));
    lab.advance(100);
    const d1 = value(await api.counterDeltas({ since: d0.at }));
    expect(d1).toMatchObject({ since: d0.at, at: d0.at + 1100 });
    expect(d1.deltas).toEqual({ InSegs: 2, OutSegs: 2, InReceives: 2, InDelivers: 2, OutRequests: 2 });
    const log = value(await api.segmentLog({}));
    expect(log.segments.map((s) => `${s.dir} ${s.segment.flags}`)).toEqual(['in S', 'out S.', 'in .', 'in P.', 'out .', 'out P.', 'in .']);
    expect(log.lastSeq).toBe(lab.history.lastSeq);
    const later = value(await api.segmentLog({ since: log.segments[2].seq }));
    expect(later.segments.map((s) => s.seq)).toEqual(log.segments.slice(3).map((s) => s.seq));
    expect(value(await api.segmentLog({ limit: 2 })).segments.map((s) => s.seq)).toEqual(log.segments.slice(-2).map((s) => s.seq));
    const conn = log.segments[0].conn!;
    expect(value(await api.segmentLog({ conn, since: log.segments[0].seq, limit: 1 })).segments[0].seq).toBe(log.segments[1].seq);
    value(await api.clearHistory());
    expect(value(await api.connectionHistory({ conn })).events).toEqual([]);
    expect(value(await api.segmentLog({})).segments).toEqual([]);
  });

  it('keeps a connection\'s state history after the global ring wrapped', async () => {
    const small = createLab({ simulated: true, clock: new ManualClock(0), seed: 5, eventRingSize: 64 });
    try {
      small.handlers.listen({ port: 7, backlog: 8, responder: 'echo' });
      const c = small.peer!.connect(7);
      small.runUntil(() => c.state === 'ESTABLISHED');
      c.write(new Uint8Array(200_000));
      let n = 0;
      small.runUntil(() => (n += drain(c).length) >= 200_000, 10_000);
      const conn = small.stack.snapshot().connections.find((r) => r.local.endsWith(':7'))!.id;
      const events = small.connectionHistory(conn);
      expect(events[0]).toMatchObject({ kind: 'state', seq: 0, from: 'CLOSED', to: 'SYN-RECEIVED' });
      expect(events[1]).toMatchObject({ kind: 'state', seq: 0, from: 'SYN-RECEIVED', to: 'ESTABLISHED' });
      expect(events.slice(2).every((e) => e.seq > 0)).toBe(true);
    } finally {
      small.close();
    }
  });

  it('records a pcap whose packets match the stack\'s counters; EBUSY while recording', async () => {
    value(await api.listen({ port: 7, responder: 'echo' }));
    const before = lab.stack.counters.all();
    value(await api.pcapStart({ maxPackets: 1000 }));
    expect(await api.pcapStart({})).toMatchObject({ ok: false, error: { code: 'EBUSY' } });
    const c = lab.peer!.connect(7);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    c.write(new Uint8Array(5000));
    c.close();
    lab.runUntil(() => c.state === 'TIME-WAIT');
    lab.advance(100);
    const after = lab.stack.counters.all();
    const stop = value(await api.pcapStop());
    expect(stop.packets).toBe(after.InSegs - before.InSegs + after.OutSegs - before.OutSegs);
    const exp = value(await api.pcapExport());
    const file = Buffer.from(exp.pcap, 'base64');
    expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(file.readUInt32LE(20)).toBe(101);
    let count = 0;
    for (let at = 24; at < file.length; at += 16 + file.readUInt32LE(at + 8)) count++;
    expect(count).toBe(stop.packets);
    expect(value(await api.snapshot()).pcap).toMatchObject({ running: false, packets: stop.packets, maxPackets: 1000 });
  });

  it('pcap with ring: false stops by itself when full', async () => {
    value(await api.listen({ port: 7, responder: 'echo' }));
    value(await api.pcapStart({ maxPackets: 3, ring: false }));
    const c = lab.peer!.connect(7);
    lab.runUntil(() => c.state === 'ESTABLISHED');
    c.write(new Uint8Array(100));
    lab.advance(100);
    expect(value(await api.snapshot()).pcap).toMatchObject({ running: false, packets: 3 });
  });

  it('answers ping from the peer', () => {
    const before = lab.stack.counters.get('OutEchoReps');
    lab.stack.input(buildEcho({ type: 8, src: addr('10.77.0.1'), dst: addr('10.77.0.2'), id: 7, seq: 1, payload: new Uint8Array(8) }));
    expect(lab.stack.counters.get('InEchos')).toBe(1);
    expect(lab.stack.counters.get('OutEchoReps')).toBe(before + 1);
  });

  it('runs, reports and stops scenarios; unknown names are refused clearly', async () => {
    expect(value(await api.scenarioList()).scenarios).toEqual([{ name: 'slow', title: 'Waits, in steps' }]);
    const r = await api.scenarioRun({ name: 'handshake' });
    expect(r).toEqual({ ok: false, error: { code: 'ENOENT', message: 'no such scenario: handshake (known: slow)', field: 'name' } });
    value(await api.scenarioRun({ name: 'slow' }));
    expect(await api.scenarioRun({ name: 'slow' })).toMatchObject({ ok: false, error: { code: 'EBUSY' } });
    await Promise.resolve();
    await Promise.resolve();
    expect(value(await api.snapshot()).scenario).toEqual({ name: 'slow', running: true, step: 'one' });
    lab.advance(1000);
    await new Promise((res) => setImmediate(res));
    expect(value(await api.snapshot()).scenario).toEqual({ name: 'slow', running: true, step: 'two' });
    value(await api.scenarioStop());
    expect(value(await api.snapshot()).scenario).toEqual({ name: 'slow', running: false, step: 'stopped', verdict: 'stopped' });
    value(await api.scenarioRun({ name: 'slow' }));
    lab.advance(1000);
    await new Promise((res) => setImmediate(res));
    lab.advance(1000);
    await new Promise((res) => setImmediate(res));
    expect(value(await api.snapshot()).scenario).toEqual({ name: 'slow', running: false, step: 'done' });
  });

  it('keeps the snapshot object while nothing changes', async () => {
    const a = lab.snapshot();
    expect(lab.snapshot()).toBe(a);
    value(await api.listen({ port: 7 }));
    const b = lab.snapshot();
    expect(b).not.toBe(a);
    expect(b.version).toBeGreaterThan(a.version);
    lab.advance(10_000);
    expect(lab.snapshot()).toBe(b);
  });
});

describe('createLab without a TUN', () => {
  it('says which device is missing and the one command that makes it', () => {
    expect(() => createLab({ device: 'tlnosuchdev0' })).toThrow(/TUN device 'tlnosuchdev0' does not exist[\s\S]*Run once: (sudo )?tcplab setup --dev tlnosuchdev0 --user \S+/);
  });

  it('names a missing namespace too', () => {
    expect(() => createLab({ device: 'tlnosuchdev0', netns: 'tl-no-such-ns' })).toThrow(/namespace 'tl-no-such-ns'[\s\S]*tcplab setup --dev tlnosuchdev0 --netns tl-no-such-ns/);
  });
});

describe('how a scenario run ends in the snapshot', () => {
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const ending = async (run: Scenario<Lab>['run']): Promise<ReturnType<Lab['snapshot']>['scenario']> => {
    const lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 3, scenarios: [{ name: 'x', title: 'x', run }] });
    try {
      lab.handlers.scenarioRun({ name: 'x' });
      await settle();
      return lab.snapshot().scenario;
    } finally {
      lab.close();
    }
  };

  it('keeps the last step (and its Chinese) of a scenario that set a verdict: it says why', async () => {
    expect(await ending(async (ctx) => {
      ctx.step('refused: needs a TUN');
      ctx.update({ stepZh: '无法运行:需要 TUN', verdict: 'refused' });
    })).toEqual({ name: 'x', running: false, step: 'refused: needs a TUN', stepZh: '无法运行:需要 TUN', verdict: 'refused' });
  });

  it("says 'done' when the scenario set no verdict, and an error when it threw without one", async () => {
    expect(await ending(async (ctx) => ctx.step('one'))).toEqual({ name: 'x', running: false, step: 'done' });
    expect(await ending(async (ctx) => {
      ctx.update({ stepZh: '一' });
      throw new Error('boom');
    })).toEqual({ name: 'x', running: false, step: 'failed: boom', stepZh: '失败:boom', verdict: 'error' });
  });
});
