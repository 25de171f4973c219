// How the page reaches the lab: in Electron through the preload's bridge (window.tcplab), in a
// browser over a WebSocket to the server that served the page (`tcplab serve --web`), with the
// token from the page's URL.
import { BRIDGE_KEY, clientFromBridge, type LabBridge } from '../../../core/api/bridge.ts';
import type { LabClient } from '../../../core/api/client.ts';
import { connectWebSocket } from '../../../core/api/client-websocket.ts';

export type Transport = 'electron' | 'browser';

export interface Connection {
  client: LabClient;
  transport: Transport;
  /** Kernel-side shell endpoint when the host offers one (ws URL with its token). */
  shellUrl: string | null;
  /** Why the desktop host runs on a simulated wire, and the command that fixes it. */
  fallback: { reason: string; command: string | null } | null;
}

function fallbackFromHash(loc: Location): Connection['fallback'] {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const reason = params.get('fallback');
  return reason === null ? null : { reason: reason.slice(0, 300), command: params.get('setup')?.slice(0, 300) ?? null };
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

async function connectBrowser(loc: Location): Promise<LabClient> {
  const token = tokenFromPage(loc);
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${loc.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return connectWebSocket(url);
}

export async function connectLab(win: Window = window): Promise<Connection> {
  const bridge = (win as unknown as Record<string, unknown>)[BRIDGE_KEY] as LabBridge | undefined;
  const shellUrl = shellFromHash(win.location);
  const fallback = fallbackFromHash(win.location);
  if (bridge !== undefined) return { client: clientFromBridge(bridge), transport: 'electron', shellUrl, fallback };
  return { client: await connectBrowser(win.location), transport: 'browser', shellUrl, fallback };
}
