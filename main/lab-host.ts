// The desktop app's lab: the Lab on the TUN that `tcplab setup` made, or, when that device is
// missing, a simulated wire that every view labels as such, with the one command that fixes it.
// The lab is served over Electron IPC to the window and over the socket transport (so
// `tcplab tui --attach` shows the same lab), and shut down cleanly on quit.
import { LabServer } from '../core/api/server.ts';
import { startSocketServer, type SocketServer } from '../core/api/socket-server.ts';
import { createLab, type CreateLabOptions } from '../core/lab/create.ts';
import { LabSetupError } from '../core/lab/errors.ts';
import type { Lab } from '../core/lab/lab.ts';
import { serveIpc, trustedUrlFor, type IpcMainLike, type IpcServer } from './ipc-server.ts';

export interface LabHostOptions {
  /** TUN device (default: tcplab0, as `tcplab setup` makes it). */
  device?: string;
  netns?: string;
  /** Skip the TUN: a simulated wire. */
  simulated?: boolean;
  /** The Unix socket for `tcplab tui --attach` (default $XDG_RUNTIME_DIR/tcplab/lab.sock); null for none. */
  socketPath?: string | null;
  /** The page the window loads (IPC trusts only it). */
  appUrl: string;
  ipcMain: IpcMainLike;
  /** Tests: extra lab options (a manual clock, a seed). */
  lab?: Partial<CreateLabOptions>;
  /** Tests: how to make the lab (default createLab). */
  makeLab?: (opts: CreateLabOptions) => Lab;
}

export interface LabHost {
  lab: Lab;
  server: LabServer;
  ipc: IpcServer;
  sockets: SocketServer | null;
  /** Why the lab runs on a simulated wire, and the command that gives it a TUN; null on a TUN. */
  fallback: { reason: string; command: string | null } | null;
  /** A socket problem that did not stop the app (another lab already serves the socket). */
  socketError: string | null;
  close(): Promise<void>;
}

/** The TUN lab, or the simulated one with the reason. */
export function openLab(opts: Pick<LabHostOptions, 'device' | 'netns' | 'simulated' | 'lab' | 'makeLab'>): { lab: Lab; fallback: LabHost['fallback'] } {
  const make = opts.makeLab ?? createLab;
  if (opts.simulated) return { lab: make({ simulated: true, ...opts.lab }), fallback: { reason: 'started with --simulated', command: null } };
  try {
    const tun = { ...(opts.device ? { device: opts.device } : {}), ...(opts.netns ? { netns: opts.netns } : {}), ...opts.lab };
    return { lab: make(tun), fallback: null };
  } catch (err) {
    if (!(err instanceof LabSetupError)) throw err;
    const reason = err.message.split('\nRun once:')[0];
    return { lab: make({ simulated: true, ...opts.lab }), fallback: { reason, command: err.command } };
  }
}

export async function hostLab(opts: LabHostOptions): Promise<LabHost> {
  const { lab, fallback } = openLab(opts);
  const server = new LabServer(lab);
  const ipc = serveIpc(opts.ipcMain, server, { isTrustedUrl: trustedUrlFor(opts.appUrl) });
  let sockets: SocketServer | null = null;
  let socketError: string | null = null;
  if (opts.socketPath !== null) {
    try {
      sockets = await startSocketServer({ api: server, unixPath: opts.socketPath });
    } catch (err) {
      // The window works without it; only `tcplab tui --attach` would miss this lab.
      socketError = err instanceof Error ? err.message : String(err);
    }
  }
  let closing: Promise<void> | null = null;
  return {
    lab, server, ipc, sockets, fallback, socketError,
    close() {
      closing ??= (async () => {
        ipc.close();
        try {
          await sockets?.close();
        } finally {
          server.close();
          lab.close();
        }
      })();
      return closing;
    },
  };
}
