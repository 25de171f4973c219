// A root user with nothing set up runs the real lab with one command: `tcplab serve` (no `tcplab
// setup` record, no such TUN) makes a namespace tcplab-<pid> and a TUN tl<pid> of its own, says so
// in one line with the curl to try, and deletes both when it stops: on SIGTERM by itself, after
// SIGKILL (a crash) through its watchdog. The kernel's curl in that namespace gets the lab's page
// from a listener made by `tcplab listen`. Processes are stopped by their PID; the namespaces are
// deleted afterwards also when a test fails.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPHEMERAL_MARKER_DIR } from '../../../core/lab/ephemeral.ts';
import { readSetupState } from '../../../core/link/setup-state.ts';
import { isRoot, run, uniqueName } from '../../interop/netns.ts';
import { start, stop, stopAll, TCPLAB, waitFor, type Started } from './child.ts';

// The default device must not exist for `serve` without --dev to make its own; should this machine
// have a tcplab0 (set up by hand), name a device that does not exist instead (the same rule).
const devArgs = readSetupState('tcplab0') === null && !existsSync('/sys/class/net/tcplab0') ? [] : ['--dev', uniqueName('tlnone')];

describe.skipIf(!isRoot)('tcplab serve as root with nothing set up: a namespace and TUN of its own, gone when it stops', () => {
  let tmp: string;
  const made = new Set<string>();

  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'tl-eph-'));
  });

  afterAll(async () => {
    stopAll();
    for (const ns of made) await run(['ip', 'netns', 'del', ns]);
    rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  async function serve(name: string): Promise<{ daemon: Started; sock: string; ns: string; dev: string }> {
    const sock = path.join(tmp, name, 'lab.sock');
    const daemon = start([process.execPath, TCPLAB, 'serve', ...devArgs, '--socket', sock]);
    await waitFor('the daemon to serve', () => daemon.out().includes('Serving') || daemon.child.exitCode !== null, 60_000);
    if (!daemon.out().includes('Serving')) throw new Error(`tcplab serve did not start:\n${daemon.out()}${daemon.err()}`);
    const ns = `tcplab-${daemon.child.pid}`;
    const dev = `tl${daemon.child.pid}`;
    made.add(ns);
    return { daemon, sock, ns, dev };
  }

  const gone = (ns: string, dev: string): boolean =>
    !existsSync(`/run/netns/${ns}`) && !existsSync(`/sys/class/net/${dev}`) && !existsSync(path.join(EPHEMERAL_MARKER_DIR, ns));

  it('says what it made and how to use it; curl in that namespace gets the page of a `tcplab listen` listener; SIGTERM removes both', async () => {
    const { daemon, sock, ns, dev } = await serve('a');
    const lines = daemon.out().split('\n');
    const notice = lines.filter((l) => l.includes(`namespace ${ns}`));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toContain(`TUN ${dev}`);
    expect(notice[0]).toContain(`ip netns exec ${ns} curl http://10.77.0.2/`);
    expect(lines[0]).toBe(`tcplab: lab 10.77.0.2 on TUN ${dev}, kernel side 10.77.0.1`);
    expect(existsSync(`/run/netns/${ns}`)).toBe(true);
    // The TUN's kernel side is in the namespace, not in ours.
    expect(existsSync(`/sys/class/net/${dev}`)).toBe(false);
    expect((await run(['ip', '-n', ns, '-br', 'addr', 'show', 'dev', dev])).stdout).toMatch(/10\.77\.0\.1\/24/);

    const listen = await run([process.execPath, TCPLAB, 'listen', '80', '--responder', 'http', '--socket', sock], { timeoutMs: 30_000 });
    expect(listen).toMatchObject({ code: 0, stdout: 'listening on port 80 (http), listener 1\n' });
    const curl = await run(['ip', 'netns', 'exec', ns, 'curl', '-sS', '-m', '20', 'http://10.77.0.2/'], { timeoutMs: 30_000 });
    expect(curl.code).toBe(0);
    expect(curl.stdout).toMatch(/^Hello from tcplab: 10\.77\.0\.2:80 .* answered GET \/ from 10\.77\.0\.1:\d+/);

    stop(daemon.child, 'SIGTERM');
    expect(await daemon.exited).toBe(0);
    // Deleted by serve itself before it exits.
    expect(gone(ns, dev)).toBe(true);
    expect(existsSync(sock)).toBe(false);
  }, 120_000);

  it('after a crash (SIGKILL: no handler runs) its watchdog deletes the namespace and the TUN', async () => {
    const { daemon, ns, dev } = await serve('b');
    expect(existsSync(`/run/netns/${ns}`)).toBe(true);
    stop(daemon.child, 'SIGKILL');
    await daemon.exited;
    await waitFor(`${ns} and ${dev} to be deleted`, () => gone(ns, dev), 10_000);
  }, 120_000);
});
