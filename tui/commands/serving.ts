// Serving a lab (or a replay) on the Lab API: on its Unix socket and, with --web, on 127.0.0.1
// with a random token, where it also serves the GUI to a browser on this machine. `tcplab serve`
// and `tcplab replay` share it: the backend differs, the serving does not.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LabBackend } from '../../core/api/backend.ts';
import { LabServer } from '../../core/api/server.ts';
import type { TcpAccess } from '../../core/api/socket-auth.ts';
import { startSocketServer, type SocketServer, type SocketServerOptions } from '../../core/api/socket-server.ts';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The renderer bundle (the GUI engineer's renderer/web-assets.ts), loaded only with --web. */
export async function webAssets(): Promise<HttpHandler> {
  const { createWebAssetHandler } = await import('../../renderer/web-assets.ts');
  return createWebAssetHandler();
}

/** Plain HTTP on the TCP listener: the page and its files, for a loopback Host only (as the API's upgrade). */
export function loopbackOnly(assets: HttpHandler): (req: IncomingMessage, res: ServerResponse, access: TcpAccess | null) => void {
  return (req, res, access) => {
    const host = req.headers.host ?? '';
    if (access === null || (host !== `127.0.0.1:${access.port}` && host !== `localhost:${access.port}`)) {
      res.writeHead(access === null ? 404 : 403, { 'content-type': 'text/plain' }).end(access === null ? 'not found' : 'host not allowed');
      return;
    }
    assets(req, res);
  };
}

export interface ServeOn {
  /** The Unix socket. */
  socket: string;
  /** 127.0.0.1 port (0: any free one), or null for the Unix socket only. */
  web: number | null;
  /** The web page's handler (tests); default renderer/web-assets.ts. */
  assets?: HttpHandler;
  /** Other WebSocket upgrades on the TCP listener (the kernel shell). */
  onUpgrade?: SocketServerOptions['onUpgrade'];
  /** Closed first when serving stops (or fails to start). */
  alongside?: { close(): void } | null;
}

export interface Served {
  server: LabServer;
  sockets: SocketServer;
  /** http://127.0.0.1:PORT/?token=TOKEN with --web, else null. */
  webUrl: string | null;
  /** Closes clients, removes the socket file, closes the backend. Idempotent. */
  close(): Promise<void>;
}

/** Serve `backend` (closed with it, also when serving cannot start). */
export async function serveBackend(backend: LabBackend & { close(): void }, on: ServeOn): Promise<Served> {
  const server = new LabServer(backend);
  let sockets: SocketServer;
  try {
    const assets = on.web === null ? null : on.assets ?? await webAssets();
    sockets = await startSocketServer({
      api: server,
      unixPath: on.socket,
      ...(on.web !== null ? { tcp: { port: on.web } } : {}),
      ...(assets !== null ? { onHttpRequest: loopbackOnly(assets) } : {}),
      ...(on.onUpgrade !== undefined ? { onUpgrade: on.onUpgrade } : {}),
    });
  } catch (err) {
    on.alongside?.close();
    server.close();
    backend.close();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    server, sockets,
    webUrl: sockets.tcp === null ? null : `http://127.0.0.1:${sockets.tcp.port}/?token=${sockets.tcp.token}`,
    close() {
      closing ??= (async () => {
        try {
          on.alongside?.close();
          await sockets.close();
        } finally {
          server.close();
          backend.close();
        }
      })();
      return closing;
    },
  };
}
