// `tcplab packetdrill [--verbose] FILE...`: runs packetdrill scripts against our stack (on a
// manual clock, no network) and prints PASS / FAIL per script. Exit code 0 only if all pass.
import { readFileSync } from 'node:fs';
import { defaultStackFactory } from '../../core/packetdrill/default-stack.ts';
import { formatFailure, runScript } from '../../core/packetdrill/runner.ts';
import { formatLoc } from '../../core/packetdrill/script.ts';
import type { Command } from './command.ts';

const USAGE = `usage: tcplab packetdrill [--verbose] [--seed=N] FILE...

Runs each packetdrill script against tcplab's stack on a simulated clock and prints
PASS file, or FAIL file:line:col: reason with the expected and the actual segment.
  --verbose, -v  print every packet and system call with its time
  --seed=N       seed of the stack's random numbers (ISNs, timestamps); default 1
`;

interface Args {
  files: string[];
  verbose: boolean;
  seed: number;
}

function parseArgs(args: string[]): Args | string {
  const out: Args = { files: [], verbose: false, seed: 1 };
  for (const a of args) {
    if (a === '--verbose' || a === '-v') out.verbose = true;
    else if (a.startsWith('--seed=') && /^\d+$/.test(a.slice(7))) out.seed = Number(a.slice(7));
    else if (a === '--help' || a === '-h') return '';
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else out.files.push(a);
  }
  if (out.files.length === 0) return 'no script given';
  return out;
}

/** Runs one file; returns whether it passed. */
function runFile(file: string, args: Args, write: (s: string) => void): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    write(`FAIL ${file}: cannot read it (${err instanceof Error ? err.message : String(err)})\n`);
    return false;
  }
  const report = runScript(text, { makeStack: defaultStackFactory, seed: args.seed });
  if (args.verbose) for (const line of report.trace) write(`  ${line}\n`);
  for (const w of report.warnings) write(`  warning ${file}:${formatLoc(w.loc)}: ${w.message}\n`);
  if (report.failure === null) {
    write(`PASS ${file}\n`);
    return true;
  }
  write(`${formatFailure(file, report.failure)}\n`);
  return false;
}

export const packetdrillCommand: Command = {
  name: 'packetdrill',
  summary: 'run packetdrill scripts against the stack (PASS/FAIL per script)',
  async run(argv) {
    const args = parseArgs(argv);
    if (typeof args === 'string') {
      if (args === '') {
        process.stdout.write(USAGE);
        return 0;
      }
      process.stderr.write(`tcplab packetdrill: ${args}\n\n${USAGE}`);
      return 2;
    }
    const write = (s: string) => process.stdout.write(s);
    let failed = 0;
    for (const file of args.files) if (!runFile(file, args, write)) failed++;
    if (args.files.length > 1) write(`${args.files.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  },
};
