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
  /** What the desktop host set up for this run (its own namespace and TUN) and how to reach the lab. */
  notice: string | null;
}

/** What the host says about itself, beside the client: the app frame shows it. */
export type HostInfo = Pick<Connection, 'shellUrl' | 'fallback' | 'notice'>;

function hashParams(loc: Location): URLSearchParams {
  return new URLSearchParams(loc.hash.replace(/^#/, ''));
}

function fallbackFromHash(loc: Location): Connection['fallback'] {
  const params = hashParams(loc);
  const reason = params.get('fallback');
  return reason === null ? null : { reason: reason.slice(0, 300), command: params.get('setup')?.slice(0, 300) ?? null };
}

function noticeFromHash(loc: Location): string | null {
  return hashParams(loc).get('notice')?.replace(/^tcplab: /, '').slice(0, 500) ?? null;
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
  const s = hashParams(loc).get('shell');
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
  const host = { shellUrl, fallback: fallbackFromHash(win.location), notice: noticeFromHash(win.location) };
  if (bridge !== undefined) return { client: clientFromBridge(bridge), transport: 'electron', ...host };
  return { client: await connectBrowser(win.location), transport: 'browser', ...host };
}
