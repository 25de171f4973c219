// The preload: exposes exactly the Lab API (core/api/bridge.ts) to the page as window.tcplab,
// over IPC. Nothing else of Electron or Node reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_KEY, bridgeFor } from '../core/api/bridge.ts';
import { createIpcClient } from '../core/api/client-ipc.ts';

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridgeFor(createIpcClient(ipcRenderer)));
