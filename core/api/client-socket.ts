// The socket transport, client side (Node: `tcplab tui --attach`, the CLI, tests): a LabClient
// over a WebSocket on the lab's Unix socket, or on 127.0.0.1 with the token.
import { WebSocket } from 'ws';
import type { LabClient } from './client.ts';
import { createRemoteClient } from './remote-client.ts';
import { API_PATH, MAX_MESSAGE_BYTES } from './socket-server.ts';
import { defaultSocketPath } from './socket-dir.ts';

export type SocketTarget =
  | { path: string }
  | { url: string; token?: string; origin?: string };

/**
 * Where a lab is, from what the user typed: a Unix socket path, or a ws:// (or http://) URL of a
 * lab serving on 127.0.0.1 (path /api when none is given), with its token. `where` names it in
 * messages (without the token).
 */
export function labTarget(where: string, token?: string): { target: SocketTarget; where: string } {
  if (!/^(ws|http)s?:\/\//.test(where)) return { target: { path: where }, where };
  const url = new URL(where.replace(/^http/, 'ws'));
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/api';
  return { target: token === undefined ? { url: url.href } : { url: url.href, token }, where: `${url.origin}${url.pathname}` };
}

function describe(target: SocketTarget): string {
  return 'path' in target ? target.path : target.url.replace(/token=[^&]*/, 'token=…');
}

function open(target: SocketTarget): Promise<WebSocket> {
  const url = 'path' in target ? `ws+unix:${target.path}:${API_PATH}` : target.url;
  const headers: Record<string, string> = {};
  if ('url' in target && target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  const ws = new WebSocket(url, { headers, maxPayload: MAX_MESSAGE_BYTES, ...('url' in target && target.origin ? { origin: target.origin } : {}) });
  ws.on('error', () => {}); // reported below, once; later errors end in 'close'
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`the lab at ${describe(target)} refused the connection: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
    });
    ws.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
        ? 'no lab is serving there (start one with `tcplab serve`)'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'permission denied: a lab\'s socket is private to the user who started it'
          : err.message;
      reject(new Error(`cannot reach the lab at ${describe(target)}: ${why}`));
    });
  });
}

export async function connectSocket(target: SocketTarget = { path: defaultSocketPath() }): Promise<LabClient> {
  const ws = await open(target);
  const remote = createRemoteClient({
    send: (msg) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); },
    close: () => ws.close(),
  });
  ws.on('message', (data) => {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      msg = undefined;
    }
    remote.receive(msg);
  });
  ws.on('close', (code, reason) => remote.disconnected(reason.toString() || `socket closed (${code})`));
  return remote.client;
}
