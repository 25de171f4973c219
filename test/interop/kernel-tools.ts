// The kernel-side programs of the benchmarks: tcp-tool.c built once per process with cc -O2
// (into a temporary directory, removed at exit), run inside a namespace, answering JSON.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecResult } from './netns.ts';

const SOURCE = fileURLToPath(new URL('./tcp-tool.c', import.meta.url));
let built: string | null = null;

/** Path of the compiled tcp-tool (built on first use). Throws when there is no C compiler. */
export function tcpTool(): string {
  if (built !== null) return built;
  const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-tcp-tool-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'tcp-tool');
  execFileSync('cc', ['-O2', '-o', bin, SOURCE], { stdio: 'pipe' });
  built = bin;
  return bin;
}

/** The last JSON line of a run. */
export function jsonOf<T>(r: ExecResult): T {
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  if (lines.length === 0) throw new Error(`no result (exit ${r.code ?? r.signal}): ${r.stdout} ${r.stderr}`);
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Wait until a spawned server prints its {"listening":...} line; collect its later JSON lines. */
export function serverOutput<T>(child: ChildProcess, timeoutMs = 10_000): { ready: Promise<void>; result: Promise<T> } {
  let buf = '';
  let last: string | null = null;
  let markReady: () => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const timer = setTimeout(() => fail(new Error('the server did not start')), timeoutMs);
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) {
      if (l.startsWith('{"listening"')) {
        clearTimeout(timer);
        markReady();
      } else if (l.startsWith('{')) last = l;
    }
  });
  const result = new Promise<T>((resolve, reject) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (last !== null) resolve(JSON.parse(last) as T);
      else reject(new Error(`server exited ${code} without a result`));
    });
  });
  result.catch(() => {});
  return { ready, result };
}
