// A shell on the kernel side of the lab (inside its network namespace, where curl, nc and
// hping3 reach the lab), offered to the GUI's console as a WebSocket on 127.0.0.1 guarded by
// a random token and an Origin check. The terminal is a real pty made by util-linux's
// `script`, so no native module is needed. Off unless asked for: the desktop app asks;
// `tcplab serve --web` only with --shell.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { readSetupState } from '../core/link/setup-state.ts';
import { newToken, tokenMatches, tokenOf } from '../core/api/socket-auth.ts';

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
  /** At most this many shells at once. */
  maxSessions?: number;
}

export interface KernelShell {
  /** ws://127.0.0.1:PORT/shell?token=... */
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command line that runs `shell` in the lab's namespace (argv for spawn). */
export function shellCommand(opts: { netnsPath: string | null; usernsPath: string | null; shell: string; isRoot: boolean }): string[] {
  if (opts.netnsPath === null) return [opts.shell, '-i'];
  if (opts.usernsPath !== null && !opts.isRoot) {
    return ['nsenter', '--preserve-credentials', `--user=${opts.usernsPath}`, `--net=${opts.netnsPath}`, opts.shell, '-i'];
  }
  return ['nsenter', `--net=${opts.netnsPath}`, opts.shell, '-i'];
}

/** Runs argv on a fresh pty (util-linux `script`), sized cols x rows. */
export function spawnOnPty(argv: readonly string[], cols: number, rows: number): ChildProcess {
  const inner = `stty cols ${cols} rows ${rows} 2>/dev/null; exec ${argv.map(quote).join(' ')}`;
  return spawn('script', ['-qfec', inner, '/dev/null'], {
    env: { ...process.env, TERM: 'xterm-256color', PS1: '[kernel \\W]\\$ ' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const children = new Set<ChildProcess>();
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
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/shell') return refuse(socket, 404, 'Not Found');
    if (children.size >= max) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, attach);
  });

  function attach(ws: WebSocket): void {
    let child: ChildProcess | null = null;
    const startWith = (cols: number, rows: number): void => {
      if (child !== null) return;
      const c = spawnOnPty(argv, Math.max(20, Math.min(500, cols)), Math.max(5, Math.min(300, rows)));
      child = c;
      children.add(c);
      const out = (d: Buffer): void => { if (ws.readyState === ws.OPEN) ws.send(d); };
      c.stdout?.on('data', out);
      c.stderr?.on('data', out);
      c.on('error', (err) => { if (ws.readyState === ws.OPEN) ws.send(`\r\n[cannot start the shell: ${err.message}]\r\n`); ws.close(); });
      c.on('exit', () => { children.delete(c); ws.close(); });
    };
    const fallback = setTimeout(() => startWith(80, 24), 300);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (!isBinary && buf[0] === 0x7b) {
        try {
          const msg = JSON.parse(buf.toString()) as { resize?: { cols: number; rows: number } };
          if (msg.resize && child === null) {
            clearTimeout(fallback);
            startWith(msg.resize.cols, msg.resize.rows);
          }
          return;
        } catch { /* typed text that starts with '{' */ }
      }
      if (child === null) startWith(80, 24);
      child?.stdin?.write(buf);
    });
    ws.on('close', () => {
      clearTimeout(fallback);
      if (child !== null && child.exitCode === null) child.kill('SIGHUP');
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const a = server.address();
  port = typeof a === 'object' && a !== null ? a.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/shell?token=${token}`,
    sessions: () => children.size,
    async close() {
      for (const c of children) c.kill('SIGHUP');
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}
