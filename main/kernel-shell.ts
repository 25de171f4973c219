// A shell on the kernel side of the lab (inside its network namespace, where curl, nc and
// hping3 reach the lab), offered to the desktop app's console as a WebSocket on 127.0.0.1
// guarded by a random token, a Host and an Origin check. The terminal itself (a real pty with
// resizes, keystrokes as binary frames, `{"resize":...}` as text) is the one `tcplab serve
// --web --shell` uses (tui/commands/serve-shell.ts); this file gives it its own loopback
// listener, since the desktop app has no TCP listener of its own.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { readSetupState } from '../core/link/setup-state.ts';
import { newToken, tokenMatches, tokenOf } from '../core/api/socket-auth.ts';
import { createShellServer, SHELL_PATH } from '../tui/commands/serve-shell.ts';

export interface KernelShellOptions {
  /** The lab's TUN device: its recorded namespace is where the shell runs (none: this namespace). */
  device?: string;
  /** Or the namespace directly (a name under /run/netns, or a path). */
  netnsPath?: string | null;
  usernsPath?: string | null;
  /** Origins allowed besides the Electron page's (file://, null). */
  allowedOrigins?: readonly string[];
  /** The shell to run (default $SHELL or /bin/bash). */
  shell?: string;
  /** At most this many shells at once (and never more than serve-shell's own limit). */
  maxSessions?: number;
}

export interface KernelShell {
  /** ws://127.0.0.1:PORT/shell?token=... */
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

/** The command line that runs `shell` in the lab's namespace (argv for spawn). */
export function shellCommand(opts: { netnsPath: string | null; usernsPath: string | null; shell: string; isRoot: boolean }): string[] {
  if (opts.netnsPath === null) return [opts.shell, '-i'];
  if (opts.usernsPath !== null && !opts.isRoot) {
    return ['nsenter', '--preserve-credentials', `--user=${opts.usernsPath}`, `--net=${opts.netnsPath}`, opts.shell, '-i'];
  }
  return ['nsenter', `--net=${opts.netnsPath}`, opts.shell, '-i'];
}

export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  // Electron's file:// page sends 'file://' (or 'null'); a browser page sends its own origin.
  return origin === undefined || origin === 'file://' || origin === 'null' || allowed.includes(origin);
}

export async function startKernelShell(opts: KernelShellOptions = {}): Promise<KernelShell> {
  const state = opts.device !== undefined ? readSetupState(opts.device) : null;
  const netnsPath = opts.netnsPath !== undefined ? opts.netnsPath : state?.netnsPath ?? (state?.netns ? `/run/netns/${state.netns}` : null);
  const usernsPath = opts.usernsPath !== undefined ? opts.usernsPath : state?.usernsPath ?? null;
  const argv = shellCommand({ netnsPath, usernsPath, shell: opts.shell ?? process.env.SHELL ?? '/bin/bash', isRoot: process.getuid?.() === 0 });
  const token = newToken();
  const max = opts.maxSessions ?? 4;
  const shells = createShellServer(argv);
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  let port = 0;

  function refuse(socket: Duplex, status: number, why: string): void {
    socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return refuse(socket, 403, 'Forbidden');
    if (!originAllowed(req.headers.origin, opts.allowedOrigins ?? [])) return refuse(socket, 403, 'Forbidden');
    if (!tokenMatches(token, tokenOf(req))) return refuse(socket, 401, 'Unauthorized');
    if (shells.count >= max) return refuse(socket, 503, 'Service Unavailable');
    if (!shells.onUpgrade(req, socket, head)) refuse(socket, 404, 'Not Found');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const a = server.address();
  port = typeof a === 'object' && a !== null ? a.port : 0;
  return {
    url: `ws://127.0.0.1:${port}${SHELL_PATH}?token=${token}`,
    sessions: () => shells.count,
    async close() {
      shells.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
