// How the page reaches the lab: in Electron through the preload's bridge (window.tcplab), in a
// browser over a WebSocket to the server that served the page (`tcplab serve --web`), with the
// token from the page's URL.
import { BRIDGE_KEY, clientFromBridge, type LabBridge } from '../../../core/api/bridge.ts';
import type { LabClient } from '../../../core/api/client.ts';
import { createRemoteClient } from '../../../core/api/remote-client.ts';

export type Transport = 'electron' | 'browser';

export interface Connection {
  client: LabClient;
  transport: Transport;
  /** Kernel-side shell endpoint when the host offers one (ws URL with its token). */
  shellUrl: string | null;
}

const TOKEN_KEY = 'tcplab.token';

function tokenFromPage(loc: Location): string | null {
  const fromUrl = new URLSearchParams(loc.search).get('token');
  if (fromUrl !== null) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    // Keep the token out of the address bar (and out of screenshots); a reload finds it in sessionStorage.
    history.replaceState(null, '', loc.pathname + loc.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function shellFromHash(loc: Location): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const s = params.get('shell');
  return s !== null && /^wss?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(s) ? s : null;
}

/** A LabClient over the browser's own WebSocket (the `ws` package is for Node). */
export function connectBrowserSocket(url: string): Promise<LabClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let opened = false;
    // Messages sent before the socket opens (the client's hello) wait here.
    const queued: unknown[] = [];
    const remote = createRemoteClient({
      send: (msg) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
        else if (ws.readyState === WebSocket.CONNECTING) queued.push(msg);
      },
      close: () => ws.close(),
    });
    ws.onmessage = (ev) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        msg = undefined;
      }
      remote.receive(msg);
    };
    ws.onopen = () => {
      opened = true;
      for (const m of queued.splice(0)) ws.send(JSON.stringify(m));
      resolve(remote.client);
    };
    ws.onclose = (ev) => {
      remote.disconnected(ev.reason || `socket closed (${ev.code})`);
      if (!opened) reject(new Error(ev.code === 1006 ? 'the lab refused the connection (wrong or missing token?)' : `closed (${ev.code})`));
    };
  });
}

async function connectBrowser(loc: Location): Promise<LabClient> {
  const token = tokenFromPage(loc);
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${loc.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return connectBrowserSocket(url);
}

export async function connectLab(win: Window = window): Promise<Connection> {
  const bridge = (win as unknown as Record<string, unknown>)[BRIDGE_KEY] as LabBridge | undefined;
  const shellUrl = shellFromHash(win.location);
  if (bridge !== undefined) return { client: clientFromBridge(bridge), transport: 'electron', shellUrl };
  return { client: await connectBrowser(win.location), transport: 'browser', shellUrl };
}
