// The Lab: one stack on one link (a TUN whose other side is the kernel, or a simulated wire
// with a peer stack), a clock (real, or manual in tests) and the runtime that drives the
// stack's timers, a fault injector and a pcap tap between the stack and the link, responders
// that serve connections by themselves, a bounded event history, counter samples and the
// scenario hooks. It implements LabBackend (core/api/backend.ts), so LabServer serves it over
// every transport.
//
//   stack ── TimeGate ── FaultInjector ── CaptureTap (pcap) ── link (Tun | MemoryWire end)
//
// Time: the lab's clock is a LabTime (lab-time.ts) on real time, or a ManualClock in tests.
// Every lab-side deadline (the stack's timers, fault holds, scenario waits) runs on it, so the
// lab side can be paused (the TimeGate holds arriving packets), single-stepped, slowed down
// or sped up, while the kernel goes on in real time.
//
// Handlers refuse a call by throwing ApiFailure and change nothing when they do.
import type { LabBackend, LabHandlers } from '../api/backend.ts';
import type { ArgsOf, KnobInfo } from '../api/contract.ts';
import { ApiFailure, noSuchConnection, noSuchListener } from '../api/errors.ts';
import type { LabEvent } from '../api/events.ts';
import type { FaultStatus } from '../api/fault-schemas.ts';
import type { Responder } from '../api/names.ts';
import type {
  ConnectionRow, LabInfo, ListenerRow, ScenarioStatus, Snapshot, TimeStatus,
} from '../api/snapshot.ts';
import { FaultInjector } from '../link/fault-injector.ts';
import type { Link } from '../link/link.ts';
import type { Scheduler } from '../link/timing.ts';
import type { Clock, ManualClock } from '../stack/clock.ts';
import type { Schedulable } from '../stack/runtime.ts';
import { earliestDeadline, ManualRuntime, Runtime } from '../stack/runtime.ts';
import type { HistoryEntry } from '../stack/snapshot.ts';
import { Stack, type Listener, type Socket } from '../stack/stack.ts';
import { parseAddress } from '../wire/ipv4.ts';
import { CaptureTap } from './capture.ts';
import { CounterHistory, type CounterDeltas } from './counter-history.ts';
import { apiFailureFromStack } from './errors.ts';
import { LabHistory, type LabEventBody } from './history.ts';
import { attachResponder, RESPONDER_DEFAULTS, type ResponderOptions } from './responders/index.ts';
import { ClockScheduler } from './scheduler.ts';
import { LabTime, MAX_SCALE, MIN_SCALE } from './lab-time.ts';
import { TimeGate } from './time-gate.ts';
import { ScenarioRegistry, type Scenario, type ScenarioContext } from './scenarios.ts';
import type { SimulatedPeer } from './simulated-peer.ts';

export interface LabParts {
  stack: Stack;
  /** The device side: the TUN, or the lab's end of the memory wire. */
  link: Link;
  clock: Clock;
  /** Set when time is manual (tests): the lab then never arms a real timer. */
  manualClock: ManualClock | null;
  info: LabInfo;
  /** The network namespace holding the kernel side (kernel tools run there), or null. */
  netns?: string | null;
  /** Other things with deadlines the runtime drives (the memory wire, the peer's stack). */
  parts?: Schedulable[];
  peer?: SimulatedPeer | null;
  scenarios?: readonly Scenario<Lab>[];
  responder?: ResponderOptions;
  /** Lab events (faults, notes) kept (default 4096). */
  labEventCapacity?: number;
  /** Run when the lab closes (after the link is closed). */
  onClose?: () => void;
}

interface LabListener {
  listener: Listener;
  port: number;
  responder: Responder;
  paused: boolean;
}

interface LabConnection {
  responder: Responder | null;
  accepted: boolean;
  tuple: number;
}

/** Time control as the snapshot shows it (info.time) and timeControl/timeStep answer. */
export type { TimeStatus };

interface RunningScenario {
  name: string;
  abort: AbortController;
}

/** Splits '10.77.0.2:80'. */
function splitEndpoint(s: string): { addr: string; port: number } {
  const i = s.lastIndexOf(':');
  return { addr: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

const tupleKey = (remotePort: number, localPort: number): number => remotePort * 65536 + localPort;

/** 'IP 10.77.0.1.40000 > 10.77.0.2.80: ...' -> the two ports (src, dst), or null. */
function summaryPorts(summary: string): [number, number] | null {
  const m = /^IP \d+\.\d+\.\d+\.\d+\.(\d+) > \d+\.\d+\.\d+\.\d+\.(\d+):/.exec(summary);
  return m === null ? null : [Number(m[1]), Number(m[2])];
}

export class Lab implements LabBackend {
  readonly stack: Stack;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly capture: CaptureTap;
  readonly history: LabHistory;
  readonly scenarios: ScenarioRegistry<Lab>;
  /** The simulated wire's peer ("the kernel"), or null on a real TUN. */
  readonly peer: SimulatedPeer | null;
  readonly info: LabInfo;
  /** The network namespace holding the kernel side (run curl, nc, python, hping3 there), or null. */
  readonly netns: string | null;
  private readonly link: Link;
  private readonly manualClock: ManualClock | null;
  private readonly manualRuntime: ManualRuntime | null;
  private readonly runtime: Runtime | null;
  private readonly scheduler: Scheduler & Partial<Schedulable>;
  private readonly counterHistory: CounterHistory;
  private readonly responderOpts: ResponderOptions;
  private readonly listeners = new Map<number, LabListener>();
  private readonly conns = new Map<number, LabConnection>();
  private readonly byTuple = new Map<number, number>();
  private scenarioStatus: ScenarioStatus | null = null;
  private running: RunningScenario | null = null;
  private version = 1;
  private cache: { key: string; snapshot: Snapshot } | null = null;
  private closed = false;
  private readonly onClose: (() => void) | null;
  /** The lab's clock when it runs on real time (scale, pause), else null (a manual clock). */
  readonly time: LabTime | null;
  private readonly gate: TimeGate;
  private readonly deadlines: Schedulable[];
  private slowMotion: { ms: number; timer: ReturnType<typeof setInterval> } | null = null;

  constructor(parts: LabParts) {
    this.stack = parts.stack;
    this.clock = parts.clock;
    this.link = parts.link;
    this.info = parts.info;
    this.netns = parts.netns ?? null;
    this.peer = parts.peer ?? null;
    this.manualClock = parts.manualClock;
    this.onClose = parts.onClose ?? null;
    this.responderOpts = parts.responder ?? RESPONDER_DEFAULTS;
    this.time = this.clock instanceof LabTime ? this.clock : null;
    // Lab-time deadlines besides the stack's (fault holds, scenario waits), driven with the stack's.
    const clockScheduler = new ClockScheduler(this.clock);
    this.scheduler = this.manualClock !== null ? clockScheduler : {
      now: () => clockScheduler.now(),
      schedule: (at, fn) => {
        const cancel = clockScheduler.schedule(at, fn);
        this.kick();
        return cancel;
      },
    };
    this.capture = new CaptureTap(this.link, this.clock);
    this.faults = new FaultInjector(this.capture, { scheduler: this.scheduler });
    this.gate = new TimeGate(this.faults, this.clock, undefined, () => this.touch());
    this.history = new LabHistory(this.stack.events, parts.labEventCapacity ?? 4096);
    this.counterHistory = new CounterHistory(() => this.stack.counters.all());
    this.counterHistory.sample(this.clock.now());
    this.scenarios = new ScenarioRegistry<Lab>(parts.scenarios ?? []);
    this.faults.onFault((e) => {
      const ports = summaryPorts(e.summary);
      let conn: number | null = null;
      if (ports !== null) {
        const [src, dst] = ports;
        conn = this.byTuple.get(e.dir === 'in' ? tupleKey(src, dst) : tupleKey(dst, src)) ?? null;
      }
      this.history.add({ kind: 'fault', at: e.at, rule: e.rule, action: e.action, dir: e.dir, summary: e.summary, conn });
    });
    this.deadlines = [clockScheduler, this.stack, ...(parts.parts ?? [])];
    if (this.manualClock !== null) {
      this.manualRuntime = new ManualRuntime(this.manualClock, this.deadlines);
      this.runtime = null;
    } else {
      this.manualRuntime = null;
      this.runtime = new Runtime(this.deadlines, this.clock, this.time?.timers);
      // A new scale or a pause changes every real delay: re-arm.
      this.time?.onChange(() => {
        this.runtime?.stop();
        if (!this.closed) this.runtime?.start();
      });
    }
    this.stack.onAfterBatch(() => this.afterBatch());
    this.stack.attach(this.gate);
    this.runtime?.start();
  }

  /** Re-arm the real timer for the earliest deadline (after work outside the lab's own stack). */
  kick(): void {
    this.runtime?.kick();
  }

  private afterBatch(): void {
    this.runtime?.kick();
    this.counterHistory.tick(this.clock.now());
  }

  /** Something the snapshot shows changed without a stack event (a user call, a lab setting). */
  private touch(): void {
    this.version++;
  }

  private note(topic: Extract<LabEvent, { kind: 'lab' }>['topic'], message: string, conn: number | null = null): void {
    const body: LabEventBody = { kind: 'lab', at: this.clock.now(), topic, message, ...(conn !== null ? { conn } : {}) };
    this.history.add(body);
    this.touch();
  }

  // ---- time (tests drive a manual clock) ------------------------------------------------

  private manual(): ManualRuntime {
    if (this.manualRuntime === null) throw new Error('this lab runs on real time; advance() needs createLab({ clock: new ManualClock() })');
    return this.manualRuntime;
  }

  /** Manual time: move the clock by `ms`, running every deadline on the way. */
  advance(ms: number): void {
    this.manual().advance(ms);
  }

  /** Manual time: run until `pred()` holds or `maxMs` of lab time pass. */
  runUntil(pred: () => boolean, maxMs = 60_000): boolean {
    return this.manual().runUntil(pred, maxMs);
  }

  /** Run `fn` after `ms` of lab time (scaled and paused with it, or the manual clock). Returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    return this.scheduler.schedule(this.clock.now() + ms, fn);
  }

  // ---- time control: pause, single step, slow motion, scale -------------------------------

  timeStatus(): TimeStatus {
    const d = this.nextDeadline();
    return {
      paused: this.gate.isHolding,
      scale: this.time?.scale ?? 1,
      slowMotionMs: this.slowMotion?.ms ?? null,
      held: this.gate.held,
      next: this.gate.peek(16),
      droppedAtGate: this.gate.dropped,
      nextTimerIn: d === null ? null : Math.max(0, d - this.clock.now()),
      realTime: this.time !== null,
    };
  }

  /**
   * Pause (the gate holds packets from the wire, lab time stands still), resume (the stack
   * takes everything held), slow motion (paused, one step every slowMotionMs real ms; null
   * stops it) and the scale of lab time. Refused with EINVAL, changing nothing, when a value is bad.
   */
  setTime(a: { paused?: boolean; scale?: number; slowMotionMs?: number | null }): TimeStatus {
    if (a.scale !== undefined) {
      if (this.time === null && a.scale !== 1) throw new ApiFailure('EINVAL', 'scale: this lab runs on a manual clock (tests): the test moves time', 'scale');
      if (!Number.isFinite(a.scale) || a.scale < MIN_SCALE || a.scale > MAX_SCALE) throw new ApiFailure('EINVAL', `scale: must be from ${MIN_SCALE} to ${MAX_SCALE}`, 'scale');
    }
    if (a.slowMotionMs !== undefined && a.slowMotionMs !== null && !(a.slowMotionMs >= 10 && a.slowMotionMs <= 60_000)) {
      throw new ApiFailure('EINVAL', 'slowMotionMs: must be from 10 to 60000 ms, or null', 'slowMotionMs');
    }
    if (a.scale !== undefined && this.time !== null && a.scale !== this.time.scale) {
      this.time.setScale(a.scale);
      this.info.timeScale = a.scale;
      this.note('time', a.scale === 1 ? 'time: lab time runs at real speed again' : `time: lab time runs x${a.scale} (the lab's timers only; the kernel runs in real time)`);
    }
    if (a.slowMotionMs !== undefined) this.setSlowMotion(a.slowMotionMs);
    if (a.paused === true || (a.slowMotionMs !== undefined && a.slowMotionMs !== null)) this.pause();
    if (a.paused === false) {
      this.setSlowMotion(null);
      this.resume();
    }
    this.touch();
    return this.timeStatus();
  }

  /** While paused: the next thing the lab side would do (the oldest held packet, else the next deadline), `count` times. */
  timeStep(count = 1): TimeStatus & { stepped: number } {
    if (!this.gate.isHolding) throw new ApiFailure('EINVAL', 'the lab is not paused: pause it first (time pause)');
    let stepped = 0;
    for (let i = 0; i < count; i++) {
      if (!this.stepOnce()) break;
      stepped++;
    }
    this.touch();
    return { ...this.timeStatus(), stepped };
  }

  private pause(): void {
    if (this.gate.isHolding) return;
    this.time?.pause();
    this.gate.hold(true);
    this.note('time', 'time: paused (packets from the wire wait at the gate; lab timers stand still; the kernel runs on)');
  }

  private resume(): void {
    if (!this.gate.isHolding) return;
    const held = this.gate.held;
    this.gate.hold(false);
    this.time?.resume();
    this.kick();
    this.note('time', `time: resumed${held > 0 ? ` (the stack took the ${held} packets held)` : ''}`);
  }

  private setSlowMotion(ms: number | null): void {
    if (this.slowMotion !== null) clearInterval(this.slowMotion.timer);
    this.slowMotion = null;
    if (ms === null) return;
    const timer = setInterval(() => {
      if (this.gate.isHolding) {
        this.stepOnce();
        this.touch();
      }
    }, ms);
    this.slowMotion = { ms, timer };
  }

  private nextDeadline(): number | null {
    return earliestDeadline(this.deadlines);
  }

  /** One step: the oldest held packet, else lab time jumps to the next deadline and runs it. */
  private stepOnce(): boolean {
    if (this.gate.step(1) > 0) return true;
    const d = this.nextDeadline();
    if (d === null) return false;
    if (this.manualRuntime !== null) {
      this.manualRuntime.runUntilTime(Math.max(d, this.clock.now()));
      return true;
    }
    this.time?.jumpTo(d);
    for (let round = 0; round < 1000; round++) {
      const now = this.clock.now();
      const due = this.deadlines.filter((p) => {
        const x = p.nextDeadline();
        return x !== null && x <= now;
      });
      if (due.length === 0) break;
      for (const p of due) p.runTimers();
    }
    return true;
  }

  // ---- LabBackend -----------------------------------------------------------------------

  readonly events = {
    subscribe: (cb: (e: LabEvent) => void): (() => void) => this.history.subscribe(cb),
  };

  /** The lab's time now (a snapshot's `at` is that of its last change). */
  labTime(): number {
    return this.clock.now();
  }

  snapshot(): Snapshot {
    const key = `${this.history.lastSeq}:${this.version}`;
    if (this.cache !== null && this.cache.key === key) return this.cache.snapshot;
    const s = this.stack.snapshot();
    const connections: ConnectionRow[] = s.connections.map((r) => {
      const l = splitEndpoint(r.local);
      const rem = splitEndpoint(r.remote);
      const c = this.conns.get(r.id);
      return {
        ...r, localAddr: l.addr, localPort: l.port, remoteAddr: rem.addr, remotePort: rem.port,
        accepted: c?.accepted ?? false, responder: c?.responder ?? null,
      };
    });
    const listeners: ListenerRow[] = [];
    for (const r of s.listeners) {
      const ll = this.listeners.get(r.id);
      const l = splitEndpoint(r.local);
      listeners.push({ ...r, localAddr: l.addr, port: l.port, responder: ll?.responder ?? 'manual', paused: ll?.paused ?? false });
    }
    const snapshot: Snapshot = {
      version: this.version + this.history.lastSeq,
      at: s.at,
      lastEventSeq: this.history.lastSeq,
      info: { ...this.info, netns: this.netns, time: this.timeStatus() },
      connections,
      listeners,
      counters: s.counters,
      knobs: s.knobs,
      faults: this.faults.status() as FaultStatus,
      pcap: this.capture.status(),
      scenario: this.scenarioStatus === null ? null : { ...this.scenarioStatus },
    };
    this.cache = { key, snapshot };
    return snapshot;
  }

  readonly handlers: LabHandlers = {
    listen: (a) => this.listen(a),
    unlisten: (a) => {
      const l = this.labListener(a.listener);
      l.listener.close();
      this.listeners.delete(a.listener);
      this.note('listener', `closed listener ${a.listener} on port ${l.port}`);
      return {};
    },
    connect: (a) => this.connect(a),
    send: (a) => {
      const sock = this.socket(a.conn);
      const bytes = a.encoding === 'base64' ? Buffer.from(a.data, 'base64') : Buffer.from(a.data, 'utf8');
      const written = this.stackCall(() => sock.write(bytes));
      this.touch();
      return { written };
    },
    shutdown: (a) => {
      const sock = this.socket(a.conn);
      this.stackCall(() => sock.shutdown());
      this.touch();
      return {};
    },
    close: (a) => {
      const sock = this.socket(a.conn);
      this.stackCall(() => sock.close());
      this.touch();
      return {};
    },
    reset: (a) => {
      const sock = this.socket(a.conn);
      this.stackCall(() => sock.abort());
      this.touch();
      return {};
    },
    accept: (a) => {
      const l = this.labListener(a.listener);
      const sock = l.listener.accept();
      if (sock === null) return { conn: null };
      this.adopt(sock, l.responder, true);
      this.touch();
      return { conn: sock.id };
    },
    pauseAccept: (a) => {
      const l = this.labListener(a.listener);
      if (!l.paused) {
        l.paused = true;
        this.note('listener', `accepting paused on port ${l.port}: its accept queue fills`);
      }
      return {};
    },
    resumeAccept: (a) => {
      const l = this.labListener(a.listener);
      if (l.paused) {
        l.paused = false;
        this.note('listener', `accepting resumed on port ${l.port}`);
        this.drainAcceptQueue(l);
      }
      return {};
    },
    setKnob: (a) => {
      const known = Stack.KNOBS.some((k) => k.name === a.name);
      if (!known) throw new ApiFailure('EINVAL', `name: unknown knob '${a.name}'`, 'name');
      const r = this.stack.setKnob(a.name, a.value);
      if (!r.ok) throw new ApiFailure('EINVAL', `value: ${r.error}`, 'value');
      this.note('knob', `${a.name} = ${a.value}`);
      return { name: a.name, value: this.stack.getKnobs()[a.name] };
    },
    getKnobs: () => ({ knobs: this.knobInfo() }),
    faultAdd: (a) => {
      const r = this.faults.addRule(a.rule);
      if (!r.ok) {
        const field = /^bad fault rule: ([A-Za-z.]+):/.exec(r.error)?.[1];
        throw new ApiFailure('EINVAL', r.error, field !== undefined ? `rule.${field}` : 'rule');
      }
      this.note('fault-rule', `added fault rule ${r.id}`);
      return { id: r.id };
    },
    faultRemove: (a) => {
      if (!this.faults.removeRule(a.id)) throw new ApiFailure('ENOENT', `no such fault rule: ${a.id}`, 'id');
      this.note('fault-rule', `removed fault rule ${a.id}`);
      return {};
    },
    faultRandom: (a) => {
      const r = this.faults.setRandom(a.random);
      if (!r.ok) throw new ApiFailure('EINVAL', r.error, 'random');
      this.note('fault-rule', a.random === null ? 'random faults off' : `random faults: ${JSON.stringify(a.random)}`);
      return {};
    },
    faultList: () => this.faults.status() as FaultStatus,
    pcapStart: (a) => {
      if (this.capture.running) throw new ApiFailure('EBUSY', 'a pcap recording is running; stop it first');
      this.capture.start({ maxPackets: a.maxPackets, maxBytes: a.maxBytes, snaplen: a.snaplen, ring: a.ring });
      this.note('pcap', `recording started (at most ${a.maxPackets} packets, ${a.maxBytes} bytes, ${a.ring ? 'keeping the newest' : 'stopping when full'})`);
      return {};
    },
    pcapStop: () => {
      this.capture.stop();
      const s = this.capture.status();
      this.note('pcap', `recording stopped: ${s.packets} packets, ${s.bytes} bytes`);
      return { packets: s.packets, bytes: s.bytes };
    },
    pcapExport: () => {
      const s = this.capture.status();
      return { pcap: Buffer.from(this.capture.recorder.toPcap()).toString('base64'), packets: s.packets, bytes: s.bytes };
    },
    scenarioList: () => ({ scenarios: this.scenarios.list() }),
    scenarioRun: (a) => this.runScenario(a.name),
    scenarioStop: () => {
      if (this.running !== null) {
        this.running.abort.abort(new Error('stopped'));
        this.running = null;
        const st = this.scenarioStatus;
        if (st !== null) this.scenarioStatus = { ...st, running: false, step: 'stopped', verdict: 'stopped', ...(st.stepZh !== undefined ? { stepZh: '已停止' } : {}) };
        this.note('scenario', 'stopped');
      }
      return {};
    },
    timeControl: (a) => this.setTime(a),
    timeStep: (a) => this.timeStep(a.count),
    clearHistory: () => {
      this.history.clear(this.clock.now());
      this.note('history', 'history cleared');
      return {};
    },
    connectionHistory: (a) => ({ conn: a.conn, events: this.connectionHistory(a.conn, a.limit) }),
    segmentLog: (a) => ({
      segments: this.history.segments({ conn: a.conn, since: a.since, limit: a.limit }),
      lastSeq: this.history.lastSeq,
    }),
    counterDeltas: (a) => this.counterDeltas(a.since),
  };

  // ---- handlers' work -----------------------------------------------------------------------

  private listen(a: ArgsOf<'listen'>): { listener: number; port: number } {
    let listener: Listener;
    try {
      listener = this.stack.listen(a.port, a.backlog);
    } catch (err) {
      throw apiFailureFromStack(err, 'port', (code) => (code === 'EADDRINUSE' ? `port ${a.port} is in use` : null));
    }
    const l: LabListener = { listener, port: a.port, responder: a.responder, paused: false };
    this.listeners.set(listener.id, l);
    listener.onAcceptable(() => {
      if (!l.paused && l.responder !== 'manual') this.drainAcceptQueue(l);
    });
    this.note('listener', `listening on port ${a.port} (backlog ${a.backlog}, responder ${a.responder})`);
    return { listener: listener.id, port: a.port };
  }

  private connect(a: ArgsOf<'connect'>): { conn: number } {
    const addr = parseAddress(a.addr);
    if (addr === null) throw new ApiFailure('EINVAL', 'addr: must be a dotted IPv4 address like 10.77.0.1', 'addr');
    let sock: Socket;
    try {
      sock = this.stack.connect(addr, a.port, a.localPort !== undefined ? { localPort: a.localPort } : {});
    } catch (err) {
      throw apiFailureFromStack(err, a.localPort !== undefined ? 'localPort' : 'port');
    }
    this.adopt(sock, a.responder, true);
    this.touch();
    return { conn: sock.id };
  }

  private drainAcceptQueue(l: LabListener): void {
    if (l.responder === 'manual') return;
    for (let s = l.listener.accept(); s !== null; s = l.listener.accept()) this.adopt(s, l.responder, true);
  }

  /** The lab takes a connection: it remembers it (until it closes) and hands it to a responder. */
  private adopt(sock: Socket, responder: Responder, accepted: boolean): void {
    const id = sock.id;
    const tuple = tupleKey(sock.remotePort, sock.localPort);
    this.conns.set(id, { responder, accepted, tuple });
    this.byTuple.set(tuple, id);
    sock.on('close', () => {
      const c = this.conns.get(id);
      this.conns.delete(id);
      if (c !== undefined && this.byTuple.get(c.tuple) === id) this.byTuple.delete(c.tuple);
    });
    attachResponder(sock, responder, this.responderOpts);
  }

  private labListener(id: number): LabListener {
    const l = this.listeners.get(id);
    if (l === undefined) throw noSuchListener(id);
    return l;
  }

  /** A live connection, or ENOCONN (ids are never reused, so a gone one is never another). */
  socket(id: number): Socket {
    const s = this.stack.connection(id);
    if (s === undefined || s.state === 'CLOSED') throw noSuchConnection(id);
    return s;
  }

  private stackCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw apiFailureFromStack(err, 'conn');
    }
  }

  private knobInfo(): KnobInfo[] {
    const values = this.stack.getKnobs();
    return Stack.KNOBS.map((k) => ({
      name: k.name, value: values[k.name], default: k.default, doc: k.doc,
      ...(k.linuxName !== undefined ? { linuxName: k.linuxName } : {}),
      ...(k.min !== undefined ? { min: k.min } : {}),
      ...(k.max !== undefined ? { max: k.max } : {}),
      ...(k.choices !== undefined ? { choices: k.choices } : {}),
      ...(k.unit !== undefined ? { unit: k.unit } : {}),
    }));
  }

  private counterDeltas(since: number | undefined): CounterDeltas {
    return this.counterHistory.deltas(since, this.clock.now());
  }

  /**
   * One connection's events, oldest first: what the global rings still hold, preceded by its
   * state changes from the connection's own compact history when the global ring has already
   * forgotten them (those carry seq 0: they are older than every event still held).
   */
  connectionHistory(conn: number, limit = 1000): LabEvent[] {
    const held = this.history.forConnection(conn);
    const compact = this.stack.history(conn);
    if (held.length === 0 && compact.length === 0 && this.stack.connection(conn) === undefined) throw noSuchConnection(conn);
    const recent = held.slice(-limit);
    const hasOpen = recent.some((e) => e.kind === 'state' && e.from === 'CLOSED');
    const older = hasOpen ? [] : this.olderStates(conn, compact, recent);
    return [...older, ...recent];
  }

  private olderStates(conn: number, compact: HistoryEntry[], recent: LabEvent[]): LabEvent[] {
    const firstAt = recent.length > 0 ? recent[0].at : Infinity;
    const seen = new Set(recent.filter((e) => e.kind === 'state').map((e) => `${e.at}:${(e as { to: string }).to}`));
    const out: LabEvent[] = [];
    let from: HistoryEntry['state'] = 'CLOSED';
    for (const h of compact) {
      if (h.at <= firstAt && h.at > this.history.clearedAt && !seen.has(`${h.at}:${h.state}`)) {
        out.push({ kind: 'state', seq: 0, at: h.at, conn, from, to: h.state, cause: h.cause });
      }
      from = h.state;
    }
    return out;
  }

  // ---- scenarios ----------------------------------------------------------------------------

  private runScenario(name: string): Record<string, never> {
    const s = this.scenarios.get(name);
    if (s === undefined) {
      const known = this.scenarios.list().map((x) => x.name);
      throw new ApiFailure('ENOENT', `no such scenario: ${name}${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (none are installed yet)'}`, 'name');
    }
    if (this.running !== null) throw new ApiFailure('EBUSY', `scenario ${this.running.name} is running; stop it first`);
    const abort = new AbortController();
    const run: RunningScenario = { name, abort };
    this.running = run;
    this.scenarioStatus = { name, running: true, step: 'start' };
    // (the status keeps what ctx.update() added until the next scenario starts)
    this.note('scenario', `${name} started: ${s.title}`);
    const ctx: ScenarioContext<Lab> = {
      lab: this,
      signal: abort.signal,
      step: (text) => {
        if (this.running !== run || this.scenarioStatus === null) return;
        this.scenarioStatus = { ...this.scenarioStatus, running: true, step: text };
        this.note('scenario', `${name}: ${text}`);
      },
      update: (patch) => {
        if (this.running !== run || this.scenarioStatus === null) return;
        this.scenarioStatus = { ...this.scenarioStatus, ...patch, name, running: true };
        this.touch();
      },
      sleep: (ms) => new Promise<void>((resolve, reject) => {
        if (abort.signal.aborted) return reject(abort.signal.reason as Error);
        const cancel = this.after(ms, resolve);
        abort.signal.addEventListener('abort', () => {
          cancel();
          reject(abort.signal.reason as Error);
        }, { once: true });
      }),
    };
    // The end note ('done' / 'failed: ...') is always made: followers (scenario run --wait) wait for it.
    const finished = (step: string, failed: boolean): void => {
      if (this.running !== run) return;
      this.running = null;
      const st = this.scenarioStatus ?? { name, running: false, step };
      if ((st.verdict ?? null) !== null) {
        // The scenario said how it ended, and its last step says why (its result, or why it was
        // refused): keep that step, in both languages.
        this.scenarioStatus = { ...st, name, running: false };
      } else {
        // It said nothing: 'done', or, when it threw, an error.
        const zh = st.stepZh === undefined ? {} : { stepZh: failed ? `失败:${step.replace(/^failed: /, '')}` : '完成' };
        this.scenarioStatus = { ...st, name, running: false, step, ...zh, ...(failed ? { verdict: 'error' as const } : {}) };
      }
      this.note('scenario', `${name}: ${step}`);
    };
    Promise.resolve()
      .then(() => s.run(ctx))
      .then(() => finished('done', false), (err: unknown) => finished(`failed: ${err instanceof Error ? err.message : String(err)}`, true));
    return {};
  }

  // ---- the end ------------------------------------------------------------------------------

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stop the runtime and scenarios, release the link (the TUN is closed). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.running?.abort.abort(new Error('the lab closed'));
    this.running = null;
    this.setSlowMotion(null);
    this.runtime?.stop();
    this.stack.onAfterBatch(null);
    this.faults.close();
    this.onClose?.();
  }
}
