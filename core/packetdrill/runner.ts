// The packetdrill runner: plays a script against our stack on a manual clock.
//
// The script is the remote host (192.0.2.1 by default); our stack is the host under test
// (192.168.0.1). Events run in order at their script times:
//  - `<` packets are built (packet.ts) and given to stack.input();
//  - `>` packets are taken, in order, from what the stack sent, and compared (match.ts);
//  - system calls go to the socket layer (syscalls.ts), blocking ones complete later;
//  - `%{ }%` asserts read tcp_info (code.ts, tcpinfo.ts); backtick sysctls set knobs.
// Time only moves forward: before an event at time T the clock advances timer by timer up to
// T (timers due at T fire before the event). A `>` event waits (advancing timers) until the
// stack sends a packet or the event's time plus the tolerance passes.
//
// Numbers, as packetdrill has them: our sequence numbers are relative to our ISN (learned from
// our first SYN or SYN-ACK of the connection; 0 when there is none, as for an RST to a closed
// port); the script's sequence numbers are absolute (its ISN is what its SYN says). So in `<`
// packets, `ack` and SACK blocks get our ISN added; in `>` packets, seq is made relative and
// ack and SACK blocks compare as written. Timestamps: see match.ts.
//
// Strictness: every packet the stack sends must be matched by a `>` line, in order. A packet
// the script does not expect shows up as a mismatch at the next `>` line or, after the last
// event, as an unexpected packet.
import { formatAddress } from '../wire/ipv4.ts';
import { formatPacket } from '../wire/pretty.ts';
import { ACK_BIT, RST, SYN } from '../wire/tcp.ts';
import { runCode } from './code.ts';
import { DEFAULT_CONFIG, resolveConfig } from './config.ts';
import type { RunConfig } from './config.ts';
import { describeErrno } from './errno.ts';
import { formatCall, formatPacketLine, formatSeconds, formatTimeSpec } from './format.ts';
import { comparePacket, describeSent, expectedPacketBytes, learnTimestamps } from './match.ts';
import type { ConnTrack } from './match.ts';
import { buildPacket, decodeSent } from './packet.ts';
import type { SentPacket } from './packet.ts';
import { parseScript } from './parser.ts';
import type { Loc, OptionSpec, PacketSpec, ScriptError, ScriptEvent, SyscallSpec } from './script.ts';
import { formatLoc } from './script.ts';
import { planShellCommand } from './shell.ts';
import { applySysctl } from './sysctl-map.ts';
import type { PdKnobSpec, PdSocket, PdStack } from './stack-port.ts';
import { Syscalls } from './syscalls.ts';
import type { CallOutcome } from './syscalls.ts';
import { tcpInfoLookup } from './tcpinfo.ts';

/** What the runner gives the stack factory. */
export interface StackEnv {
  readonly address: number;
  readonly mtu: number;
  readonly clock: { now(): number };
  readonly seed: number;
  readonly output: (packet: Uint8Array) => void;
}

export type StackFactory = (env: StackEnv) => { readonly stack: PdStack; readonly knobs: readonly PdKnobSpec[] };

export interface RunOptions {
  /** Builds the stack under test (default-stack.ts gives ours). */
  readonly makeStack: StackFactory;
  /** Seed of the stack's random numbers (ISNs, TS offsets). */
  readonly seed?: number;
  /** Defaults before the script's own --flags. */
  readonly config?: Partial<RunConfig>;
}

export interface Failure {
  readonly loc: Loc;
  readonly message: string;
  /** Further lines: the expected and the actual segment, differences. */
  readonly details: readonly string[];
}

export interface RunReport {
  readonly ok: boolean;
  readonly failure: Failure | null;
  /** Things reported and skipped: unknown flags, shell commands, unsupported tcpi fields. */
  readonly warnings: readonly ScriptError[];
  /** Every event and packet with its time, for --verbose. */
  readonly trace: readonly string[];
}

class ScriptFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export function runScript(text: string, options: RunOptions): RunReport {
  const parsed = parseScript(text);
  if (!parsed.ok) return { ok: false, failure: { ...parsed.error, details: [] }, warnings: [], trace: [] };
  const resolved = resolveConfig(parsed.script.flags, { ...DEFAULT_CONFIG, ...options.config });
  if ('error' in resolved) return { ok: false, failure: { ...resolved.error, details: [] }, warnings: [], trace: [] };
  const run = new Run(resolved.config, options);
  run.warnings.push(...resolved.warnings);
  return run.execute(parsed.script.events);
}

interface PendingCall {
  readonly event: ScriptEvent;
  readonly syscall: SyscallSpec;
  readonly poll: () => CallOutcome | null;
  /** When the script says it returns (usecs). */
  readonly endUsecs: number;
}

/** How many timer rounds may run at one instant before we call it a stack livelock. */
const MAX_ROUNDS_AT_ONE_TIME = 10_000;
/** How far a `*` packet may be waited for. */
const MAX_ANY_WAIT_USECS = 3600e6;

class Run {
  readonly warnings: ScriptError[] = [];
  private readonly trace: string[] = [];
  private readonly stack: PdStack;
  private readonly knobs: readonly PdKnobSpec[];
  private readonly syscalls: Syscalls;
  private nowUsecs = 0;
  /** The previous event's time: relative times count from it. */
  private lastUsecs = 0;
  /** Packets the stack sent that no `>` line has taken yet, oldest first. */
  private readonly sent: SentPacket[] = [];
  private readonly conns: ConnTrack[] = [];
  private current: ConnTrack | null = null;
  private pending: PendingCall | null = null;
  /** Off while looking ahead for a late packet (the script has failed already). */
  private polling = true;
  /** The event being run (failures from polling point at the blocked call instead). */
  private event: ScriptEvent | null = null;

  constructor(private readonly config: RunConfig, options: RunOptions) {
    const clock = { now: () => this.nowUsecs / 1000 };
    const made = options.makeStack({
      address: config.localIp, mtu: config.mtu, clock, seed: options.seed ?? 1, output: (p) => this.capture(p),
    });
    this.stack = made.stack;
    this.knobs = made.knobs;
    this.syscalls = new Syscalls({
      stack: this.stack,
      config,
      connected: (sock) => this.connected(sock),
      accepted: (sock) => {
        const conn = this.conns.find((c) => c.localPort === sock.localPort && c.remotePort === sock.remotePort);
        if (conn !== undefined) conn.socket = sock;
      },
      knob: (name) => this.stack.getKnobs()[name],
    });
  }

  execute(events: readonly ScriptEvent[]): RunReport {
    try {
      for (const e of events) {
        this.event = e;
        this.runEvent(e);
      }
      this.event = null;
      this.finish(events);
      return { ok: true, failure: null, warnings: this.warnings, trace: this.trace };
    } catch (err) {
      if (err instanceof ScriptFailure) {
        return { ok: false, failure: err.failure, warnings: this.warnings, trace: this.trace };
      }
      // Whatever the stack does, a script run ends in a report, not a crash.
      const e = err instanceof Error ? err : new Error(String(err));
      const failure: Failure = {
        loc: this.event?.loc ?? { line: 0, col: 0 },
        message: `internal error: ${e.name}: ${e.message}`,
        details: (e.stack ?? '').split('\n').slice(1, 6).map((l) => l.trim()),
      };
      return { ok: false, failure, warnings: this.warnings, trace: this.trace };
    }
  }

  private fail(loc: Loc, message: string, details: readonly string[] = []): never {
    throw new ScriptFailure({ loc, message, details });
  }

  // ---- time ----

  private resolveTime(e: ScriptEvent): { at: number; lo: number; hi: number; exact: boolean } {
    const t = e.time;
    const tol = this.config.toleranceUsecs;
    switch (t.kind) {
      case 'absolute':
        return { at: t.usecs, lo: t.usecs - tol, hi: t.usecs + tol, exact: true };
      case 'relative': {
        const at = this.lastUsecs + t.usecs;
        return { at, lo: at - tol, hi: at + tol, exact: true };
      }
      case 'any':
        return { at: this.nowUsecs, lo: -Infinity, hi: this.nowUsecs + MAX_ANY_WAIT_USECS, exact: false };
      case 'range': {
        const base = t.relative ? this.lastUsecs : 0;
        return { at: base + t.startUsecs, lo: base + t.startUsecs - tol, hi: base + t.endUsecs + tol, exact: false };
      }
      case 'blocking': {
        const at = (t.relative ? this.lastUsecs : 0) + t.startUsecs;
        return { at, lo: at - tol, hi: at + tol, exact: true };
      }
      default: {
        const never: never = t;
        return never;
      }
    }
  }

  /** Runs the stack's timers up to `usecs` (those due at `usecs` included), then sets the clock there. */
  private advanceTo(usecs: number): void {
    let rounds = 0;
    let last = -1;
    for (;;) {
      const d = this.stack.nextDeadline();
      if (d === null || d * 1000 > usecs + 1e-6) break;
      const at = Math.max(this.nowUsecs, Math.round(d * 1000));
      rounds = at === last ? rounds + 1 : 0;
      last = at;
      if (rounds > MAX_ROUNDS_AT_ONE_TIME) {
        this.fail(this.event?.loc ?? { line: 0, col: 0 }, `the stack's timers keep firing at ${formatSeconds(at)} s without settling`);
      }
      this.nowUsecs = at;
      this.stack.runTimers();
      this.pollPending();
    }
    if (usecs > this.nowUsecs) this.nowUsecs = usecs;
  }

  // ---- events ----

  private runEvent(e: ScriptEvent): void {
    const a = e.action;
    switch (a.kind) {
      case 'packet':
        if (a.packet.direction === 'out') this.expectPacket(e, a.packet);
        else this.injectPacket(e, a.packet);
        return;
      case 'syscall':
        this.syscall(e, a.syscall);
        return;
      case 'command':
        this.command(e, a.text);
        return;
      case 'code':
        this.code(e, a.text);
        return;
      default: {
        const never: never = a;
        return never;
      }
    }
  }

  private startAt(e: ScriptEvent): number {
    const { at } = this.resolveTime(e);
    this.advanceTo(at);
    this.lastUsecs = at;
    return at;
  }

  private injectPacket(e: ScriptEvent, p: PacketSpec): void {
    const at = this.startAt(e);
    const conn = this.connForInbound(p);
    const isn = conn.ourIsn ?? 0;
    const options = p.options === null || p.options === 'any' ? [] : p.options.map((o) => this.inboundOption(o, conn, isn));
    const bytes = buildPacket({
      src: conn.remoteAddr, dst: this.config.localIp, srcPort: conn.remotePort, dstPort: conn.localPort,
      seq: p.seqStart, ack: ((p.ack ?? 0) + isn) >>> 0, flags: p.flags, window: p.win ?? 0, urgent: p.urg ?? 0,
      options, payloadLength: p.length,
    });
    if (bytes === null) this.fail(e.loc, 'the options do not fit in 40 bytes');
    this.trace.push(`${formatSeconds(at)} ${formatPacketLine(p)}`, `         ${formatPacket(bytes)}`);
    this.stack.input(bytes);
    if ((p.flags & RST) !== 0 && (conn.socket === null || conn.socket.state === 'CLOSED')) conn.closed = true;
    this.pollPending();
  }

  private inboundOption(o: OptionSpec, conn: ConnTrack, isn: number): OptionSpec {
    if (o.kind === 'sack') return { kind: 'sack', blocks: o.blocks.map((b) => ({ left: (b.left + isn) >>> 0, right: (b.right + isn) >>> 0 })) };
    if (o.kind === 'ts' && o.ecr !== 0) {
      // The script's ecr echoes a TS val of ours as the script wrote it: map it to the real one.
      if (conn.tsOffset !== null) return { ...o, ecr: (o.ecr + conn.tsOffset) >>> 0 };
      if (conn.lastTsVal !== null) return { ...o, ecr: conn.lastTsVal };
    }
    return o;
  }

  private connForInbound(p: PacketSpec): ConnTrack {
    const newConnection = (p.flags & SYN) !== 0 && (p.flags & ACK_BIT) === 0;
    const e = p.endpoint;
    if (e !== undefined && e !== null) {
      // `< @PORT ...`: the connection from that endpoint (a new one after an RST or our SYN-ACK was reset).
      const addr = e.addr ?? this.config.remoteIp;
      const known = this.findConn(this.config.bindPort, e.port, addr);
      this.current = known !== null && !(newConnection && known.closed) ? known : this.newConn(this.config.bindPort, e.port, addr);
      return this.current;
    }
    if (this.current === null || (newConnection && this.current.closed)) {
      this.current = this.newConn(this.config.bindPort, this.config.remotePort + this.conns.length);
    }
    return this.current;
  }

  private findConn(localPort: number, remotePort: number, remoteAddr: number): ConnTrack | null {
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (c.localPort === localPort && c.remotePort === remotePort && c.remoteAddr === remoteAddr) return c;
    }
    return null;
  }

  private newConn(localPort: number, remotePort: number, remoteAddr = this.config.remoteIp): ConnTrack {
    const conn: ConnTrack = { localPort, remotePort, remoteAddr, ourIsn: null, tsOffset: null, lastTsVal: null, closed: false, socket: null };
    this.conns.push(conn);
    return conn;
  }

  private connected(sock: PdSocket): void {
    const conn = this.newConn(sock.localPort, sock.remotePort, sock.remoteAddr);
    conn.socket = sock;
    this.current = conn;
    for (const p of this.sent) this.learnFromSent(p);
  }

  private connOf(p: SentPacket): ConnTrack | null {
    if (p.tcp === null) return null;
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (c.localPort === p.tcp.seg.srcPort && c.remotePort === p.tcp.seg.dstPort && c.remoteAddr === p.tcp.dst) return c;
    }
    return null;
  }

  private capture(packet: Uint8Array): void {
    const p = decodeSent(packet, this.nowUsecs);
    this.sent.push(p);
    this.learnFromSent(p);
  }

  /** Our ISN from our first SYN of a connection; the latest TS val; RST ends the connection. */
  private learnFromSent(p: SentPacket): void {
    const conn = this.connOf(p);
    if (conn === null || p.tcp === null) return;
    if ((p.tcp.flags & SYN) !== 0 && conn.ourIsn === null) conn.ourIsn = p.tcp.seg.seq;
    for (const o of p.tcp.options) if (o.kind === 'ts') conn.lastTsVal = o.val;
    if ((p.tcp.flags & RST) !== 0) conn.closed = true;
  }

  private expectPacket(e: ScriptEvent, spec: PacketSpec): void {
    const { at, lo, hi, exact } = this.resolveTime(e);
    while (this.sent.length === 0) {
      const d = this.stack.nextDeadline();
      if (d === null || d * 1000 > hi + 1e-6) {
        if (Number.isFinite(hi)) this.advanceTo(Math.max(hi, this.nowUsecs));
        break;
      }
      this.advanceTo(Math.round(d * 1000));
    }
    if (this.sent.length === 0) this.lookAhead(hi);
    const p = this.sent.shift();
    if (p === undefined) {
      this.fail(e.loc, `expected packet not sent (waited until ${formatSeconds(Math.min(hi, this.nowUsecs))} s)`, [
        `expected: ${formatTimeSpec(e.time)} ${formatPacketLine(spec)}   (at ${this.when(at, lo, hi, exact)})`,
      ]);
    }
    const conn = this.connOf(p);
    const diffs = comparePacket(spec, p, conn, this.config);
    const wrongPeer = this.endpointMismatch(spec, p);
    if (wrongPeer !== null) diffs.unshift(wrongPeer);
    const tooEarly = p.atUsecs < lo - 1e-6;
    const tooLate = p.atUsecs > hi + 1e-6;
    if (tooEarly || tooLate) {
      diffs.unshift(`sent at ${formatSeconds(p.atUsecs)} s, expected at ${this.when(at, lo, hi, exact)}${tooEarly ? ' (too early)' : ' (too late)'}`);
    }
    this.trace.push(`${formatSeconds(p.atUsecs)} ${describeSent(p, conn)}`, `         ${formatPacket(p.bytes)}`);
    if (diffs.length > 0) {
      const expectedBytes = expectedPacketBytes(spec, p, conn, this.config);
      this.fail(e.loc, diffs[0], [
        `expected: ${formatTimeSpec(e.time)} ${formatPacketLine(spec)}   (at ${this.when(at, lo, hi, exact)})`,
        `  actual: ${formatSeconds(p.atUsecs)} ${describeSent(p, conn)}`,
        ...diffs.slice(1).map((d) => `    also: ${d}`),
        `expected (tcpdump): ${expectedBytes === null ? '(cannot build)' : formatPacket(expectedBytes)}`,
        `  actual (tcpdump): ${formatPacket(p.bytes)}`,
      ]);
    }
    if (conn !== null) learnTimestamps(spec, p, conn);
    this.lastUsecs = exact ? at : p.atUsecs;
  }

  /** A `> @PORT` line: the packet must go to that endpoint. */
  private endpointMismatch(spec: PacketSpec, p: SentPacket): string | null {
    const e = spec.endpoint;
    if (e === undefined || e === null || p.tcp === null) return null;
    const addr = e.addr ?? this.config.remoteIp;
    if (p.tcp.seg.dstPort === e.port && p.tcp.dst === addr) return null;
    return `sent to ${formatAddress(p.tcp.dst)}:${p.tcp.seg.dstPort}, the script expects ${formatAddress(addr)}:${e.port}`;
  }

  /**
   * Nothing was sent in time and the script has failed: run the timers on (up to a minute) to
   * see whether the packet comes late, which says more than "not sent". Blocked calls are
   * not polled meanwhile, so they cannot report something else first.
   */
  private lookAhead(hi: number): void {
    this.polling = false;
    const limit = Math.max(hi, this.nowUsecs) + 60e6;
    for (let d = this.stack.nextDeadline(); this.sent.length === 0 && d !== null && d * 1000 <= limit; d = this.stack.nextDeadline()) {
      this.advanceTo(Math.round(d * 1000));
    }
  }

  private when(at: number, lo: number, hi: number, exact: boolean): string {
    if (exact) return `${formatSeconds(at)} s ±${formatSeconds(this.config.toleranceUsecs)}`;
    if (!Number.isFinite(lo)) return 'any time';
    return `${formatSeconds(lo)}..${formatSeconds(hi)} s`;
  }

  // ---- system calls ----

  private syscall(e: ScriptEvent, s: SyscallSpec): void {
    const previous = this.lastUsecs;
    const start = this.startAt(e);
    if (this.pending !== null) {
      this.fail(e.loc, `${s.name}() cannot run: ${this.pending.syscall.name}() at line ${this.pending.event.loc.line} is still blocked`);
    }
    const t = e.time;
    // packetdrill: a relative blocking call's end time counts from the previous event too.
    const endUsecs = t.kind === 'blocking' ? (t.relative ? previous : 0) + t.endUsecs : start;
    const outcome = this.syscalls.call(s);
    this.trace.push(`${formatSeconds(start)} ${formatCall(s)}${outcome.kind === 'done' ? ` = ${resultText(outcome)}` : outcome.kind === 'blocked' ? ' (blocks)' : ''}`);
    if (outcome.kind === 'error') this.fail(e.loc, outcome.message);
    if (outcome.kind === 'blocked') {
      this.pending = { event: e, syscall: s, poll: outcome.poll, endUsecs };
      return;
    }
    this.checkReturn(e, s, outcome, endUsecs);
  }

  private pollPending(): void {
    const p = this.pending;
    if (p === null || !this.polling) return;
    const outcome = p.poll();
    if (outcome === null) return;
    this.pending = null;
    if (outcome.kind === 'error') this.fail(p.event.loc, outcome.message);
    if (outcome.kind === 'blocked') this.fail(p.event.loc, 'internal error: a blocked call blocked again');
    this.trace.push(`${formatSeconds(this.nowUsecs)} ${formatCall(p.syscall)} = ${resultText(outcome)} (returns, line ${p.event.loc.line})`);
    this.checkReturn(p.event, p.syscall, outcome, p.endUsecs);
  }

  private checkReturn(e: ScriptEvent, s: SyscallSpec, o: Extract<CallOutcome, { kind: 'done' }>, endUsecs: number): void {
    const got = resultText(o);
    const want = s.result;
    const wantText = want.value.kind === 'ellipsis' ? '...' : `${want.value.value}${want.errno === null ? '' : ` ${describeErrno(want.errno)}`}`;
    if (want.value.kind === 'int') {
      const valueOk = want.value.value === o.ret;
      const errnoOk = want.errno === null ? o.ret !== -1 || o.errno === null : o.errno === want.errno;
      if (!valueOk || !errnoOk) this.fail(e.loc, `${s.name}() returned ${got}, the script expects ${wantText}`);
    }
    if (o.mismatch !== undefined) this.fail(e.loc, o.mismatch);
    const tol = this.config.toleranceUsecs;
    if (Math.abs(this.nowUsecs - endUsecs) > tol + 1e-6) {
      const blocking = e.time.kind === 'blocking';
      this.fail(e.loc, `${s.name}() returned at ${formatSeconds(this.nowUsecs)} s, the script expects it to return at ${formatSeconds(endUsecs)} s`
        + (blocking ? '' : ' (it blocked; write start...end for a blocking call)'));
    }
  }

  // ---- shell lines and code ----

  private command(e: ScriptEvent, text: string): void {
    this.startAt(e);
    const plan = planShellCommand(text);
    for (const s of plan.skipped) this.warnings.push({ loc: e.loc, message: `shell command skipped: ${s}` });
    for (const setting of plan.settings) {
      const r = applySysctl(this.stack, this.knobs, setting);
      if (r !== null) this.warnings.push({ loc: e.loc, message: r });
      else this.trace.push(`${formatSeconds(this.nowUsecs)} sysctl ${setting.name}=${setting.value}`);
    }
  }

  private code(e: ScriptEvent, text: string): void {
    this.startAt(e);
    const sock = this.syscalls.lastSocket;
    if (sock === null && /\btcpi_/.test(text)) this.fail(e.loc, 'no socket to read tcp_info from (no connection was accepted or connected yet)');
    const tcpi = sock === null ? null : tcpInfoLookup(sock);
    const counters = this.stack.counters?.all() ?? {};
    const outcome = runCode(text, (name) => {
      if (name.startsWith('tcpi_')) return tcpi?.(name);
      // nstat's TcpExtX / TcpX / IpX are our counter X.
      const m = /^(?:TcpExt|Tcp|IpExt|Ip|Icmp)(.+)$/.exec(name);
      return m === null ? undefined : counters[m[1]];
    });
    for (const u of outcome.unsupported) this.warnings.push({ loc: e.loc, message: `code skipped: ${u}` });
    if (outcome.kind === 'failed') this.fail(e.loc, outcome.message);
  }

  // ---- the end ----

  private finish(events: readonly ScriptEvent[]): void {
    const last = events.length > 0 ? events[events.length - 1].loc : { line: 1, col: 1 };
    if (this.pending !== null) {
      this.fail(this.pending.event.loc, `${this.pending.syscall.name}() was still blocked when the script ended`);
    }
    const extra = this.sent[0];
    if (extra !== undefined) {
      const conn = this.connOf(extra);
      this.fail(last, `unexpected packet: the stack sent a packet the script does not expect (after line ${last.line})`, [
        `  actual: ${formatSeconds(extra.atUsecs)} ${describeSent(extra, conn)}`,
        `  actual (tcpdump): ${formatPacket(extra.bytes)}`,
        ...(this.sent.length > 1 ? [`  and ${this.sent.length - 1} more`] : []),
      ]);
    }
  }
}

function resultText(o: Extract<CallOutcome, { kind: 'done' }>): string {
  return o.ret === -1 && o.errno !== null ? `-1 ${describeErrno(o.errno)}` : String(o.ret);
}

/** `FAIL file:12: reason` and the detail lines. */
export function formatFailure(file: string, f: Failure): string {
  return [`FAIL ${file}:${formatLoc(f.loc)}: ${f.message}`, ...f.details.map((d) => `    ${d}`)].join('\n');
}
