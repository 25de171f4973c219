// The desktop app's lab: the Lab on the TUN that `tcplab setup` made; for root with nothing set
// up, a namespace and TUN of this run's own (core/lab/ephemeral.ts, deleted when the lab closes),
// with the one line that says so; otherwise, when the device is missing, a simulated wire that
// every view labels as such, with the one command that fixes it.
// The lab is served over Electron IPC to the window and over the socket transport (so
// `tcplab tui --attach` shows the same lab), and shut down cleanly on quit. Or, with --replay
// FILE, a recorded session served the same way, read-only (core/replay), without a TUN.
import type { LabBackend } from '../core/api/backend.ts';
import { LabServer } from '../core/api/server.ts';
import { startSocketServer, type SocketServer } from '../core/api/socket-server.ts';
import { createLab, type CreateLabOptions } from '../core/lab/create.ts';
import { startLab, type EphemeralDevice } from '../core/lab/ephemeral.ts';
import { LabSetupError } from '../core/lab/errors.ts';
import type { Lab } from '../core/lab/lab.ts';
import { loadReplay } from '../core/replay/load.ts';
import type { ReplayLab } from '../core/replay/replay-lab.ts';
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
  /** Tests: how to make the lab (default startLab, which gives root with nothing set up a TUN of its own). */
  makeLab?: (opts: CreateLabOptions) => Lab;
}

/** What the window talks to: a live lab or a replay, over IPC and the Unix socket. */
export interface Hosted {
  server: LabServer;
  ipc: IpcServer;
  sockets: SocketServer | null;
  /** Why the lab runs on a simulated wire, and the command that gives it a TUN; null on a TUN (and for a replay). */
  fallback: { reason: string; command: string | null } | null;
  /** What this run set up for itself and how to reach the lab (an ephemeral namespace and TUN), or null. */
  notice: string | null;
  /** A socket problem that did not stop the app (another lab already serves the socket). */
  socketError: string | null;
  close(): Promise<void>;
}

export interface LabHost extends Hosted {
  lab: Lab;
  /** The namespace and TUN this run made (closed with the lab), or null. */
  ephemeral: EphemeralDevice | null;
}

export interface ReplayHost extends Hosted {
  replay: ReplayLab;
}

/** The TUN lab (root with nothing set up: one of this run's own), or the simulated one with the reason. */
export async function openLab(opts: Pick<LabHostOptions, 'device' | 'netns' | 'simulated' | 'lab' | 'makeLab'>): Promise<{ lab: Lab; ephemeral: EphemeralDevice | null; fallback: LabHost['fallback'] }> {
  const simulated = (): Lab => (opts.makeLab ?? createLab)({ simulated: true, ...opts.lab });
  if (opts.simulated) return { lab: simulated(), ephemeral: null, fallback: { reason: 'started with --simulated', command: null } };
  try {
    const tun = { ...(opts.device ? { device: opts.device } : {}), ...(opts.netns ? { netns: opts.netns } : {}), ...opts.lab };
    const started = opts.makeLab ? { lab: opts.makeLab(tun), ephemeral: null } : await startLab(tun);
    return { ...started, fallback: null };
  } catch (err) {
    if (!(err instanceof LabSetupError)) throw err;
    const reason = err.message.split('\nRun once:')[0];
    return { lab: simulated(), ephemeral: null, fallback: { reason, command: err.command } };
  }
}

export async function hostLab(opts: LabHostOptions): Promise<LabHost> {
  const { lab, ephemeral, fallback } = await openLab(opts);
  return { lab, ephemeral, ...(await serve(lab, opts, fallback, ephemeral?.notice ?? null)) };
}

/** A recorded session (FILE.json, with FILE.pcap beside it), read-only: every command is refused (EROFS). */
export async function hostReplay(opts: Pick<LabHostOptions, 'socketPath' | 'appUrl' | 'ipcMain'> & { file: string }): Promise<ReplayHost> {
  const replay = loadReplay(opts.file);
  return { replay, ...(await serve(replay, opts, null, null)) };
}

async function serve(
  backend: LabBackend & { close(): void },
  opts: Pick<LabHostOptions, 'socketPath' | 'appUrl' | 'ipcMain'>,
  fallback: Hosted['fallback'],
  notice: string | null,
): Promise<Hosted> {
  const server = new LabServer(backend);
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
    server, ipc, sockets, fallback, notice, socketError,
    close() {
      closing ??= (async () => {
        ipc.close();
        try {
          await sockets?.close();
        } finally {
          server.close();
          backend.close();
        }
      })();
      return closing;
    },
  };
}
