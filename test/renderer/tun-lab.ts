// The browser tests' lab on a real TUN: the kernel side in a private namespace of the test's own
// (test/interop/netns.ts), the lab served as `tcplab serve --web` serves it (tui/commands/serve.ts
// startDaemon: LabServer, the Unix socket, 127.0.0.1 with a token and the renderer bundle), and
// Chromium on its page. close() ends all of it and deletes the namespace.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../core/lab/lab.ts';
import { parseServeArgs, startDaemon, type Daemon } from '../../tui/commands/serve.ts';
import { createTestNet, type TestNet } from '../interop/netns.ts';
import { ensureBundle, openBrowser, type Browsing } from './harness.ts';

export interface TunWebLab {
  net: TestNet;
  daemon: Daemon;
  lab: Lab;
  b: Browsing;
  /** A directory of the test's own (deleted by close()), holding the daemon's Unix socket. */
  dir: string;
  /** The daemon's Unix socket (for `tcplab record` and other clients). */
  socketPath: string;
  close(): Promise<void>;
}

/** Starts it all; `setup` runs on the lab before the page opens (listeners, say). */
export async function openTunWebLab(opts: { shell?: boolean; setup?: (lab: Lab) => void } = {}): Promise<TunWebLab> {
  await ensureBundle();
  const net = await createTestNet();
  const dir = await mkdtemp(join(tmpdir(), 'tcplab-gui-'));
  let daemon: Daemon | null = null;
  let b: Browsing | null = null;
  const close = async (): Promise<void> => {
    await b?.close();
    await daemon?.close();
    await net.cleanup();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const socketPath = join(dir, 'lab.sock');
    const opened = parseServeArgs(['--web', '0', ...(opts.shell ? ['--shell'] : []), '--dev', net.dev, '--socket', socketPath]);
    if (!('web' in opened)) throw new Error(JSON.stringify(opened));
    // The TUN is already open in this process (its kernel side is in the test namespace): hand it over.
    daemon = await startDaemon(opened, { lab: { link: net.tun ?? undefined, device: net.dev, netns: net.ns } });
    opts.setup?.(daemon.lab);
    b = await openBrowser();
    await b.page.goto(daemon.webUrl ?? '');
    await b.page.locator('.lab-id').waitFor();
    return { net, daemon, lab: daemon.lab, b, dir, socketPath, close };
  } catch (err) {
    await close();
    throw err;
  }
}
