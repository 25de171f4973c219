// A small deterministic Lab for the transport tests: it keeps connections, listeners, knobs,
// faults, pcap and scenario state in plain maps and emits events, so the contract suite can
// drive every method. It is a test double; the real Lab (core/lab) replaces it.
import type { HandledMethod, LabBackend, LabHandlers } from '../../../core/api/backend.ts';
import type { ArgsOf, KnobInfo } from '../../../core/api/contract.ts';
import { ApiFailure, noSuchConnection, noSuchListener } from '../../../core/api/errors.ts';
import type { LabEvent, SegmentEvent } from '../../../core/api/events.ts';
import type { TcpState } from '../../../core/api/names.ts';
import { dataByteLength } from '../../../core/api/schemas.ts';
import type { FaultStatus } from '../../../core/api/fault-schemas.ts';
import type { ConnectionRow, ListenerRow, PcapStatus, ScenarioStatus, Snapshot, TimeStatus } from '../../../core/api/snapshot.ts';
import type { Timers } from '../../../core/api/timers.ts';

type LabEventBody = LabEvent extends infer E ? (E extends LabEvent ? Omit<E, 'seq' | 'at'> : never) : never;

const KNOBS: Omit<KnobInfo, 'value'>[] = [
  { name: 'tcp_syncookies', linuxName: 'net.ipv4.tcp_syncookies', default: 1, min: 0, max: 2, doc: 'SYN cookies: 0 off, 1 when the SYN queue is full, 2 always' },
  { name: 'somaxconn', linuxName: 'net.core.somaxconn', default: 4096, min: 1, max: 65535, doc: 'accept queue limit' },
  { name: 'tcp_abort_on_overflow', linuxName: 'net.ipv4.tcp_abort_on_overflow', default: 0, min: 0, max: 1, doc: 'RST when the accept queue is full' },
  { name: 'isn_clock', default: '64ns', choices: ['64ns', '4us'], doc: 'ISN clock tick' },
];

const SCENARIOS = [{ name: 'handshake', title: 'The three-way handshake' }, { name: 'close', title: 'The four-way close' }];

const LAB_ADDR = '10.77.0.2';
const KERNEL_ADDR = '10.77.0.1';

function newRow(id: number, state: TcpState, localPort: number, remotePort: number, at: number, listener: number | null): ConnectionRow {
  return {
    id, state, local: `${LAB_ADDR}:${localPort}`, remote: `${KERNEL_ADDR}:${remotePort}`,
    localAddr: LAB_ADDR, localPort, remoteAddr: KERNEL_ADDR, remotePort, recvQ: 0, sendQ: 0,
    timer: { name: 'retransmit', deadline: at + 1000, expiresIn: 1000 },
    rto: 1000, rtt: 0, rttvar: 0, cwnd: 10, cwndBytes: 14600, ssthresh: null, mss: 1460, sndWscale: 7, rcvWscale: 7,
    sndUna: 1000, sndNxt: 1000, sndWnd: 65535, rcvNxt: 5000, rcvWnd: 65535, iss: 999, irs: 4999, retransmits: 0,
    listener, orphan: false, accepted: listener === null, responder: listener === null ? 'manual' : null,
    stateSince: at, sndBuf: 16384, rcvBuf: 131072, urgentPointer: null,
  };
}

export class FakeLab implements LabBackend {
  private version = 1;
  private changedAt = 0;
  private nextConn = 1;
  private nextListener = 1;
  private nextFault = 1;
  private nextEphemeral = 40000;
  private seq = 0;
  private readonly conns = new Map<number, ConnectionRow>();
  private readonly known = new Set<number>();         // every connection id ever used
  private readonly listeners = new Map<number, ListenerRow & { queue: number[] }>();
  private readonly knobs = new Map<string, number | string>(KNOBS.map((k) => [k.name, k.default]));
  private readonly counters: Record<string, number> = { ActiveOpens: 0, PassiveOpens: 0, InSegs: 0, OutSegs: 0, EstabResets: 0 };
  private readonly samples: { at: number; counters: Record<string, number> }[] = [{ at: 0, counters: { ActiveOpens: 0, PassiveOpens: 0, InSegs: 0, OutSegs: 0, EstabResets: 0 } }];
  private faults: FaultStatus = { rules: [], random: null, held: 0, counts: { dropped: 0, delayed: 0, duplicated: 0, corrupted: 0, reordered: 0 } };
  private pcap: PcapStatus = { running: false, packets: 0, bytes: 0, maxPackets: 0, maxBytes: 0 };
  private scenario: ScenarioStatus | null = null;
  private time: TimeStatus = { paused: false, scale: 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
  private history: LabEvent[] = [];
  private readonly subscribers = new Set<(e: LabEvent) => void>();
  private cached: Snapshot | null = null;
  snapshotsBuilt = 0;

  constructor(private readonly timers: Timers) {}

  readonly events = {
    subscribe: (cb: (e: LabEvent) => void) => {
      this.subscribers.add(cb);
      return () => { this.subscribers.delete(cb); };
    },
  };

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  snapshot(): Snapshot {
    if (this.cached !== null && this.cached.version === this.version) return this.cached;
    this.snapshotsBuilt++;
    this.cached = {
      version: this.version,
      at: this.changedAt,
      lastEventSeq: this.seq,
      info: { device: null, simulated: true, labAddr: LAB_ADDR, kernelAddr: KERNEL_ADDR, timeScale: 1 },
      connections: [...this.conns.values()].map((r) => ({ ...r })),
      listeners: [...this.listeners.values()].map(({ queue: _q, ...l }) => structuredClone(l)),
      counters: { ...this.counters },
      knobs: Object.fromEntries(this.knobs),
      faults: structuredClone(this.faults),
      pcap: { ...this.pcap },
      scenario: this.scenario && { ...this.scenario },
    };
    return this.cached;
  }

  // --- test drivers --------------------------------------------------------------------

  /** A kernel client completes a handshake to `listener`; the connection waits in its accept queue. */
  incoming(listener: number): number {
    const l = this.listeners.get(listener);
    if (!l) throw new Error(`no listener ${listener}`);
    const id = this.open('SYN-RECEIVED', l.port, this.nextEphemeral++, listener);
    this.transition(id, 'ESTABLISHED', 'rcv ACK');
    l.queue.push(id);
    l.acceptQueue = l.queue.length;
    this.counters.PassiveOpens++;
    if (!l.paused && l.responder !== 'manual') this.take(l);
    this.changed();
    return id;
  }

  /** Something visible changes (a counter moves, a queue grows). */
  churn(): void {
    this.counters.InSegs++;
    for (const r of this.conns.values()) r.recvQ = (r.recvQ + 1) % 7;
    this.changed();
  }

  /** `n` events, alternating segment and timer events, on `conn` (or no connection). */
  emitMany(n: number, conn: number | null = null): void {
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) this.segment(conn, 'in', '.', 0);
      else this.emit({ kind: 'timer', conn: conn ?? 0, timer: 'delack', action: 'set', deadline: i });
    }
  }

  // --- the handlers ----------------------------------------------------------------------

  readonly handlers: LabHandlers = {
    listen: (a) => {
      for (const l of this.listeners.values()) {
        if (l.port === a.port) throw new ApiFailure('EADDRINUSE', `port ${a.port} is in use`, 'port');
      }
      const id = this.nextListener++;
      this.listeners.set(id, {
        id, state: 'LISTEN', local: `${LAB_ADDR}:${a.port}`, localAddr: LAB_ADDR, port: a.port, backlog: a.backlog,
        acceptQueue: 0, acceptQueueLimit: a.backlog, synQueue: 0, synQueueLimit: 1024, responder: a.responder, paused: false,
        queue: [],
      });
      this.note('listener', `listening on ${a.port} (${a.responder})`);
      return { listener: id, port: a.port };
    },
    unlisten: (a) => {
      const l = this.listener(a.listener);
      for (const c of l.queue) this.drop(c, 'listener closed');
      this.listeners.delete(l.id);
      this.note('listener', `closed listener ${l.id}`);
      return {};
    },
    connect: (a) => {
      const id = this.open('SYN-SENT', a.localPort ?? this.nextEphemeral++, a.port, null);
      this.conn(id).remoteAddr = a.addr;
      this.conn(id).responder = a.responder;
      this.segment(id, 'out', 'S', 0);
      this.segment(id, 'in', 'S.', 0);
      this.transition(id, 'ESTABLISHED', 'rcv SYN-ACK');
      this.counters.ActiveOpens++;
      this.changed();
      return { conn: id };
    },
    send: (a) => {
      const r = this.conn(a.conn);
      if (r.state !== 'ESTABLISHED' && r.state !== 'CLOSE-WAIT') throw new ApiFailure('EPIPE', `connection ${a.conn} cannot send in ${r.state}`);
      const n = dataByteLength(a.data, a.encoding);
      r.sndNxt += n;
      this.segment(a.conn, 'out', 'P.', n);
      this.changed();
      return { written: n };
    },
    shutdown: (a) => this.finish(a.conn, 'user shutdown'),
    close: (a) => this.finish(a.conn, 'user close'),
    reset: (a) => {
      this.conn(a.conn);
      this.segment(a.conn, 'out', 'R', 0);
      this.transition(a.conn, 'CLOSED', 'user reset');
      this.drop(a.conn, 'reset');
      this.counters.EstabResets++;
      this.changed();
      return {};
    },
    accept: (a) => {
      const l = this.listener(a.listener);
      const id = this.take(l);
      this.changed();
      return { conn: id };
    },
    pauseAccept: (a) => this.setPaused(a.listener, true),
    resumeAccept: (a) => this.setPaused(a.listener, false),
    setKnob: (a) => {
      const spec = KNOBS.find((k) => k.name === a.name);
      if (spec === undefined) throw new ApiFailure('EINVAL', `name: unknown knob: ${a.name}`, 'name');
      const bad = spec.choices
        ? !spec.choices.includes(a.value)
        : typeof a.value !== 'number' || !Number.isInteger(a.value) || a.value < (spec.min ?? -Infinity) || a.value > (spec.max ?? Infinity);
      if (bad) {
        const range = spec.choices ? spec.choices.join(' | ') : `an integer ${spec.min}..${spec.max}`;
        throw new ApiFailure('EINVAL', `value: ${a.name} must be ${range}`, 'value');
      }
      this.knobs.set(a.name, a.value);
      this.note('knob', `${a.name} = ${a.value}`);
      return { name: a.name, value: a.value };
    },
    getKnobs: () => ({ knobs: KNOBS.map((k) => ({ ...k, value: this.knobs.get(k.name) ?? k.default })) }),
    faultAdd: (a) => {
      const id = a.rule.id ?? `rule-${this.nextFault}`;
      if (this.faults.rules.some((r) => r.rule.id === id)) throw new ApiFailure('EINVAL', `rule.id: '${id}' is taken`, 'rule.id');
      this.nextFault++;
      type Action = Exclude<typeof a.rule.action, string>;
      const action = typeof a.rule.action === 'string' ? ({ type: a.rule.action } as Action) : a.rule.action;
      this.faults.rules.push({ rule: { ...a.rule, id, action }, matched: 0, fired: 0 });
      this.note('fault-rule', `${id}: ${action.type}`);
      return { id };
    },
    faultRemove: (a) => {
      if (!this.faults.rules.some((r) => r.rule.id === a.id)) throw new ApiFailure('ENOENT', `no such fault rule: ${a.id}`, 'id');
      this.faults.rules = this.faults.rules.filter((r) => r.rule.id !== a.id);
      this.note('fault-rule', `${a.id} removed`);
      return {};
    },
    faultRandom: (a) => {
      this.faults.random = a.random;
      this.note('fault-rule', a.random ? `random faults, seed ${a.random.seed}` : 'random faults off');
      return {};
    },
    faultList: () => structuredClone(this.faults),
    pcapStart: (a) => {
      if (this.pcap.running) throw new ApiFailure('EBUSY', 'pcap is already recording');
      this.pcap = { running: true, packets: 0, bytes: 0, maxPackets: a.maxPackets, maxBytes: a.maxBytes };
      this.note('pcap', 'recording');
      return {};
    },
    pcapStop: () => {
      this.pcap = { ...this.pcap, running: false };
      this.note('pcap', 'stopped');
      return { packets: this.pcap.packets, bytes: this.pcap.bytes };
    },
    pcapExport: () => {
      const header = Buffer.alloc(24);
      header.writeUInt32LE(0xa1b2c3d4, 0);
      header.writeUInt16LE(2, 4);
      header.writeUInt16LE(4, 6);
      header.writeUInt32LE(262144, 16);
      header.writeUInt32LE(101, 20); // LINKTYPE_RAW
      return { pcap: header.toString('base64'), packets: 0, bytes: 24 };
    },
    scenarioList: () => ({ scenarios: SCENARIOS.map((s) => ({ ...s })) }),
    scenarioRun: (a) => {
      if (!SCENARIOS.some((s) => s.name === a.name)) throw new ApiFailure('ENOENT', `no such scenario: ${a.name}`, 'name');
      if (this.scenario?.running) throw new ApiFailure('EBUSY', `scenario ${this.scenario.name} is running`);
      this.scenario = { name: a.name, running: true, step: 'start' };
      this.note('scenario', `${a.name} started`);
      return {};
    },
    scenarioStop: () => {
      if (this.scenario) this.scenario = { ...this.scenario, running: false, step: 'stopped' };
      this.note('scenario', 'stopped');
      return {};
    },
    clearHistory: () => {
      this.history = [];
      this.changed();
      return {};
    },
    // Time control (issue 8): the fake only records pause and scale.
    timeControl: (a) => {
      if (a.paused !== undefined) this.time.paused = a.paused;
      if (a.scale !== undefined) this.time.scale = a.scale;
      if (a.slowMotionMs !== undefined) this.time.slowMotionMs = a.slowMotionMs;
      this.changed();
      return { ...this.time };
    },
    timeStep: () => {
      if (!this.time.paused) throw new ApiFailure('EINVAL', 'the lab is not paused: pause it first (time pause)');
      return { ...this.time, stepped: 0 };
    },
    connectionHistory: (a) => {
      if (!this.known.has(a.conn)) throw noSuchConnection(a.conn);
      return { conn: a.conn, events: this.history.filter((e) => 'conn' in e && e.conn === a.conn).slice(-a.limit) };
    },
    segmentLog: (a) => {
      const segs = this.history.filter((e): e is SegmentEvent =>
        e.kind === 'segment' && (a.conn === undefined || e.conn === a.conn) && (a.since === undefined || e.seq > a.since));
      return { segments: segs.slice(-a.limit), lastSeq: this.seq };
    },
    counterDeltas: (a) => {
      const since = a.since ?? 0;
      let base = this.samples[0];
      for (const s of this.samples) if (s.at <= since) base = s;
      const deltas: Record<string, number> = {};
      for (const [k, v] of Object.entries(this.counters)) {
        const d = v - (base.counters[k] ?? 0);
        if (d !== 0) deltas[k] = d;
      }
      const at = this.timers.now();
      this.samples.push({ at, counters: { ...this.counters } });
      if (this.samples.length > 64) this.samples.splice(1, 1);
      return { since: base.at, at, deltas };
    },
  } satisfies { [M in HandledMethod]: (a: ArgsOf<M>) => unknown };

  // --- internals -------------------------------------------------------------------------

  private changed(): void {
    this.version++;
    this.changedAt = this.timers.now();
  }

  private emit(body: LabEventBody): void {
    const e = { ...body, seq: ++this.seq, at: this.timers.now() } as LabEvent;
    this.history.push(e);
    if (this.history.length > 10_000) this.history.shift();
    this.version++;
    for (const cb of this.subscribers) cb(e);
  }

  private note(topic: 'knob' | 'pcap' | 'scenario' | 'history' | 'fault-rule' | 'listener', message: string): void {
    this.emit({ kind: 'lab', topic, message });
    this.changed();
  }

  private segment(conn: number | null, dir: 'in' | 'out', flags: string, len: number): void {
    const r = conn === null ? undefined : this.conns.get(conn);
    const [src, dst] = dir === 'in' ? [KERNEL_ADDR, LAB_ADDR] : [LAB_ADDR, KERNEL_ADDR];
    const [srcPort, dstPort] = r ? (dir === 'in' ? [r.remotePort, r.localPort] : [r.localPort, r.remotePort]) : [40000, 80];
    const text = `${src}.${srcPort} > ${dst}.${dstPort}: Flags [${flags}], length ${len}`;
    this.emit({ kind: 'segment', conn, dir, verdict: 'accepted', ...(r ? { state: r.state } : {}),
      segment: { src, srcPort, dst, dstPort, flags, seq: 1, ack: flags.includes('.') ? 1 : null, win: 65535, len, options: '', text } });
    this.counters[dir === 'in' ? 'InSegs' : 'OutSegs']++;
  }

  private open(state: TcpState, localPort: number, remotePort: number, listener: number | null): number {
    const id = this.nextConn++;
    this.conns.set(id, newRow(id, state, localPort, remotePort, this.timers.now(), listener));
    this.known.add(id);
    this.emit({ kind: 'state', conn: id, from: listener === null ? 'CLOSED' : 'LISTEN', to: state, cause: listener === null ? 'user connect' : 'rcv SYN' });
    this.changed();
    return id;
  }

  private transition(id: number, to: TcpState, cause: string): void {
    const r = this.conn(id);
    const from = r.state;
    r.state = to;
    this.emit({ kind: 'state', conn: id, from, to, cause });
  }

  private conn(id: number): ConnectionRow {
    const r = this.conns.get(id);
    if (r === undefined) throw noSuchConnection(id);
    return r;
  }

  private listener(id: number): ListenerRow & { queue: number[] } {
    const l = this.listeners.get(id);
    if (l === undefined) throw noSuchListener(id);
    return l;
  }

  private take(l: ListenerRow & { queue: number[] }): number | null {
    const id = l.queue.shift() ?? null;
    l.acceptQueue = l.queue.length;
    if (id !== null) {
      this.conn(id).accepted = true;
      this.conn(id).responder = l.responder;
      this.emit({ kind: 'queue', listener: l.id, port: l.port, queue: 'accept', op: 'remove', length: l.acceptQueue, limit: l.acceptQueueLimit, conn: id });
    }
    return id;
  }

  private setPaused(listener: number, paused: boolean): Record<string, never> {
    this.listener(listener).paused = paused;
    this.note('listener', `${paused ? 'paused' : 'resumed'} accepting on listener ${listener}`);
    return {};
  }

  private finish(id: number, cause: string): Record<string, never> {
    const r = this.conn(id);
    if (r.state === 'ESTABLISHED') {
      this.segment(id, 'out', 'F.', 0);
      this.transition(id, 'FIN-WAIT-1', cause);
    } else if (r.state === 'CLOSE-WAIT') {
      this.segment(id, 'out', 'F.', 0);
      this.transition(id, 'LAST-ACK', cause);
    }
    this.changed();
    return {};
  }

  private drop(id: number, why: string): void {
    this.conns.delete(id);
    this.emit({ kind: 'drop', reason: why, detail: `connection ${id}` });
  }
}
