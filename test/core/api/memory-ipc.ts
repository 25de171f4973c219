// An in-memory stand-in for Electron's IPC: an ipcMain-shaped object, renderers with their
// webContents and sender frames, and asynchronous, structured-clone delivery both ways.
import type { IpcMainEvent } from 'electron';
import type { IpcRendererLike } from '../../../core/api/client-ipc.ts';

type MainListener = (event: IpcMainEvent, ...args: unknown[]) => void;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export interface FrameShape {
  url: string;
  origin: string;
  parent: FrameShape | null;
}

/** A frame at `url` with the origin Chromium gives it ('null' for file: pages). */
export function frameAt(url: string, parent: FrameShape | null = null): FrameShape {
  const origin = url.startsWith('file:') ? 'null' : new URL(url).origin;
  return { url, origin, parent };
}

const later = (fn: () => void): void => void setImmediate(fn);

export class MemoryIpcMain {
  private readonly listeners = new Map<string, Set<MainListener>>();

  on(channel: string, listener: MainListener): this {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: MainListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  deliver(channel: string, event: IpcMainEvent, args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l(event, ...args);
  }
}

let nextContentsId = 1;

/** A renderer (one webContents) whose top frame is at `url`; `frame` may be changed to simulate others. */
export class MemoryRenderer {
  readonly id = nextContentsId++;
  frame: FrameShape | null;
  private readonly listeners = new Map<string, Set<RendererListener>>();
  private readonly destroyedCallbacks: (() => void)[] = [];
  private destroyed = false;

  constructor(private readonly main: MemoryIpcMain, url: string) {
    this.frame = frameAt(url);
  }

  /** The ipcRenderer the preload sees. */
  readonly ipcRenderer: IpcRendererLike = {
    send: (channel, ...args) => {
      const copy = structuredClone(args);
      const frame = this.frame;
      later(() => {
        if (this.destroyed) return;
        const event = {
          sender: this.contents,
          senderFrame: frame,
          reply: (ch: string, ...a: unknown[]) => this.toRenderer(ch, a),
        } as unknown as IpcMainEvent;
        this.main.deliver(channel, event, copy);
      });
    },
    on: (channel, listener) => {
      let set = this.listeners.get(channel);
      if (!set) this.listeners.set(channel, (set = new Set()));
      set.add(listener);
      return this.ipcRenderer;
    },
    removeListener: (channel, listener) => {
      this.listeners.get(channel)?.delete(listener);
      return this.ipcRenderer;
    },
  };

  /** The webContents main sees as event.sender. */
  readonly contents = {
    id: this.id,
    isDestroyed: () => this.destroyed,
    send: (channel: string, ...args: unknown[]) => this.toRenderer(channel, args),
    once: (name: string, cb: () => void) => {
      if (name === 'destroyed') this.destroyedCallbacks.push(cb);
    },
  };

  destroy(): void {
    this.destroyed = true;
    for (const cb of this.destroyedCallbacks.splice(0)) cb();
  }

  private toRenderer(channel: string, args: unknown[]): void {
    const copy = structuredClone(args);
    later(() => {
      if (this.destroyed) return;
      for (const l of this.listeners.get(channel) ?? []) l({}, ...copy);
    });
  }
}
