// The socket transport, client side for pages (the renderer served by `tcplab serve --web`):
// a LabClient over the standard WebSocket API. The token travels in the URL, since a browser
// cannot set headers on a WebSocket; the page's Origin is checked by the server.
import type { LabClient } from './client.ts';
import { createRemoteClient } from './remote-client.ts';

/** The standard WebSocket, as browsers (and the `ws` package) provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type OpenWebSocket = (url: string) => WebSocketLike;

const OPEN = 1;
const browserWebSocket: OpenWebSocket = (url) => new (globalThis.WebSocket as unknown as new (u: string) => WebSocketLike)(url);

export function connectWebSocket(url: string, open: OpenWebSocket = browserWebSocket): Promise<LabClient> {
  const ws = open(url);
  return new Promise((resolve, reject) => {
    ws.onerror = () => reject(new Error('cannot reach the lab (wrong address or token?)'));
    ws.onclose = (ev) => reject(new Error(`the lab closed the connection (${ev.code})`));
    ws.onopen = () => {
      const remote = createRemoteClient({
        send: (msg) => { if (ws.readyState === OPEN) ws.send(JSON.stringify(msg)); },
        close: () => ws.close(),
      });
      ws.onmessage = (ev) => {
        let msg: unknown;
        try {
          msg = typeof ev.data === 'string' ? JSON.parse(ev.data) : undefined;
        } catch {
          msg = undefined;
        }
        remote.receive(msg);
      };
      ws.onclose = (ev) => remote.disconnected(ev.reason || `socket closed (${ev.code})`);
      ws.onerror = () => {};
      resolve(remote.client);
    };
  });
}
