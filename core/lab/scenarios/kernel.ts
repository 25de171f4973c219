// The kernel side of a scenario: Linux's own tools (kernel-tool.py, ss, hping3) run inside the
// network namespace that holds the kernel end of the lab's TUN. Every process is bounded in time,
// followed line by line (kernel-tool.py prints one JSON line per step) and killed by its PID when
// the scenario ends or is stopped; nothing else is ever killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readSetupState } from '../../link/setup-state.ts';
import { KERNEL_TOOL_SOURCE } from './kernel-tool-source.ts';


/** One line kernel-tool.py printed: a finished step, a connection of `parallel`, or the end. */
export interface ToolLine {
  step?: string;
  ok?: boolean;
  error?: string;
  done?: boolean;
  /** ms since the tool started, and wall-clock ms (Date.now()) when the line was printed. */
  t: number;
  wall: number;
  [k: string]: unknown;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The JSON lines of stdout (kernel-tool.py), in order. */
  lines: ToolLine[];
}

export interface KernelJob {
  readonly argv: readonly string[];
  readonly lines: ToolLine[];
  /** Settles when the process exits (or is killed at its time limit). Never rejects. */
  readonly done: Promise<ExecResult>;
  /** Resolves with the first line that satisfies `pred` (null when the process ends first). */
  line(pred: (l: ToolLine) => boolean): Promise<ToolLine | null>;
  kill(): void;
}

/** How to enter the kernel side: `ip netns exec`, nsenter into a user-owned namespace, or nothing. */
export function namespacePrefix(netns: string | null, device: string | null): string[] {
  if (netns === null) return [];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root) return netns.includes('/') ? ['nsenter', `--net=${netns}`] : ['ip', 'netns', 'exec', netns];
  const state = device !== null ? readSetupState(device) : null;
  const nsPath = netns.includes('/') ? netns : `/run/netns/${netns}`;
  if (state?.usernsPath != null && existsSync(state.usernsPath)) {
    return ['nsenter', '--preserve-credentials', `--user=${state.usernsPath}`, `--net=${nsPath}`];
  }
  return ['ip', 'netns', 'exec', netns];
}

function parseLines(text: string): ToolLine[] {
  const out: ToolLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as ToolLine);
    } catch {
      // not one of ours
    }
  }
  return out;
}

/**
 * The other side of the lab, as a scenario drives it: Linux's own tools in the lab's namespace
 * (KernelSide), or the simulated wire's peer stack (simulated-kernel.ts) speaking the same
 * kernel-tool.py step language.
 */
export interface KernelApi {
  readonly kind: 'kernel' | 'simulated';
  /** For texts: 'network namespace tl-1234', 'the simulated peer'. */
  readonly where: string;
  /** kernel-tool.py with these steps (one ToolLine per step, then {done}). */
  tool(steps: readonly string[], timeoutMs?: number): KernelJob;
  /** The TCP sockets as `ss -tan` shows them ('ESTAB 0 0 10.77.0.1:80 10.77.0.2:4000'), optionally in one state (ss's name). */
  ssLines(state?: string): Promise<string[]>;
  /** The states (ss's names) the socket(s) with this local port went through, sampled every `everyMs` for `forMs`. */
  watchStates(localPort: number, forMs: number, everyMs?: number): Promise<string[]>;
  /** `count` SYNs to the lab's `port` from random spoofed sources, `intervalUs` apart; says how many were sent. */
  synFlood(port: number, count: number, intervalUs: number): Promise<string>;
  /** One RST from the kernel's address and `srcPort` to the lab's `dstPort` with sequence number `seq`. */
  forgeRst(srcPort: number, dstPort: number, seq: number): Promise<void>;
  /** Whether a program the scenario needs is there (always true for what the simulated peer imitates). */
  has(program: string): Promise<boolean>;
  /** The kernel side's wall clock (ms since 1970), as kernel-tool.py's `wall` and `until=` use it. */
  wallNow(): number;
  close(): void;
}

/** ss's state names for the RFC's. */
export const SS_STATE: Readonly<Record<string, string>> = {
  'ESTABLISHED': 'ESTAB', 'SYN-SENT': 'SYN-SENT', 'SYN-RECEIVED': 'SYN-RECV', 'FIN-WAIT-1': 'FIN-WAIT-1',
  'FIN-WAIT-2': 'FIN-WAIT-2', 'TIME-WAIT': 'TIME-WAIT', 'CLOSE-WAIT': 'CLOSE-WAIT', 'LAST-ACK': 'LAST-ACK',
  'CLOSING': 'CLOSING', 'LISTEN': 'LISTEN', 'CLOSED': 'UNCONN',
};

export class KernelSide implements KernelApi {
  readonly kind = 'kernel' as const;
  private readonly jobs = new Set<ChildProcess>();
  private closed = false;

  constructor(
    readonly netns: string | null,
    readonly device: string | null,
    readonly kernelAddr: string,
    readonly labAddr: string,
  ) {}

  /** Where the tools run, for texts: 'network namespace tl-1234' or 'the root namespace'. */
  get where(): string {
    return this.netns === null ? 'the root network namespace' : `network namespace ${this.netns}`;
  }

  /** Start `argv` on the kernel side; killed after `timeoutMs` (default 30 s) or at close(). */
  start(argv: readonly string[], timeoutMs = 30_000): KernelJob {
    if (this.closed) throw new Error('the scenario has ended');
    const full = [...namespacePrefix(this.netns, this.device), ...argv];
    const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.jobs.add(child);
    const lines: ToolLine[] = [];
    const waiters: { pred: (l: ToolLine) => boolean; resolve: (l: ToolLine | null) => void }[] = [];
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      const s = d.toString();
      stdout += s;
      partial += s;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const l of parseLines(parts.join('\n'))) {
        lines.push(l);
        for (const w of [...waiters]) {
          if (w.pred(l)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(l);
          }
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 65536) stderr += d.toString();
    });
    const timer = setTimeout(() => this.killChild(child), timeoutMs);
    const done = new Promise<ExecResult>((resolve) => {
      const finish = (code: number | null, signal: string | null, extra = ''): void => {
        clearTimeout(timer);
        this.jobs.delete(child);
        for (const w of waiters.splice(0)) w.resolve(null);
        resolve({ code, signal, stdout, stderr: stderr + extra, lines });
      };
      child.on('error', (err) => finish(null, null, `cannot run ${full[0]}: ${err.message}`));
      child.on('close', (code, signal) => finish(code, signal));
    });
    return {
      argv: full, lines, done,
      line: (pred) => {
        const have = lines.find(pred);
        if (have !== undefined) return Promise.resolve(have);
        if (!this.jobs.has(child)) return Promise.resolve(null);
        return new Promise((resolve) => waiters.push({ pred, resolve }));
      },
      kill: () => this.killChild(child),
    };
  }

  /** Run `argv` to the end (bounded by timeoutMs). */
  run(argv: readonly string[], timeoutMs = 30_000): Promise<ExecResult> {
    return this.start(argv, timeoutMs).done;
  }

  /** kernel-tool.py with these steps. */
  tool(steps: readonly string[], timeoutMs = 30_000): KernelJob {
    return this.start(['python3', '-c', KERNEL_TOOL_SOURCE, ...steps], timeoutMs);
  }

  async ssLines(state?: string): Promise<string[]> {
    const r = await this.run(['ss', '-tanH'], 5000);
    const lines = r.stdout.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l !== '');
    return state === undefined ? lines : lines.filter((l) => l.startsWith(`${state} `));
  }

  async watchStates(localPort: number, forMs: number, everyMs = 20): Promise<string[]> {
    const n = Math.max(1, Math.round(forMs / everyMs));
    const loop = `i=0; while [ $i -lt ${n} ]; do ss -tanH "( sport = :${localPort} )"; sleep ${everyMs / 1000}; i=$((i+1)); done`;
    const r = await this.run(['sh', '-c', loop], forMs + 10_000);
    return [...new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((w) => w !== ''))];
  }

  async synFlood(port: number, count: number, intervalUs: number): Promise<string> {
    const r = await this.run(['hping3', '-q', '-S', '-p', String(port), '--rand-source', '-c', String(count), '-i', `u${intervalUs}`, this.labAddr], 20_000 + count * intervalUs / 1000);
    const sent = /(\d+) packets transmitted/.exec(r.stderr + r.stdout)?.[1];
    return sent !== undefined ? `${sent} SYNs sent` : `hping3: ${(r.stderr.trim().split('\n').pop() ?? '') || `exit ${r.code ?? r.signal}`}`;
  }

  async forgeRst(srcPort: number, dstPort: number, seq: number): Promise<void> {
    await this.run(['hping3', '-q', '-c', '1', '-R', '-s', String(srcPort), '-k', '-p', String(dstPort), '-M', String(seq >>> 0), this.labAddr], 10_000);
  }

  wallNow(): number {
    return Date.now();
  }

  /** Whether a program is installed where the kernel-side tools run. */
  async has(program: string): Promise<boolean> {
    const r = await this.run(['sh', '-c', `command -v ${program}`], 5000);
    return r.code === 0;
  }

  private killChild(child: ChildProcess): void {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Kill every process this scenario started (by PID). */
  close(): void {
    this.closed = true;
    for (const c of this.jobs) this.killChild(c);
  }
}
