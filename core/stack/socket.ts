// The user-facing objects: Socket (one connection), Listener (one listening port) and
// StackError. Thin wrappers: the TCB holds the state, the stack runs the calls.
import type { SocketErrorCode } from '../tcp/effects.ts';
import type { TcpState } from '../tcp/state.ts';
import type { Tcb } from '../tcp/tcb.ts';
import type { ListenQueue } from '../listen/listener.ts';
import type { SocketInfo } from './snapshot.ts';

export class StackError extends Error {
  readonly code: string;
  constructor(code: string, message?: string) {
    super(message ?? code);
    this.code = code;
    this.name = 'StackError';
  }
}

export interface SocketOptions {
  nodelay?: boolean;
  keepalive?: boolean;
  /** TCP_KEEPIDLE, seconds. */
  keepIdle?: number;
  /** TCP_KEEPINTVL, seconds. */
  keepIntvl?: number;
  /** TCP_KEEPCNT. */
  keepCnt?: number;
  rcvbuf?: number;
  sndbuf?: number;
  /** TCP_MAXSEG. */
  mss?: number;
  /** SO_LINGER: onoff with 0 seconds makes close() an abort (RST). */
  linger?: { onoff: boolean; seconds: number };
}

export type SocketEvent = 'connect' | 'readable' | 'end' | 'drain' | 'close';

/** What a Socket needs from its stack (implemented by Stack). */
export interface SocketHost {
  sockWrite(t: Tcb, data: Uint8Array): number;
  sockRead(t: Tcb, max: number): Uint8Array | null;
  sockDiscard(t: Tcb, max: number): number;
  sockShutdown(t: Tcb): void;
  sockClose(t: Tcb, sock: Socket): void;
  sockAbort(t: Tcb): void;
  sockSetOption(t: Tcb, sock: Socket, opts: SocketOptions): void;
  sockInfo(t: Tcb): SocketInfo;
  sockReadable(t: Tcb): number;
  sockWritable(t: Tcb): number;
}

type Handlers = { [K in SocketEvent]?: (() => void)[] } & { error?: ((code: SocketErrorCode) => void)[] };

export class Socket {
  /** @internal */ readonly tcb: Tcb;
  private readonly host: SocketHost;
  private handlers: Handlers | null = null;
  /** SO_LINGER seconds when on, else -1. */
  linger = -1;

  constructor(host: SocketHost, tcb: Tcb) {
    this.host = host;
    this.tcb = tcb;
  }

  get id(): number { return this.tcb.id; }
  get localAddr(): number { return this.tcb.localAddr; }
  get localPort(): number { return this.tcb.localPort; }
  get remoteAddr(): number { return this.tcb.remoteAddr; }
  get remotePort(): number { return this.tcb.remotePort; }
  get state(): TcpState { return this.tcb.state; }
  get error(): SocketErrorCode | null { return this.tcb.error; }
  /** Recv-Q: bytes received in order, not yet read. */
  get readableLength(): number { return this.host.sockReadable(this.tcb); }
  /** Send-Q: bytes not yet acknowledged. */
  get writableLength(): number { return this.host.sockWritable(this.tcb); }

  write(data: Uint8Array): number { return this.host.sockWrite(this.tcb, data); }
  read(max = Number.MAX_SAFE_INTEGER): Uint8Array | null { return this.host.sockRead(this.tcb, max); }
  /** Like read() for a sink: drops up to max received bytes without copying; the bytes dropped (0: none buffered). */
  discard(max = Number.MAX_SAFE_INTEGER): number { return this.host.sockDiscard(this.tcb, max); }
  shutdown(): void { this.host.sockShutdown(this.tcb); }
  close(): void { this.host.sockClose(this.tcb, this); }
  abort(): void { this.host.sockAbort(this.tcb); }
  setOption(opts: SocketOptions): void { this.host.sockSetOption(this.tcb, this, opts); }
  info(): SocketInfo { return this.host.sockInfo(this.tcb); }

  on(event: SocketEvent, cb: () => void): void;
  on(event: 'error', cb: (code: SocketErrorCode) => void): void;
  on(event: SocketEvent | 'error', cb: ((code: SocketErrorCode) => void) | (() => void)): void {
    const h = (this.handlers ??= {});
    const list = (h[event] ??= []) as unknown[];
    list.push(cb);
  }

  /** @internal */
  emit(event: SocketEvent): void {
    const list = this.handlers?.[event];
    if (list !== undefined) for (const cb of list.slice()) cb();
  }

  /** @internal */
  emitError(code: SocketErrorCode): void {
    const list = this.handlers?.error;
    if (list !== undefined) for (const cb of list.slice()) cb(code);
  }
}

/** What a Listener needs from its stack. */
export interface ListenerHost {
  listenerAccept(l: Listener): Socket | null;
  listenerClose(l: Listener): void;
  listenerSetBacklog(l: Listener, backlog: number): void;
}

export class Listener {
  /** @internal */ readonly queue: ListenQueue;
  /** @internal */ readonly opts: SocketOptions;
  private readonly host: ListenerHost;
  private acceptable: (() => void)[] | null = null;

  constructor(host: ListenerHost, queue: ListenQueue, opts: SocketOptions) {
    this.host = host;
    this.queue = queue;
    this.opts = opts;
  }

  get id(): number { return this.queue.id; }
  get port(): number { return this.queue.port; }
  get backlog(): number { return this.queue.requestedBacklog; }
  set backlog(n: number) { this.host.listenerSetBacklog(this, n); }
  /** Connections waiting in the accept queue. */
  get pending(): number { return this.queue.acceptLength; }

  accept(): Socket | null { return this.host.listenerAccept(this); }
  onAcceptable(cb: () => void): void { (this.acceptable ??= []).push(cb); }
  close(): void { this.host.listenerClose(this); }

  /** @internal */
  emitAcceptable(): void {
    if (this.acceptable !== null) for (const cb of this.acceptable.slice()) cb();
  }
}
