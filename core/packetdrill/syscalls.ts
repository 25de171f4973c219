// System calls -> the stack's socket API. The runner plays the Linux socket layer on top of
// the stack: file descriptors (lowest free number from 3, as the kernel assigns them),
// O_NONBLOCK, the pending socket error (reported once, by the next read/write/connect or
// getsockopt(SO_ERROR), as Linux's sock_error() does), SHUT_RD, and blocking.
//
// Blocking: a call on a blocking socket that cannot complete now (accept on an empty queue,
// read with nothing buffered, connect in progress, write into a full send buffer) returns a
// `blocked` outcome with a poll function; the runner polls it after every packet and timer
// and checks when it returned against the script's `start...end` time.
import { describeErrno, errnoValue } from './errno.ts';
import type { RunConfig } from './config.ts';
import type { Expr, SyscallSpec } from './script.ts';
import type { PdListener, PdSocket, PdSocketOptions, PdStack } from './stack-port.ts';

export type CallOutcome =
  /** The call returned: `ret`, and errno when ret is -1. `mismatch` reports an out-value (getsockopt) that differs. */
  | { readonly kind: 'done'; readonly ret: number; readonly errno: string | null; readonly mismatch?: string }
  /** The call blocks; `poll` returns the outcome once it can complete, else null. */
  | { readonly kind: 'blocked'; readonly poll: () => CallOutcome | null }
  /** The script asks for something we cannot do (bad arguments, unsupported call or option). */
  | { readonly kind: 'error'; readonly message: string };

interface FdEntry {
  readonly fd: number;
  nonblocking: boolean;
  opts: PdSocketOptions;
  reuseaddr: number;
  boundPort: number | null;
  listener: PdListener | null;
  socket: PdSocket | null;
  shutRd: boolean;
  /** The stack's error already reported to the script (Linux clears sk_err when it reports it). */
  errorReported: boolean;
}

/** What the system calls need from the runner. */
export interface SyscallHost {
  readonly stack: PdStack;
  readonly config: RunConfig;
  /** A connect() started a connection: the runner tracks its 4-tuple. */
  connected(sock: PdSocket): void;
  /** accept() returned a connection the script opened. */
  accepted(sock: PdSocket): void;
  /** The knobs in force (keepalive defaults for getsockopt). */
  knob(name: string): number | string | undefined;
}

const CONSTANTS: Readonly<Record<string, number>> = {
  AF_INET: 2, AF_INET6: 10, AF_UNSPEC: 0, PF_INET: 2,
  SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000,
  IPPROTO_IP: 0, IPPROTO_TCP: 6, IPPROTO_UDP: 17, SOL_SOCKET: 1, SOL_TCP: 6, SOL_IP: 0,
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_NONBLOCK: 0o4000, O_NDELAY: 0o4000,
  F_GETFL: 3, F_SETFL: 4, SHUT_RD: 0, SHUT_WR: 1, SHUT_RDWR: 2,
  SO_REUSEADDR: 2, SO_ERROR: 4, SO_SNDBUF: 7, SO_RCVBUF: 8, SO_KEEPALIVE: 9, SO_LINGER: 13,
  TCP_NODELAY: 1, TCP_MAXSEG: 2, TCP_KEEPIDLE: 4, TCP_KEEPINTVL: 5, TCP_KEEPCNT: 6,
  MSG_DONTWAIT: 0x40, MSG_NOSIGNAL: 0x4000,
};

const SOCKOPT_NAMES = ['SO_REUSEADDR', 'SO_ERROR', 'SO_KEEPALIVE', 'SO_LINGER', 'SO_RCVBUF', 'SO_SNDBUF',
  'TCP_NODELAY', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'TCP_MAXSEG'];

class ArgError extends Error {}

function done(ret: number, errno: string | null = null): CallOutcome {
  return { kind: 'done', ret, errno };
}

function fail(errno: string): CallOutcome {
  return { kind: 'done', ret: -1, errno };
}

/** An argument's integer value; null for `...` (any). */
function intValue(e: Expr, what: string): number | null {
  switch (e.kind) {
    case 'ellipsis':
      return null;
    case 'int':
      return e.value;
    case 'name': {
      const v = CONSTANTS[e.name] ?? errnoValue(e.name);
      if (v === undefined) throw new ArgError(`unknown constant '${e.name}' in ${what}`);
      return v;
    }
    case 'or':
      return e.terms.reduce((acc, t) => acc | (intValue(t, what) ?? 0), 0);
    case 'list':
      if (e.items.length !== 1) throw new ArgError(`${what}: expected [value]`);
      return intValue(e.items[0], what);
    case 'struct':
    case 'string':
      throw new ArgError(`${what}: expected an integer`);
    default: {
      const never: never = e;
      return never;
    }
  }
}

function nameOf(e: Expr | undefined): string | null {
  return e !== undefined && e.kind === 'name' ? e.name : null;
}

export class Syscalls {
  private readonly fds = new Map<number, FdEntry>();
  /** The socket of the most recent call on a connection: tcp_info reads it. */
  lastSocket: PdSocket | null = null;

  constructor(private readonly host: SyscallHost) {}

  /** Runs one system call. */
  call(s: SyscallSpec): CallOutcome {
    try {
      return this.dispatch(s);
    } catch (err) {
      if (err instanceof ArgError) return { kind: 'error', message: err.message };
      const code = stackErrorCode(err);
      if (code !== null) return fail(code);
      throw err;
    }
  }

  private dispatch(s: SyscallSpec): CallOutcome {
    const a = s.args;
    switch (s.name) {
      case 'socket':
        return this.socket(a);
      case 'bind':
        return this.bind(a);
      case 'listen':
        return this.listen(a);
      case 'accept':
      case 'accept4':
        return this.accept(a);
      case 'connect':
        return this.connect(a);
      case 'read':
      case 'recv':
        return this.read(a, s.name);
      case 'write':
      case 'send':
        return this.write(a, s.name);
      case 'shutdown':
        return this.shutdown(a);
      case 'close':
        return this.close(a);
      case 'fcntl':
        return this.fcntl(a);
      case 'setsockopt':
        return this.setsockopt(a);
      case 'getsockopt':
        return this.getsockopt(a);
      default:
        return { kind: 'error', message: `unsupported system call ${s.name}()` };
    }
  }

  private entry(e: Expr | undefined, what: string): FdEntry {
    if (e === undefined) throw new ArgError(`${what}: missing file descriptor`);
    const fd = intValue(e, what);
    if (fd === null) throw new ArgError(`${what}: the file descriptor cannot be '...'`);
    const entry = this.fds.get(fd);
    if (entry === undefined) throw new ArgError(`${what}: ${fd} is not an open socket`);
    return entry;
  }

  private newFd(): FdEntry {
    let fd = 3;
    while (this.fds.has(fd)) fd++;
    const entry: FdEntry = {
      fd, nonblocking: false, opts: {}, reuseaddr: 0, boundPort: null, listener: null, socket: null, shutRd: false, errorReported: false,
    };
    this.fds.set(fd, entry);
    return entry;
  }

  private argCount(a: readonly Expr[], n: number, call: string): void {
    if (a.length !== n) throw new ArgError(`${call}() takes ${n} arguments, the script gives ${a.length}`);
  }

  private socket(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 3, 'socket');
    const domain = intValue(a[0], 'socket() domain');
    if (domain !== null && domain !== CONSTANTS.AF_INET) throw new ArgError('socket(): only AF_INET is supported');
    const type = intValue(a[1], 'socket() type') ?? CONSTANTS.SOCK_STREAM;
    if ((type & 0xf) !== CONSTANTS.SOCK_STREAM) throw new ArgError('socket(): only SOCK_STREAM (TCP) is supported');
    const proto = intValue(a[2], 'socket() protocol');
    if (proto !== null && proto !== 0 && proto !== CONSTANTS.IPPROTO_TCP) throw new ArgError('socket(): only IPPROTO_TCP is supported');
    const entry = this.newFd();
    entry.nonblocking = (type & CONSTANTS.SOCK_NONBLOCK) !== 0;
    return done(entry.fd);
  }

  private bind(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 3, 'bind');
    const e = this.entry(a[0], 'bind()');
    if (e.boundPort !== null || e.socket !== null || e.listener !== null) return fail('EINVAL');
    e.boundPort = this.host.config.bindPort;
    return done(0);
  }

  private listen(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 2, 'listen');
    const e = this.entry(a[0], 'listen()');
    const backlog = intValue(a[1], 'listen() backlog') ?? 128;
    if (e.socket !== null) return fail('EINVAL');
    if (e.listener !== null) {
      // listen() again only changes the backlog (Linux).
      e.listener.backlog = backlog;
      return done(0);
    }
    e.listener = this.host.stack.listen(e.boundPort ?? this.host.config.bindPort, backlog, { ...e.opts });
    return done(0);
  }

  private accept(a: readonly Expr[]): CallOutcome {
    const e = this.entry(a[0], 'accept()');
    const listener = e.listener;
    if (listener === null) return fail('EINVAL');
    const attempt = (): CallOutcome | null => {
      const sock = listener.accept();
      if (sock === null) return null;
      const child = this.newFd();
      child.socket = sock;
      child.opts = { ...e.opts };
      this.lastSocket = sock;
      this.host.accepted(sock);
      return done(child.fd);
    };
    return this.maybeBlock(e, attempt);
  }

  private connect(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 3, 'connect');
    const e = this.entry(a[0], 'connect()');
    if (nameOf(a[1]) === 'AF_UNSPEC') throw new ArgError('connect(fd, AF_UNSPEC, ...) (disconnect) is not supported');
    if (e.listener !== null) return fail('EISCONN');
    if (e.socket !== null) return this.reconnect(e, e.socket);
    const sock = this.host.stack.connect(this.host.config.remoteIp, this.host.config.connectPort, {
      ...e.opts, ...(e.boundPort !== null ? { localPort: e.boundPort } : {}),
    });
    e.socket = sock;
    this.lastSocket = sock;
    this.host.connected(sock);
    if (e.nonblocking) {
      // The handshake may not complete inside connect() (it needs the peer's SYN-ACK).
      return fail('EINPROGRESS');
    }
    return { kind: 'blocked', poll: () => this.connectResult(e, sock) };
  }

  /** connect() again on a socket already connecting or connected (the non-blocking pattern). */
  private reconnect(e: FdEntry, sock: PdSocket): CallOutcome {
    const r = this.connectResult(e, sock);
    if (r === null) return fail('EALREADY');
    if (r.kind === 'done' && r.ret === 0) return fail('EISCONN');
    return r;
  }

  private connectResult(e: FdEntry, sock: PdSocket): CallOutcome | null {
    const err = this.takeError(e);
    if (err !== null) return fail(err);
    if (sock.state === 'SYN-SENT' || sock.state === 'SYN-RECEIVED') return null;
    if (sock.state === 'CLOSED') return fail('ECONNREFUSED');
    return done(0);
  }

  private takeError(e: FdEntry): string | null {
    const err = e.socket?.error ?? null;
    if (err === null || e.errorReported) return null;
    e.errorReported = true;
    return err;
  }

  private read(a: readonly Expr[], call: string): CallOutcome {
    this.argCount(a, call === 'recv' ? 4 : 3, call);
    const e = this.entry(a[0], `${call}()`);
    const count = intValue(a[2], `${call}() count`);
    if (count === null) throw new ArgError(`${call}(): the byte count cannot be '...'`);
    const flags = call === 'recv' ? intValue(a[3], 'recv() flags') ?? 0 : 0;
    if ((flags & ~CONSTANTS.MSG_DONTWAIT) !== 0) throw new ArgError('recv(): only flags 0 and MSG_DONTWAIT are supported');
    const sock = e.socket;
    if (sock === null) return fail('ENOTCONN');
    this.lastSocket = sock;
    const attempt = (): CallOutcome | null => {
      if (e.shutRd) return done(0);
      const data = sock.read(count);
      if (data !== null && data.length > 0) return done(data.length);
      const err = this.takeError(e);
      if (err !== null) return fail(err);
      if (data !== null) return done(0); // end of stream
      if (sock.state === 'CLOSED') return done(0); // reset, error already reported: Linux returns 0
      return null;
    };
    return this.maybeBlock(e, attempt, (flags & CONSTANTS.MSG_DONTWAIT) !== 0);
  }

  private write(a: readonly Expr[], call: string): CallOutcome {
    this.argCount(a, call === 'send' ? 4 : 3, call);
    const e = this.entry(a[0], `${call}()`);
    const count = intValue(a[2], `${call}() count`);
    if (count === null) throw new ArgError(`${call}(): the byte count cannot be '...'`);
    const flags = call === 'send' ? intValue(a[3], 'send() flags') ?? 0 : 0;
    if ((flags & ~(CONSTANTS.MSG_DONTWAIT | CONSTANTS.MSG_NOSIGNAL)) !== 0) {
      throw new ArgError('send(): only flags 0, MSG_DONTWAIT and MSG_NOSIGNAL are supported');
    }
    const sock = e.socket;
    if (sock === null) return fail(e.listener !== null ? 'ENOTCONN' : 'EPIPE');
    this.lastSocket = sock;
    const nonblocking = e.nonblocking || (flags & CONSTANTS.MSG_DONTWAIT) !== 0;
    const err = this.takeError(e);
    if (err !== null) return fail(err);
    if (sock.state === 'SYN-SENT' || sock.state === 'SYN-RECEIVED') {
      if (nonblocking) return fail('EAGAIN');
    }
    let written = 0;
    const attempt = (): CallOutcome | null => {
      const pendingErr = this.takeError(e);
      if (pendingErr !== null) return written > 0 ? done(written) : fail(pendingErr);
      if (sock.state === 'SYN-SENT' || sock.state === 'SYN-RECEIVED') return null;
      if (count === 0) return done(0);
      written += sock.write(new Uint8Array(count - written));
      if (written === count) return done(written);
      if (nonblocking) return written > 0 ? done(written) : fail('EAGAIN');
      return null;
    };
    const guarded = (): CallOutcome | null => {
      const r = this.guard(attempt);
      // Linux reports a connection's error once (sock_error() clears it); after that a write
      // fails with EPIPE. The stack keeps its error, so a repeat of it means EPIPE here.
      if (r !== null && r.kind === 'done' && r.errno !== null && e.errorReported && r.errno === sock.error) return fail('EPIPE');
      return r;
    };
    const first = guarded();
    if (first !== null) return first;
    return { kind: 'blocked', poll: guarded };
  }

  private shutdown(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 2, 'shutdown');
    const e = this.entry(a[0], 'shutdown()');
    const how = intValue(a[1], 'shutdown() how');
    if (how === null || how < 0 || how > 2) throw new ArgError('shutdown(): how is SHUT_RD, SHUT_WR or SHUT_RDWR');
    const sock = e.socket;
    if (sock === null) return fail('ENOTCONN');
    this.lastSocket = sock;
    if (how === CONSTANTS.SHUT_RD || how === CONSTANTS.SHUT_RDWR) e.shutRd = true;
    if (how === CONSTANTS.SHUT_WR || how === CONSTANTS.SHUT_RDWR) sock.shutdown();
    return done(0);
  }

  private close(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 1, 'close');
    const e = this.entry(a[0], 'close()');
    this.fds.delete(e.fd);
    if (e.listener !== null) e.listener.close();
    if (e.socket !== null) {
      this.lastSocket = e.socket;
      e.socket.close();
    }
    return done(0);
  }

  private fcntl(a: readonly Expr[]): CallOutcome {
    const e = this.entry(a[0], 'fcntl()');
    const cmd = intValue(a[1], 'fcntl() command');
    if (cmd === CONSTANTS.F_GETFL) {
      this.argCount(a, 2, 'fcntl');
      return done(CONSTANTS.O_RDWR | (e.nonblocking ? CONSTANTS.O_NONBLOCK : 0));
    }
    if (cmd === CONSTANTS.F_SETFL) {
      this.argCount(a, 3, 'fcntl');
      const flags = intValue(a[2], 'fcntl() flags');
      if (flags === null) throw new ArgError("fcntl(F_SETFL): the flags cannot be '...'");
      e.nonblocking = (flags & CONSTANTS.O_NONBLOCK) !== 0;
      return done(0);
    }
    throw new ArgError('fcntl(): only F_GETFL and F_SETFL are supported');
  }

  private optionName(a: readonly Expr[], call: string): string {
    const name = nameOf(a[2]);
    if (name === null || !SOCKOPT_NAMES.includes(name)) {
      throw new ArgError(`${call}(): unsupported socket option ${name ?? '(not a name)'} (supported: ${SOCKOPT_NAMES.join(', ')})`);
    }
    const level = nameOf(a[1]);
    const wantLevel = name.startsWith('SO_') ? ['SOL_SOCKET'] : ['IPPROTO_TCP', 'SOL_TCP'];
    if (level === null || !wantLevel.includes(level)) throw new ArgError(`${call}(): ${name} is at level ${wantLevel.join(' or ')}`);
    return name;
  }

  private setsockopt(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 5, 'setsockopt');
    const e = this.entry(a[0], 'setsockopt()');
    const name = this.optionName(a, 'setsockopt');
    const change = this.optionChange(name, a[3]);
    if (change === 'reuseaddr') return done(0);
    if (change === null) return fail('ENOPROTOOPT');
    e.opts = { ...e.opts, ...change };
    if (e.socket !== null) e.socket.setOption(change);
    return done(0);
  }

  private optionChange(name: string, valueExpr: Expr): PdSocketOptions | 'reuseaddr' | null {
    if (name === 'SO_LINGER') {
      if (valueExpr.kind !== 'struct') throw new ArgError('setsockopt(SO_LINGER): expected {onoff=N, linger=N}');
      const field = (names: string[]): number => {
        const f = valueExpr.fields.find((x) => names.includes(x.name));
        if (f === undefined) throw new ArgError(`SO_LINGER: missing field ${names[0]}`);
        return intValue(f.value, 'SO_LINGER') ?? 0;
      };
      return { linger: { onoff: field(['onoff', 'l_onoff']) !== 0, seconds: field(['linger', 'l_linger']) } };
    }
    const v = intValue(valueExpr, `setsockopt(${name}) value`);
    if (v === null) throw new ArgError(`setsockopt(${name}): the value cannot be '...'`);
    switch (name) {
      case 'SO_REUSEADDR':
        return 'reuseaddr';
      case 'SO_KEEPALIVE':
        return { keepalive: v !== 0 };
      case 'SO_RCVBUF':
        return { rcvbuf: v };
      case 'SO_SNDBUF':
        return { sndbuf: v };
      case 'TCP_NODELAY':
        return { nodelay: v !== 0 };
      case 'TCP_KEEPIDLE':
        return v >= 1 ? { keepIdle: v } : null;
      case 'TCP_KEEPINTVL':
        return v >= 1 ? { keepIntvl: v } : null;
      case 'TCP_KEEPCNT':
        return v >= 1 ? { keepCnt: v } : null;
      case 'TCP_MAXSEG':
        return { mss: v };
      default:
        return null; // SO_ERROR cannot be set
    }
  }

  private getsockopt(a: readonly Expr[]): CallOutcome {
    this.argCount(a, 5, 'getsockopt');
    const e = this.entry(a[0], 'getsockopt()');
    const name = this.optionName(a, 'getsockopt');
    const actual = this.optionValue(e, name);
    if (actual === undefined) throw new ArgError(`getsockopt(${name}): the stack does not report this value`);
    if (typeof actual === 'object') return this.compareLinger(actual, a[3]);
    const want = intValue(a[3], `getsockopt(${name}) value`);
    if (want !== null && want !== actual) {
      const show = name === 'SO_ERROR' ? (v: number) => `${v}${v === 0 ? '' : ` ${errnoLabel(v)}`}` : String;
      return { kind: 'done', ret: 0, errno: null, mismatch: `getsockopt(${name}) gave [${show(actual)}], the script expects [${show(want)}]` };
    }
    return done(0);
  }

  private compareLinger(actual: { onoff: boolean; seconds: number }, want: Expr): CallOutcome {
    if (want.kind === 'ellipsis') return done(0);
    const expected = this.optionChange('SO_LINGER', want);
    const l = expected !== null && expected !== 'reuseaddr' ? expected.linger : undefined;
    if (l !== undefined && (l.onoff !== actual.onoff || (l.onoff && l.seconds !== actual.seconds))) {
      return { kind: 'done', ret: 0, errno: null, mismatch: `getsockopt(SO_LINGER) gave {onoff=${Number(actual.onoff)}, linger=${actual.seconds}}` };
    }
    return done(0);
  }

  private optionValue(e: FdEntry, name: string): number | { onoff: boolean; seconds: number } | undefined {
    const o = e.opts;
    const knob = (k: string): number | undefined => {
      const v = this.host.knob(k);
      return typeof v === 'number' ? v : undefined;
    };
    switch (name) {
      case 'SO_REUSEADDR':
        return e.reuseaddr;
      case 'SO_ERROR': {
        const err = this.takeError(e);
        return err === null ? 0 : errnoValue(err) ?? -1;
      }
      case 'SO_KEEPALIVE':
        return o.keepalive ? 1 : 0;
      case 'SO_LINGER':
        return o.linger ?? { onoff: false, seconds: 0 };
      case 'SO_RCVBUF':
        return o.rcvbuf ?? knob('tcp_rmem');
      case 'SO_SNDBUF':
        return o.sndbuf ?? knob('tcp_wmem');
      case 'TCP_NODELAY':
        return o.nodelay ? 1 : 0;
      case 'TCP_MAXSEG':
        return e.socket?.info().mss ?? o.mss ?? (this.host.config.mtu - 40);
      case 'TCP_KEEPIDLE':
        return o.keepIdle ?? knob('tcp_keepalive_time');
      case 'TCP_KEEPINTVL':
        return o.keepIntvl ?? knob('tcp_keepalive_intvl');
      case 'TCP_KEEPCNT':
        return o.keepCnt ?? knob('tcp_keepalive_probes');
      default:
        return undefined;
    }
  }

  /** Runs `attempt` now; if it cannot complete, blocks (or EAGAIN on a non-blocking socket). */
  private maybeBlock(e: FdEntry, attempt: () => CallOutcome | null, dontwait = false): CallOutcome {
    const first = this.guard(attempt);
    if (first !== null) return first;
    if (e.nonblocking || dontwait) return fail('EAGAIN');
    return { kind: 'blocked', poll: () => this.guard(attempt) };
  }

  /** Stack errors thrown by a call become errno results. */
  private guard(attempt: () => CallOutcome | null): CallOutcome | null {
    try {
      return attempt();
    } catch (err) {
      const code = stackErrorCode(err);
      if (code !== null) return fail(code);
      throw err;
    }
  }
}

/** The errno of a StackError (anything thrown with an E... `code`), else null. */
function stackErrorCode(err: unknown): string | null {
  if (err instanceof Error && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return null;
}

function errnoLabel(v: number): string {
  for (const name of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'ENOTCONN', 'ECONNABORTED', 'EHOSTUNREACH']) {
    if (errnoValue(name) === v) return `(${describeErrno(name)})`;
  }
  return '';
}
