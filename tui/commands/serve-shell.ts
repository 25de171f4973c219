// `tcplab serve --web --shell`: a shell on the kernel side of the lab (inside its network
// namespace), offered to the web page as a WebSocket at /shell on the token-guarded 127.0.0.1
// listener. The page's console (renderer/src/views/console.tsx) finds it in the URL's hash
// (#shell=ws://127.0.0.1:PORT/shell?token=T), sends keystrokes as binary frames and
// `{"resize":{"cols":C,"rows":R}}` as text, and gets the terminal's output as binary frames.
// The shell runs as the user who runs `tcplab serve`: it is opt-in, loopback only, and needs the
// token like the API. A small python pty bridge gives it a real terminal (and resizes), since
// Node has no pty of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export const SHELL_PATH = '/shell';
export const MAX_SHELLS = 4;

// fd 0: keystrokes in; fd 1: terminal out; fd 3: one JSON line per resize.
const BRIDGE = `
import fcntl, json, os, pty, select, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
ctl = os.fdopen(3, 'rb', buffering=0)
buf = b''
fds = [0, fd, 3]
while True:
    try:
        r, _, _ = select.select(fds, [], [])
    except InterruptedError:
        continue
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    if 3 in r:
        data = ctl.read(4096)
        if not data:
            fds.remove(3)
            continue
        buf += data
        while b'\\n' in buf:
            line, buf = buf.split(b'\\n', 1)
            try:
                size = json.loads(line)
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', int(size['rows']), int(size['cols']), 0, 0))
            except Exception:
                pass
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            fds.remove(0)
        else:
            os.write(fd, data)
try:
    os.kill(pid, 1)
except OSError:
    pass
os.waitpid(pid, 0)
`;

/** The command that puts a shell on the kernel side: inside `netns` (root, or the user namespace setup made). */
export function kernelShellArgv(netns: string | null, shell = process.env.SHELL ?? '/bin/bash'): string[] {
  if (netns === null) return [shell, '-i'];
  const root = process.getuid?.() === 0;
  const userns = `/run/tcplab/${netns}.userns`;
  if (!root && existsSync(userns)) {
    return ['nsenter', '--preserve-credentials', `--user=${userns}`, `--net=/run/netns/${netns}`, shell, '-i'];
  }
  return ['ip', 'netns', 'exec', netns, shell, '-i'];
}

export interface ShellServer {
  /** For SocketServerOptions.onUpgrade: takes /shell upgrades (already token-checked). */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  readonly count: number;
  close(): void;
}

function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGHUP');
  } catch {
    return;
  }
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 2000).unref();
}

export function createShellServer(argv: readonly string[]): ShellServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const children = new Set<ChildProcess>();

  function attach(ws: WebSocket): void {
    const env = { ...process.env, TERM: 'xterm-256color', PS1: '[kernel side] \\w\\$ ' };
    const child = spawn('python3', ['-c', BRIDGE, ...argv], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env, cwd: process.env.HOME ?? '/' });
    children.add(child);
    const ctl = child.stdio[3] as NodeJS.WritableStream;
    child.stdout?.on('data', (d: Buffer) => ws.send(d, { binary: true }));
    child.stderr?.on('data', (d: Buffer) => ws.send(d, { binary: true }));
    child.on('exit', () => {
      children.delete(child);
      ws.close(1000, 'shell exited');
    });
    child.on('error', (err) => ws.close(1011, `cannot start a shell: ${err.message}`.slice(0, 120)));
    for (const s of [child.stdin, ctl]) s?.on('error', () => {});
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        child.stdin?.write(bytes);
        return;
      }
      try {
        const m = JSON.parse(bytes.toString()) as { resize?: { cols?: unknown; rows?: unknown } };
        const cols = Number(m.resize?.cols);
        const rows = Number(m.resize?.rows);
        if (Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0 && cols < 1000 && rows < 1000) {
          ctl.write(`${JSON.stringify({ cols, rows })}\n`);
        }
      } catch {
        // not a control message: ignore it
      }
    });
    ws.on('close', () => stop(child));
    ws.on('error', () => ws.terminate());
  }

  return {
    onUpgrade(req, socket, head) {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== SHELL_PATH) return false;
      if (children.size >= MAX_SHELLS) {
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return true;
      }
      wss.handleUpgrade(req, socket, head, attach);
      return true;
    },
    get count() {
      return children.size;
    },
    close() {
      for (const c of children) stop(c);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
