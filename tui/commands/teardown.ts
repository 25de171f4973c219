// `tcplab teardown`: undo `tcplab setup` (the TUN, the namespace setup made or named, the pinned
// user namespace, the record in /run/tcplab). Idempotent: what is already gone is reported as such.
import { existsSync, rmSync } from 'node:fs';
import { readSetupState, usernsPathFor } from '../../core/link/setup-state.ts';
import type { Command } from './command.ts';
import {
  asRootCommand, checkDev, checkNetns, DEFAULTS, ipArgs, isRoot, linkState, must, netnsExists, parseFlags,
  removeSetupState, SetupError, sh,
} from './setup.ts';

interface TeardownArgs { dev: string; netns: string | null; explicitNetns: boolean }

function parseTeardownArgs(args: string[]): TeardownArgs {
  const f = parseFlags(args, { dev: 'value', netns: 'value' });
  const dev = checkDev(typeof f.get('dev') === 'string' ? (f.get('dev') as string) : DEFAULTS.dev);
  const given = f.get('netns');
  const state = readSetupState(dev);
  const netns = typeof given === 'string' ? checkNetns(given) : state?.netns ?? null;
  return { dev, netns, explicitNetns: typeof given === 'string' };
}

/** Delete `dev` where it is, if it is a TUN; returns the report line. */
function removeDevice(dev: string, netns: string | null, lines: string[]): number {
  const places = netns !== null && netnsExists(netns) ? [netns, null] : [null];
  for (const place of places) {
    const link = linkState(place, dev);
    if (link === null) continue;
    const where = place === null ? 'the root namespace' : `namespace ${place}`;
    if (link.kind !== 'tun') {
      lines.push(`  ! ${dev} in ${where} is not a TUN (${link.kind ?? 'unknown kind'}); left alone`);
      return 0;
    }
    must([...ipArgs(place), 'link', 'del', 'dev', dev]);
    lines.push(`  - deleted TUN ${dev} from ${where}`);
    return 1;
  }
  lines.push(`  = TUN ${dev} does not exist`);
  return 0;
}

function removeNetns(a: TeardownArgs, createdBySetup: boolean, lines: string[]): number {
  if (a.netns === null) return 0;
  let changes = 0;
  if (!netnsExists(a.netns)) {
    lines.push(`  = network namespace ${a.netns} does not exist`);
  } else if (a.explicitNetns || createdBySetup) {
    must(['ip', 'netns', 'del', a.netns]);
    lines.push(`  - deleted network namespace ${a.netns}`);
    changes++;
  } else {
    lines.push(`  = network namespace ${a.netns} was not made by setup; left alone`);
  }
  const userns = usernsPathFor(a.netns);
  if (existsSync(userns)) {
    sh(['umount', userns]);
    rmSync(userns, { force: true });
    lines.push(`  - released its user namespace (${userns})`);
    changes++;
  }
  return changes;
}

export async function teardown(args: string[], out: (text: string) => void): Promise<number> {
  const a = parseTeardownArgs(args);
  if (!isRoot()) {
    const nothing = readSetupState(a.dev) === null && linkState(null, a.dev) === null && (a.netns === null || !netnsExists(a.netns));
    if (nothing) {
      out(`tcplab teardown: nothing of ${a.dev} is left to remove.\n`);
      return 0;
    }
    const again = ['--dev', a.dev, ...(a.netns !== null ? ['--netns', a.netns] : [])];
    out(`tcplab teardown needs root to delete the TUN device${a.netns ? ' and the network namespace' : ''}. Run this as root:\n\n` +
      `  ${asRootCommand('teardown', again)}\n`);
    return 1;
  }
  const state = readSetupState(a.dev);
  const lines: string[] = [];
  let changes = removeDevice(a.dev, a.netns, lines);
  changes += removeNetns(a, state !== null && state.netns === a.netns && state.createdNetns, lines);
  if (removeSetupState(a.dev)) {
    lines.push(`  - removed the setup record of ${a.dev}`);
    changes++;
  }
  const head = changes === 0 ? `tcplab teardown: nothing to remove for ${a.dev}.` : `tcplab teardown: removed ${a.dev}'s lab setup.`;
  out(`${head}\n${lines.join('\n')}\n`);
  return 0;
}

export const teardownCommand: Command = {
  name: 'teardown',
  summary: 'as root: remove what `tcplab setup` made (the TUN, the namespace)',
  async run(args) {
    try {
      return await teardown(args, (t) => process.stdout.write(t));
    } catch (err) {
      if (err instanceof SetupError) {
        process.stderr.write(`tcplab teardown: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
