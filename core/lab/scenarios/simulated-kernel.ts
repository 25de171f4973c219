// The simulated wire's peer playing the kernel side of a scenario: the steps of kernel-tool.py
// (connect, listen, accept, send, recv, shutdown, close, rst, sleep, until, ss, parallel ...)
// carried out on the peer's stack, in lab time, with the same lines (errors by errno name), so a
// scenario runs unchanged without a TUN. It is the lab's own stack on both ends, not Linux:
// the framework says so when a scenario starts here. Forging packets (hping3) is not offered.
import { createHash } from 'node:crypto';
import type { Lab } from '../lab.ts';
import type { SimulatedPeer } from '../simulated-peer.ts';
import type { Listener, Socket } from '../../stack/stack.ts';
import { SS_STATE, type ExecResult, type KernelApi, type KernelJob, type ToolLine } from './kernel.ts';
import { ScenarioRefused } from './refused.ts';

const POLL_MS = 2;

class StepError extends Error {
  constructor(readonly code: string, detail: string) {
    super(detail);
  }
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i & 255;
  return b;
}

function unescape(s: string): string {
  return s.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
}

export class SimulatedKernel implements KernelApi {
  readonly kind = 'simulated' as const;
  readonly where = 'the simulated peer (a second copy of the lab\'s own stack, not Linux)';
  private readonly epoch0 = Date.now();
  private readonly lab0: number;
  private readonly jobs = new Set<{ kill(): void }>();
  private closed = false;

  constructor(readonly lab: Lab, private readonly peer: SimulatedPeer) {
    this.lab0 = lab.clock.now();
  }

  wallNow(): number {
    return this.epoch0 + (this.lab.clock.now() - this.lab0);
  }

  /** Lab time passes (and the peer works) for `ms`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.lab.after(ms, resolve));
  }

  /** Poll `check` every few ms of lab time until it gives a value, or `timeoutMs` pass (null). */
  async poll<T>(check: () => T | null | undefined, timeoutMs: number, alive: () => boolean): Promise<T | null> {
    const end = this.lab.clock.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== null && v !== undefined) return v;
      if (!alive() || this.lab.clock.now() >= end) return null;
      await this.sleep(POLL_MS);
    }
  }

  async has(program: string): Promise<boolean> {
    return program === 'python3';
  }

  async ssLines(state?: string): Promise<string[]> {
    const snap = this.peer.stack.snapshot();
    const lines = [
      ...snap.listeners.map((l) => `LISTEN 0 ${l.backlog} ${l.local} 0.0.0.0:*`),
      ...snap.connections.map((c) => `${SS_STATE[c.state] ?? c.state} ${c.recvQ} ${c.sendQ} ${c.local} ${c.remote}`),
    ];
    return state === undefined ? lines : lines.filter((l) => l.startsWith(`${state} `));
  }

  async watchStates(localPort: number, forMs: number, everyMs = 20): Promise<string[]> {
    const seen: string[] = [];
    const end = this.lab.clock.now() + forMs;
    while (this.lab.clock.now() < end && !this.closed) {
      for (const c of this.peer.stack.snapshot().connections) {
        if (c.local.endsWith(`:${localPort}`)) {
          const name = SS_STATE[c.state] ?? c.state;
          if (!seen.includes(name)) seen.push(name);
        }
      }
      await this.sleep(everyMs);
    }
    return seen;
  }

  synFlood(): Promise<string> {
    throw new ScenarioRefused('the simulated peer cannot forge spoofed SYNs (hping3\'s job on the kernel side); run this scenario on a TUN');
  }

  forgeRst(): Promise<void> {
    throw new ScenarioRefused('the simulated peer cannot forge RSTs (hping3\'s job on the kernel side); run this scenario on a TUN');
  }

  tool(steps: readonly string[], timeoutMs = 30_000): KernelJob {
    if (this.closed) throw new Error('the scenario has ended');
    const lines: ToolLine[] = [];
    const waiters: { pred: (l: ToolLine) => boolean; resolve: (l: ToolLine | null) => void }[] = [];
    let alive = true;
    const t0 = this.lab.clock.now();
    const emit = (l: Omit<ToolLine, 't' | 'wall'>): void => {
      const line = { ...l, t: this.lab.clock.now() - t0, wall: this.wallNow() } as ToolLine;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    };
    const runner = new StepRunner(this, this.peer, emit, () => alive);
    const job = { kill: () => { alive = false; runner.abort(); } };
    this.jobs.add(job);
    const killAt = this.lab.after(timeoutMs, () => job.kill());
    const done = (async (): Promise<ExecResult> => {
      const ok = steps[0] === 'parallel' ? await runner.parallel(steps) : await runner.steps(steps);
      if (alive) emit({ done: true, ok });
      killAt();
      this.jobs.delete(job);
      alive = false;
      for (const w of waiters.splice(0)) w.resolve(null);
      return { code: ok ? 0 : 1, signal: null, stdout: lines.map((l) => JSON.stringify(l)).join('\n'), stderr: '', lines };
    })();
    return {
      argv: ['(simulated peer)', ...steps], lines, done,
      line: (pred) => {
        const have = lines.find(pred);
        if (have !== undefined) return Promise.resolve(have);
        if (!alive) return Promise.resolve(null);
        return new Promise((resolve) => waiters.push({ pred, resolve }));
      },
      kill: () => job.kill(),
    };
  }

  close(): void {
    this.closed = true;
    for (const j of [...this.jobs]) j.kill();
  }
}

/** One kernel-tool.py run on the peer's stack. */
class StepRunner {
  private sock: Socket | null = null;
  private listener: Listener | null = null;
  private bindPort: number | undefined;
  private timeoutMs = 10_000;
  private readonly own: { sockets: Socket[]; listeners: Listener[] } = { sockets: [], listeners: [] };

  constructor(
    private readonly k: SimulatedKernel,
    private readonly peer: SimulatedPeer,
    private readonly emit: (l: Omit<ToolLine, 't' | 'wall'>) => void,
    private readonly alive: () => boolean,
  ) {}

  /** Killed: what it opened goes away as a killed process's sockets would (RST / closed). */
  abort(): void {
    for (const s of this.own.sockets) if (s.state !== 'CLOSED') s.abort();
    for (const l of this.own.listeners) l.close();
  }

  async steps(words: readonly string[]): Promise<boolean> {
    for (const w of words) {
      if (!this.alive()) return false;
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      const arg = eq < 0 ? '' : w.slice(eq + 1);
      try {
        const extra = await this.step(name, arg);
        if (!this.alive()) return false;
        this.emit({ step: name, ok: true, ...extra });
      } catch (err) {
        if (!this.alive()) return false;
        const code = err instanceof StepError ? err.code : 'EINVAL';
        this.emit({ step: name, ok: false, error: code, detail: (err as Error).message });
        return false;
      }
    }
    return true;
  }

  private need(): Socket {
    if (this.sock === null) throw new StepError('ENOTCONN', 'no connection yet');
    return this.sock;
  }

  private info(s: Socket | null = this.sock): Record<string, string> {
    if (s === null) return {};
    return { local: `${this.peerAddr()}:${s.localPort}`, remote: `${this.k.lab.info.labAddr}:${s.remotePort}` };
  }

  private peerAddr(): string {
    return this.k.lab.info.kernelAddr;
  }

  private failure(s: Socket, fallback: string): StepError {
    return new StepError(s.error ?? fallback, `${s.error ?? fallback}`);
  }

  private async connectOne(port: number, localPort: number | undefined, timeoutMs: number): Promise<Socket> {
    let s: Socket;
    try {
      s = this.peer.connect(port, localPort !== undefined ? { localPort } : {});
    } catch (err) {
      throw new StepError((err as { code?: string }).code ?? 'EADDRINUSE', (err as Error).message);
    }
    this.own.sockets.push(s);
    const r = await this.k.poll(() => (s.state !== 'SYN-SENT' && s.state !== 'SYN-RECEIVED' ? s.state : null), timeoutMs, this.alive);
    if (r === null) {
      if (s.state !== 'CLOSED') s.abort();
      throw new StepError('ETIMEDOUT', 'connect timed out');
    }
    if (r === 'CLOSED') throw this.failure(s, 'ECONNREFUSED');
    return s;
  }

  private async write(data: Uint8Array): Promise<void> {
    const s = this.need();
    let off = 0;
    while (off < data.length) {
      if (s.error !== null || s.state === 'CLOSED') throw this.failure(s, 'EPIPE');
      const n = s.write(data.subarray(off));
      off += n;
      if (off < data.length && (await this.k.poll(() => (s.writableLength > 0 || s.state === 'CLOSED' ? true : null), this.timeoutMs, this.alive)) === null) {
        throw new StepError('ETIMEDOUT', 'send timed out');
      }
    }
  }

  private async readSome(s: Socket): Promise<Uint8Array> {
    const got = await this.k.poll(() => {
      const d = s.read(65536);
      if (d !== null && d.length > 0) return d;
      if (s.error !== null) throw this.failure(s, 'ECONNRESET');
      if (d !== null) return d;
      if (s.state === 'CLOSED') return new Uint8Array(0);
      return null;
    }, this.timeoutMs, this.alive);
    if (got === null) throw new StepError('ETIMEDOUT', 'recv timed out');
    return got;
  }

  private async step(name: string, arg: string): Promise<Record<string, unknown>> {
    switch (name) {
      case 'timeout':
        this.timeoutMs = Number(arg) * 1000;
        return {};
      case 'bind':
        this.bindPort = Number(arg);
        return {};
      case 'connect': {
        const port = Number(arg.slice(arg.lastIndexOf(':') + 1));
        const start = this.k.lab.clock.now();
        this.sock = await this.connectOne(port, this.bindPort, this.timeoutMs);
        return { ...this.info(), ms: this.k.lab.clock.now() - start };
      }
      case 'listen': {
        try {
          this.listener = this.peer.stack.listen(Number(arg), 16);
        } catch (err) {
          throw new StepError((err as { code?: string }).code ?? 'EADDRINUSE', (err as Error).message);
        }
        this.own.listeners.push(this.listener);
        return { port: Number(arg) };
      }
      case 'accept': {
        const l = this.listener;
        if (l === null) throw new StepError('EINVAL', 'accept before listen');
        const s = await this.k.poll(() => l.accept(), this.timeoutMs, this.alive);
        if (s === null) throw new StepError('ETIMEDOUT', 'accept timed out');
        this.own.sockets.push(s);
        this.sock = s;
        return this.info();
      }
      case 'acceptloop': {
        const l = this.listener;
        if (l === null) throw new StepError('EINVAL', 'accept before listen');
        for (let i = 0; i < Number(arg); i++) {
          const s = await this.k.poll(() => l.accept(), this.timeoutMs, this.alive);
          if (s === null) throw new StepError('ETIMEDOUT', 'accept timed out');
          this.own.sockets.push(s);
        }
        return { accepted: Number(arg) };
      }
      case 'send': {
        const data = new TextEncoder().encode(unescape(arg));
        await this.write(data);
        return { bytes: data.length };
      }
      case 'sendbytes':
        await this.write(pattern(Number(arg)));
        return { bytes: Number(arg) };
      case 'writes': {
        const [count, size] = arg.split(':').map(Number);
        const s = this.need();
        for (let i = 0; i < count; i++) s.write(new Uint8Array(size).fill(0x78));
        return { writes: count, bytes: count * size };
      }
      case 'recv': {
        const d = await this.readSome(this.need());
        return { bytes: d.length, text: Buffer.from(d.subarray(0, 200)).toString(), eof: d.length === 0 };
      }
      case 'recvall': {
        const s = this.need();
        const h = createHash('sha256');
        let n = 0;
        let first: number | null = null;
        for (;;) {
          const d = await this.readSome(s);
          if (d.length === 0) break;
          first ??= this.k.lab.clock.now();
          n += d.length;
          h.update(d);
        }
        return { bytes: n, sha256: h.digest('hex'), first };
      }
      case 'sleep':
        await this.k.sleep(Number(arg) * 1000);
        return {};
      case 'until': {
        const left = Number(arg) - this.k.wallNow();
        if (left > 0) await this.k.sleep(left);
        return { late_ms: this.k.wallNow() - Number(arg) };
      }
      case 'shutdown':
        this.need().shutdown();
        return {};
      case 'close': {
        const info = this.info();
        this.need().close();
        return info;
      }
      case 'rst': {
        const info = this.info();
        this.need().abort();
        return info;
      }
      case 'nodelay':
        this.need().setOption({ nodelay: true });
        return {};
      case 'ss':
        return { lines: await this.k.ssLines() };
      default:
        throw new StepError('EINVAL', `unknown step ${name}`);
    }
  }

  /** `parallel N HOST:PORT [send=TEXT] [wait=S] [at=MS,...]`, one line per connection. */
  async parallel(words: readonly string[]): Promise<boolean> {
    const n = Number(words[1]);
    const port = Number(words[2].slice(words[2].lastIndexOf(':') + 1));
    const opts = new Map(words.slice(3).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    const text = new TextEncoder().encode(unescape(opts.get('send') ?? ''));
    const waitMs = Number(opts.get('wait') ?? '5') * 1000;
    const offsets = (opts.get('at') ?? '').split(',').filter((x) => x !== '').map(Number);
    const lab = this.k.lab;
    const t0 = lab.clock.now();
    this.emit({ step: 'parallel', ok: true, started: n });
    const end = t0 + Math.max(0, ...offsets) + waitMs;
    const one = async (i: number): Promise<Record<string, unknown>> => {
      const c: Record<string, unknown> = { i, connected: null, error: null, bytes: 0, eof: false, sent: false, first: null, start: null };
      const off = offsets[i] ?? offsets.at(-1) ?? 0;
      if (off > 0) await this.k.sleep(off);
      c.start = lab.clock.now() - t0;
      let s: Socket;
      try {
        s = await this.connectOne(port, undefined, Math.max(1, end - lab.clock.now()));
      } catch (err) {
        c.error = err instanceof StepError ? err.code : 'EINVAL';
        return c;
      }
      c.connected = lab.clock.now() - t0;
      c.local = `${this.peerAddr()}:${s.localPort}`;
      if (text.length > 0) {
        s.write(text);
        c.sent = true;
      }
      while (lab.clock.now() < end && this.alive()) {
        const d = s.read(65536);
        if (d !== null && d.length > 0) {
          c.first ??= lab.clock.now() - t0;
          c.bytes = (c.bytes as number) + d.length;
          continue;
        }
        if (s.error !== null) {
          c.error = s.error;
          break;
        }
        if (d !== null) {
          c.eof = true;
          break;
        }
        if (s.state === 'CLOSED') {
          c.eof = true;
          break;
        }
        await this.k.sleep(POLL_MS);
      }
      if (s.state !== 'CLOSED') s.close();
      return c;
    };
    const results = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
    if (!this.alive()) return false;
    for (const c of results) this.emit({ step: 'conn', ok: c.error === null, ...c });
    return true;
  }
}
