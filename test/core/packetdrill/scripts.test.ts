// Every packetdrill script in test/packetdrill runs against our stack, one test case each.
// A script that fails because of a stack bug (reported in /work/team/requests.md under
// "packetdrill -> tcp") is listed in KNOWN_FAILURES with the bug; it runs as `it.fails`, so
// the suite stays green while the bug is open and turns red when it is fixed (then remove it
// from the list).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultStackFactory } from '../../../core/packetdrill/default-stack.ts';
import { formatFailure, runScript } from '../../../core/packetdrill/runner.ts';

const DIR = new URL('../../packetdrill/', import.meta.url);

/** Scripts failing because of a known stack bug: file -> the bug. */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.pkt')).sort();

function run(file: string): void {
  const report = runScript(readFileSync(new URL(file, DIR), 'utf8'), { makeStack: defaultStackFactory });
  if (report.failure !== null) throw new Error(`\n${formatFailure(file, report.failure)}`);
}

describe('packetdrill scripts', () => {
  it('has at least 40 scripts', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it('lists only existing scripts as known failures', () => {
    expect(Object.keys(KNOWN_FAILURES).filter((f) => !files.includes(f))).toEqual([]);
  });

  for (const file of files) {
    const bug = KNOWN_FAILURES[file];
    if (bug === undefined) it(file, () => run(file));
    else it.fails(`${file} (known stack bug: ${bug})`, () => run(file));
  }
});
