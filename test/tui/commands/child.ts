// Test helpers for commands run as separate processes (`tcplab serve`, curl in a namespace, ...):
// start one with its output collected, stop it by its PID, wait for what it prints.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const TCPLAB = path.join(ROOT, 'bin/tcplab.js');

export interface Started { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }

/** Every child started here and not yet exited (stop them in afterAll: `stopAll()`). */
export const children = new Set<ChildProcess>();

/** Start argv (in the checkout's root), collecting its stdout and stderr. */
export function start(argv: string[], opts: SpawnOptions = {}): Started {
  const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, out: () => out, err: () => err, exited };
}

/** Send `signal` to a child we started, by its PID, unless it has exited. */
export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, signal);
    } catch {
      // gone already
    }
  }
}

/** SIGKILL every child started here that is still running. */
export function stopAll(): void {
  for (const c of children) stop(c);
}

/** Resolves with the probe's first truthy value; throws after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | null | undefined | false, ms = 20_000, everyMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
