// Interop helpers for the Lab against the real kernel: a Lab on the TUN of a private test
// namespace (netns.ts), the kernel-side tools (kernel-peer.py, curl, nc, ss) run inside it,
// and small lab-side sinks and sources that hash what crosses.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLab, type CreateLabOptions } from '../../core/lab/create.ts';
import type { Lab } from '../../core/lab/lab.ts';
import type { TcpState } from '../../core/api/names.ts';
import type { ConnectionRow } from '../../core/api/snapshot.ts';
import type { Socket } from '../../core/stack/socket.ts';
import { createTestNet, type ExecResult, type TestNet, type TestNetOptions } from './netns.ts';

export const KERNEL_PEER = fileURLToPath(new URL('./kernel-peer.py', import.meta.url));

export interface LabNet {
  net: TestNet;
  lab: Lab;
  cleanup(): Promise<void>;
}

/** A namespace with the TUN's kernel side in it, and a Lab on the TUN (real time). */
export async function createLabNet(opts: TestNetOptions & { lab?: Omit<CreateLabOptions, 'link' | 'device'> } = {}): Promise<LabNet> {
  const net = await createTestNet(opts);
  let lab: Lab;
  try {
    lab = createLab({ ...opts.lab, link: net.tun ?? undefined, device: net.dev, netns: net.ns });
  } catch (err) {
    await net.cleanup();
    throw err;
  }
  return {
    net, lab,
    async cleanup() {
      try {
        lab.close();
      } finally {
        await net.cleanup();
      }
    },
  };
}

/** Parse the last JSON line a kernel-peer.py run printed (throws with its output otherwise). */
export function lastJson<T = Record<string, unknown>>(r: ExecResult): T {
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  if (lines.length === 0) throw new Error(`kernel-peer printed no result (exit ${r.code ?? r.signal}): ${r.stdout}\n${r.stderr}`);
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Run kernel-peer.py inside the namespace and return its JSON result. */
export async function kernelPeer<T = Record<string, unknown>>(net: TestNet, args: (string | number)[], timeoutMs = 60_000): Promise<T> {
  return lastJson<T>(await net.exec(['python3', KERNEL_PEER, ...args.map(String)], { timeoutMs }));
}

/**
 * Start a kernel-peer.py server inside the namespace; resolves once it listens. `result`
 * settles with its JSON result (it is killed at cleanup if it never ends).
 */
export async function kernelServer<T = Record<string, unknown>>(net: TestNet, args: (string | number)[]): Promise<{ result: Promise<T> }> {
  const child = net.spawn(['python3', KERNEL_PEER, 'server', ...args.map(String)]);
  let out = '';
  let err = '';
  const lines: string[] = [];
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => (listening = resolve));
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    for (const l of parts) {
      if (l.startsWith('{"listening"')) listening();
      else if (l.startsWith('{')) lines.push(l);
    }
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<T>((resolve, reject) => {
    child.on('exit', (code) => {
      listening();
      if (lines.length > 0) resolve(JSON.parse(lines[lines.length - 1]) as T);
      else reject(new Error(`kernel server exited ${code} without a result: ${err}`));
    });
  });
  result.catch(() => {});
  await Promise.race([ready, sleep(10_000).then(() => { throw new Error('kernel server did not start listening'); })]);
  return { result };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `pred` (real time) until it holds or `timeoutMs` passes. */
export async function waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export interface Hashed {
  bytes: number;
  sha: string;
  /** Set when the connection delivered end of stream. */
  eof: boolean;
  error: string | null;
}

/** Read a lab socket to EOF, hashing; resolves with what arrived. Closes it at EOF when `closeAtEof`. */
export function hashIncoming(sock: Socket, closeAtEof = true): Promise<Hashed> {
  const h = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve) => {
    let done = false;
    const finish = (eof: boolean, error: string | null): void => {
      if (done) return;
      done = true;
      if (eof && closeAtEof && sock.state !== 'CLOSED') sock.close();
      resolve({ bytes, sha: h.digest('hex'), eof, error });
    };
    const pump = (): void => {
      for (let d = sock.read(); d !== null; d = sock.read()) {
        if (d.length === 0) return finish(true, null);
        bytes += d.length;
        h.update(d);
      }
    };
    sock.on('readable', pump);
    sock.on('end', pump);
    sock.on('error', (code) => finish(false, code));
    sock.on('close', () => finish(false, sock.error));
    pump();
  });
}

/** Pseudo-random bytes (deterministic per seed). */
export function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  const v = new Uint32Array(b.buffer, 0, n >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < v.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = x >>> 0;
  }
  for (let i = v.length * 4; i < n; i++) b[i] = i & 255;
  return b;
}

/** Write `data` to a lab socket with backpressure, then shut down (or close) writing. */
export function sendAll(sock: Socket, data: Uint8Array, then: 'shutdown' | 'close' | 'none' = 'shutdown'): Promise<{ sent: number; sha: string }> {
  let off = 0;
  return new Promise((resolve, reject) => {
    let done = false;
    const push = (): void => {
      if (done) return;
      try {
        while (off < data.length) {
          const n = sock.write(data.subarray(off, Math.min(data.length, off + (1 << 20))));
          if (n === 0) return;
          off += n;
        }
      } catch (err) {
        done = true;
        reject(err as Error);
        return;
      }
      done = true;
      if (then === 'shutdown') sock.shutdown();
      else if (then === 'close') sock.close();
      resolve({ sent: off, sha: createHash('sha256').update(data).digest('hex') });
    };
    sock.on('drain', push);
    sock.on('connect', push);
    sock.on('error', (code) => {
      if (!done) {
        done = true;
        reject(new Error(`lab socket error ${code} after ${off} bytes`));
      }
    });
    if (sock.state !== 'SYN-SENT') push();
  });
}

/** The kernel's TCP sockets in the namespace (`ss -tan`), one line each. */
export async function kernelSockets(net: TestNet): Promise<string[]> {
  const r = await net.exec(['ss', '-tanH']);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

/** Wait for a connection in a (manual) listener's accept queue and take it; resolves with its id. */
export async function acceptOne(lab: Lab, listener: number, timeoutMs = 10_000): Promise<number> {
  let conn: number | null = null;
  await waitFor(() => (conn = (lab.handlers.accept({ listener }) as { conn: number | null }).conn) !== null, timeoutMs, `a connection on listener ${listener}`);
  return conn as unknown as number;
}

/**
 * The lab's snapshot row of `conn` taken right after the batch of work in which it entered `state`
 * (a state can be short: an RST ends TIME-WAIT, as in Linux with tcp_rfc1337=0).
 */
export function rowWhenState(lab: Lab, state: TcpState, conn?: () => number | null): Promise<ConnectionRow> {
  return new Promise((resolve) => {
    const off = lab.events.subscribe((e) => {
      if (e.kind !== 'state' || e.to !== state) return;
      const want = conn?.() ?? e.conn;
      if (e.conn !== want) return;
      off();
      // After the batch that made the change (timers are set after the state event).
      queueMicrotask(() => {
        const row = lab.snapshot().connections.find((c) => c.id === e.conn);
        if (row !== undefined) resolve(row);
      });
    });
  });
}
