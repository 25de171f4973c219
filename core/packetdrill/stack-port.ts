// What the runner needs from the stack (core/stack, see /work/team/stack-api.md): the
// socket API it maps system calls to, packet input, timers and knobs. Written as an interface
// so the runner's contract with the stack is visible in one place; the real Stack satisfies it.
import type { SocketInfo } from '../stack/snapshot.ts';
import type { SocketOptions } from '../stack/socket.ts';

/** The socket options the runner maps setsockopt to: the stack's own. */
export type PdSocketOptions = SocketOptions;

export interface PdSocket {
  readonly localPort: number;
  readonly remotePort: number;
  readonly remoteAddr: number;
  readonly state: string;
  readonly error: string | null;
  readonly readableLength: number;
  readonly writableLength: number;
  write(data: Uint8Array): number;
  read(max?: number): Uint8Array | null;
  shutdown(): void;
  close(): void;
  abort(): void;
  setOption(opts: PdSocketOptions): void;
  info(): SocketInfo;
}

export interface PdListener {
  readonly port: number;
  backlog: number;
  accept(): PdSocket | null;
  close(): void;
}

export interface PdStack {
  input(packet: Uint8Array): void;
  nextDeadline(): number | null;
  runTimers(): void;
  listen(port: number, backlog: number, opts?: PdSocketOptions): PdListener;
  connect(remoteAddr: number, remotePort: number, opts?: PdSocketOptions & { localPort?: number }): PdSocket;
  setKnob(name: string, value: number | string): { ok: true } | { ok: false; error: string };
  getKnobs(): Record<string, number | string>;
  /** Counters by Linux name (ListenOverflows, SyncookiesSent, ...), for `%{ assert TcpExtX == N }%`. */
  readonly counters?: { all(): Record<string, number> };
}

/** A knob's description, for mapping Linux sysctl names (net.ipv4.tcp_*) to ours. */
export interface PdKnobSpec {
  readonly name: string;
  readonly linuxName?: string;
  /** Other sysctl names that mean this knob (FreeBSD's SYN cache names). */
  readonly aliases?: readonly string[];
}
