// The Lab API over Electron IPC, main side: one ApiSession per renderer (webContents) on one
// channel. Every message is checked against its sender frame: only the top frame of the app's
// own page may talk to the lab; anything else is refused and never reaches it.
import type { IpcMain, IpcMainEvent, WebContents, WebFrameMain } from 'electron';
import { fail } from '../core/api/errors.ts';
import type { LabApi } from '../core/api/lab-api.ts';
import { IPC_CHANNEL, type ServerMessage } from '../core/api/protocol.ts';
import { ApiSession } from '../core/api/session.ts';

type MainListener = (event: IpcMainEvent, ...args: unknown[]) => void;

/** The part of Electron's ipcMain the server uses (tests pass an in-memory one). */
export interface IpcMainLike {
  on(channel: string, listener: MainListener): unknown;
  removeListener(channel: string, listener: MainListener): unknown;
}

// Electron's own ipcMain must fit: this line stops compiling if its .d.ts disagrees.
export const realIpcMainFits: IpcMain extends IpcMainLike ? true : never = true;

export interface IpcServerOptions {
  /** True for URLs of the app's own page; see trustedUrlFor. */
  isTrustedUrl: (url: string) => boolean;
}

export interface IpcServer {
  close(): void;
}

/** Trust the app's own page: same origin as `appUrl`, or for file: URLs, files under its directory. */
export function trustedUrlFor(appUrl: string): (url: string) => boolean {
  const app = new URL(appUrl);
  const root = new URL('.', app).href;
  return (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (app.protocol === 'file:') return u.protocol === 'file:' && u.href.startsWith(root);
    return u.origin === app.origin;
  };
}

/** The top frame of the app's own page: its URL, and its origin where it has one (file: pages have none). */
export function senderAllowed(frame: WebFrameMain | null, isTrustedUrl: (url: string) => boolean): boolean {
  if (frame === null || frame.parent !== null || !isTrustedUrl(frame.url)) return false;
  const origin = frame.origin;
  return origin === 'null' || origin.startsWith('file:') || isTrustedUrl(`${origin}/`);
}

export function serveIpc(ipcMain: IpcMainLike, api: LabApi, opts: IpcServerOptions): IpcServer {
  const sessions = new Map<number, ApiSession>();

  function sessionFor(contents: WebContents): ApiSession {
    let session = sessions.get(contents.id);
    if (session !== undefined) return session;
    const send = (msg: ServerMessage): void => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNEL, msg);
    };
    const created = new ApiSession(api, send, () => {
      sessions.delete(contents.id);
    });
    sessions.set(contents.id, created);
    contents.once('destroyed', () => {
      created.close();
      sessions.delete(contents.id);
    });
    session = created;
    return session;
  }

  function refuse(event: IpcMainEvent, raw: unknown): void {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
    if (typeof id !== 'number') return;
    const msg: ServerMessage = { t: 'reply', id, result: fail('EPERM', 'this frame may not use the lab') };
    event.reply(IPC_CHANNEL, msg);
  }

  const listener = (event: IpcMainEvent, raw: unknown): void => {
    if (!senderAllowed(event.senderFrame, opts.isTrustedUrl)) return refuse(event, raw);
    sessionFor(event.sender).receive(raw);
  };

  ipcMain.on(IPC_CHANNEL, listener);
  return {
    close() {
      ipcMain.removeListener(IPC_CHANNEL, listener);
      for (const s of sessions.values()) s.close();
      sessions.clear();
    },
  };
}
