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
  // requests.md "packetdrill -> tcp" 1: the immediate-ACK threshold for in-order data is our
  // send MSS (the peer's MSS, minus options), not the size of the segments the peer sends us.
  'delack-every-second-segment.pkt': 'every 1460-byte segment ACKed at once (full-sized = peer MSS 1000)',
  'timestamps-negotiation.pkt': 'a 1000-byte segment ACKed at once (full-sized = peer MSS 1000 - 12)',
  // requests.md "packetdrill -> tcp" 2: TCP_KEEPIDLE set after SO_KEEPALIVE does not re-arm the timer.
  'keepalive-probes.pkt': 'TCP_KEEPIDLE after SO_KEEPALIVE leaves the probe at 7200 s',
  'keepalive-timeout.pkt': 'TCP_KEEPIDLE after SO_KEEPALIVE leaves the probe at 7200 s',
  // requests.md "packetdrill -> tcp" 3: the SYN-ACK window is 65535 whatever the receive buffer.
  'rcv-window-flow-control.pkt': 'SYN-ACK window 65535 with SO_RCVBUF 4000; ~64 KB accepted into it',
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
