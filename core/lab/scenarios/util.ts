// Small helpers the scenarios share: reading kernel-tool.py's lines.
import type { Lab } from '../lab.ts';
import type { ExecResult, ToolLine } from './kernel.ts';

/** The kernel's port of the connection a connect= or accept step made ("local": "10.77.0.1:40000"). */
export function kernelPort(lines: readonly ToolLine[], step: 'connect' | 'accept' = 'connect'): number | null {
  const l = lines.find((x) => x.step === step && x.ok === true);
  const local = l?.local;
  if (typeof local !== 'string') return null;
  const p = Number(local.slice(local.lastIndexOf(':') + 1));
  return Number.isInteger(p) && p > 0 ? p : null;
}

/** The first failed step of a kernel-tool.py run, as 'connect: ECONNREFUSED', or 'ok'. */
export function toolOk(r: ExecResult): string {
  const bad = r.lines.find((l) => l.ok === false && l.step !== undefined);
  if (bad !== undefined) return `${bad.step}: ${bad.error ?? 'failed'}`;
  if (r.lines.some((l) => l.done === true)) return 'ok';
  const why = r.stderr.trim().split('\n').pop() ?? '';
  return r.signal !== null ? `killed (${r.signal})` : `exit ${r.code ?? '?'}${why ? `: ${why}` : ''}`;
}

/** The error of the step named `step` (null when it succeeded or never ran). */
export function stepError(lines: readonly ToolLine[], step: string): string | null {
  const l = lines.find((x) => x.step === step);
  return l === undefined ? null : l.ok === true ? null : (l.error ?? 'failed');
}

/** The line of the step named `step`. */
export function stepLine(lines: readonly ToolLine[], step: string): ToolLine | undefined {
  return lines.find((x) => x.step === step);
}

/** Read what waits in a lab connection's receive queue (bytes read; end of stream counts 0). */
export function drain(s: { lab: Lab }, conn: number): number {
  const sock = s.lab.stack.connection(conn);
  if (sock === undefined) return 0;
  let n = 0;
  for (let d = sock.read(); d !== null && d.length > 0; d = sock.read()) n += d.length;
  return n;
}
