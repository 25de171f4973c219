// Every transport of the Lab API as a function: given the server side (a LabApi), serve it and
// hand out clients. The real-lab contract suite (real-lab.test.ts) runs over each of these.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { WebSocket } from 'ws';
import { BRIDGE_KEY, clientFromBridge, type LabBridge } from '../../../core/api/bridge.ts';
import type { LabClient } from '../../../core/api/client.ts';
import { connectSocket } from '../../../core/api/client-socket.ts';
import { connectWebSocket, type WebSocketLike } from '../../../core/api/client-websocket.ts';
import type { LabApi } from '../../../core/api/lab-api.ts';
import { createLocalClient } from '../../../core/api/local.ts';
import { startSocketServer } from '../../../core/api/socket-server.ts';
import { serveIpc, trustedUrlFor } from '../../../main/ipc-server.ts';
import { MemoryIpcMain, MemoryRenderer } from './memory-ipc.ts';

export interface Served {
  /** A new client of the served lab. */
  connect(): Promise<LabClient>;
  /** Closes every client handed out and stops serving. */
  close(): Promise<void>;
}

export interface Transport {
  name: string;
  serve(api: LabApi): Promise<Served>;
}

function tracked(open: () => Promise<LabClient>, stop: () => Promise<void>): Served {
  const clients: LabClient[] = [];
  return {
    async connect() {
      const c = await open();
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.close();
      await stop();
    },
  };
}

export const APP_URL = 'file:///opt/tcplab/resources/app/renderer/index.html';

/** The real preload in a fresh page (its own module instances and ipcRenderer) over an in-memory ipcMain; what it exposed. */
export async function loadPreload(renderer: MemoryRenderer): Promise<LabBridge> {
  const exposed = new Map<string, unknown>();
  vi.resetModules();
  vi.doMock('electron', () => ({
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: renderer.ipcRenderer,
  }));
  await import('../../../main/preload.ts');
  vi.doUnmock('electron');
  expect([...exposed.keys()]).toEqual([BRIDGE_KEY]);
  return exposed.get(BRIDGE_KEY) as LabBridge;
}

export const TRANSPORTS: readonly Transport[] = [
  {
    name: 'the in-process transport',
    serve: async (api) => tracked(async () => createLocalClient(api), async () => {}),
  },
  {
    name: 'Electron IPC (preload bridge, in-memory ipcMain)',
    async serve(api) {
      const ipcMain = new MemoryIpcMain();
      const ipc = serveIpc(ipcMain, api, { isTrustedUrl: trustedUrlFor(APP_URL) });
      const renderers: MemoryRenderer[] = [];
      return tracked(async () => {
        const r = new MemoryRenderer(ipcMain, APP_URL);
        renderers.push(r);
        return clientFromBridge(await loadPreload(r));
      }, async () => {
        for (const r of renderers) r.destroy();
        ipc.close();
      });
    },
  },
  {
    name: 'WebSocket on a Unix socket',
    async serve(api) {
      const dir = await mkdtemp(join(tmpdir(), 'tl-api-'));
      const path = join(dir, 'tcplab', 'lab.sock');
      const sock = await startSocketServer({ api, unixPath: path });
      return tracked(() => connectSocket({ path }), async () => {
        await sock.close();
        await rm(dir, { recursive: true, force: true });
      });
    },
  },
  {
    name: 'WebSocket on 127.0.0.1 with a token',
    async serve(api) {
      const sock = await startSocketServer({ api, unixPath: null, tcp: { port: 0 } });
      return tracked(() => connectSocket({ url: sock.tcpUrl as string }), () => sock.close());
    },
  },
  {
    name: 'WebSocket on 127.0.0.1, browser-style client',
    async serve(api) {
      const sock = await startSocketServer({ api, unixPath: null, tcp: { port: 0 } });
      const tcp = sock.tcp as NonNullable<typeof sock.tcp>;
      const url = `ws://localhost:${tcp.port}/api?token=${tcp.token}`;
      return tracked(() => connectWebSocket(url, (u) => new WebSocket(u) as unknown as WebSocketLike), () => sock.close());
    },
  },
];
