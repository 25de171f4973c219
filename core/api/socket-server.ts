// The socket transport, server side: the remote protocol over WebSocket, on a private Unix
// socket and, when asked for, on 127.0.0.1:PORT guarded by a token, an Origin and a Host check.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { LabApi } from './lab-api.ts';
import type { ServerMessage } from './protocol.ts';
import { serverMessageBytes } from './message-json.ts';
import { ApiSession } from './session.ts';
import { checkTcpAccess, loopbackOrigins, newToken, type TcpAccess } from './socket-auth.ts';
import { clearStaleSocket, defaultSocketPath, ensurePrivateDir } from './socket-dir.ts';

export const API_PATH = '/api';
export const MAX_MESSAGE_BYTES = 8 << 20;
/** A client whose unread output passes this is disconnected: it never slows the lab. */
export const MAX_BUFFERED_BYTES = 32 << 20;

export interface SocketServerOptions {
  api: LabApi;
  /** The Unix socket; default $XDG_RUNTIME_DIR/tcplab/lab.sock; null for none. */
  unixPath?: string | null;
  /** Also serve on 127.0.0.1:port (0 picks a free port) with a token. */
  tcp?: { port: number; token?: string; allowedOrigins?: string[] };
  /** Plain HTTP requests (not the API) on either listener; default 404. */
  onHttpRequest?: (req: IncomingMessage, res: ServerResponse, access: TcpAccess | null) => void;
  /**
   * WebSocket upgrades to other paths than the API's on the TCP listener, after the token,
   * Origin and Host checks passed (e.g. `tcplab serve --shell`); answers whether it took it
   * (otherwise 404).
   */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer, access: TcpAccess) => boolean;
}

export interface SocketServer {
  readonly unixPath: string | null;
  /** ws://127.0.0.1:PORT/api?token=..., when serving on TCP. */
  readonly tcpUrl: string | null;
  readonly tcp: TcpAccess | null;
  clientCount(): number;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

function listen(server: Server, target: string | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => { server.off('error', reject); resolve(); };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

export async function startSocketServer(opts: SocketServerOptions): Promise<SocketServer> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  const servers: Server[] = [];

  function attach(ws: WebSocket): void {
    clients.add(ws);
    const send = (msg: ServerMessage): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return ws.terminate();
      ws.send(serverMessageBytes(msg), { binary: false });
    };
    const session = new ApiSession(opts.api, send, (reason) => ws.close(1008, reason.slice(0, 120)));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let msg: unknown;
      try {
        msg = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        msg = undefined;
      }
      session.receive(msg);
    });
    ws.on('close', () => { clients.delete(ws); session.close(); });
    ws.on('error', () => ws.terminate());
  }

  function serve(access: TcpAccess | null): Server {
    const server = createServer((req, res) => {
      if (opts.onHttpRequest) return opts.onHttpRequest(req, res, access);
      res.writeHead(404).end();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      if (access !== null) {
        const verdict = checkTcpAccess(req, access);
        if (!verdict.ok) return refuse(socket, verdict.status, verdict.reason);
      }
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== API_PATH) {
        if (access !== null && opts.onUpgrade?.(req, socket, head, access) === true) return;
        return refuse(socket, 404, 'not found');
      }
      wss.handleUpgrade(req, socket, head, attach);
    });
    servers.push(server);
    return server;
  }

  const unixPath = opts.unixPath === undefined ? defaultSocketPath() : opts.unixPath;
  let tcp: TcpAccess | null = null;
  try {
    if (unixPath !== null) {
      await ensurePrivateDir(dirname(unixPath));
      await clearStaleSocket(unixPath);
      await listen(serve(null), unixPath);
      await chmod(unixPath, 0o600);
    }
    if (opts.tcp) {
      const access: TcpAccess = { token: opts.tcp.token ?? newToken(), port: opts.tcp.port, allowedOrigins: [] };
      const server = serve(access);
      await listen(server, { port: opts.tcp.port, host: '127.0.0.1' });
      const address = server.address();
      access.port = typeof address === 'object' && address !== null ? address.port : opts.tcp.port;
      access.allowedOrigins = [...loopbackOrigins(access.port), ...(opts.tcp.allowedOrigins ?? [])];
      tcp = access;
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }

  return {
    unixPath,
    tcpUrl: tcp ? `ws://127.0.0.1:${tcp.port}${API_PATH}?token=${tcp.token}` : null,
    tcp,
    clientCount: () => clients.size,
    async close() {
      for (const ws of clients) ws.terminate();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      if (unixPath !== null) await unlink(unixPath).catch(() => {});
    },
  };
}
