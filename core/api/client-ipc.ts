// The Electron IPC transport, renderer side, as the preload uses it: a LabClient over
// ipcRenderer on one channel. Structural types only: core/ does not import electron.
import type { LabClient } from './client.ts';
import { IPC_CHANNEL } from './protocol.ts';
import { createRemoteClient } from './remote-client.ts';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer the client uses. */
export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function createIpcClient(ipc: IpcRendererLike): LabClient {
  const listener: IpcListener = (_event, msg) => remote.receive(msg);
  const remote = createRemoteClient({
    send: (msg) => ipc.send(IPC_CHANNEL, msg),
    close: () => ipc.removeListener(IPC_CHANNEL, listener),
  });
  ipc.on(IPC_CHANNEL, listener);
  return remote.client;
}
