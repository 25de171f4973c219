// The desktop app's lab: the Lab on the TUN that `tcplab setup` made, or, when that device is
// missing, a simulated wire that every view labels as such, with the one command that fixes it.
// The lab is served over Electron IPC to the window and over the socket transport (so
// `tcplab tui --attach` shows the same lab), and shut down cleanly on quit. Or, with --replay
// FILE, a recorded session served the same way, read-only (core/replay), without a TUN.
import type { LabBackend } from '../core/api/backend.ts';
import { LabServer } from '../core/api/server.ts';
import { startSocketServer, type SocketServer } from '../core/api/socket-server.ts';
import { createLab, type CreateLabOptions } from '../core/lab/create.ts';
import { LabSetupError } from '../core/lab/errors.ts';
import type { Lab } from '../core/lab/lab.ts';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseSessionLog, sessionFiles } from '../core/replay/log.ts';
import { ReplayLab } from '../core/replay/replay-lab.ts';
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

/** What the window talks to: a live lab or a replay, over IPC and the Unix socket. */
export interface Hosted {
  server: LabServer;
  ipc: IpcServer;
  sockets: SocketServer | null;
  /** Why the lab runs on a simulated wire, and the command that gives it a TUN; null on a TUN (and for a replay). */
  fallback: { reason: string; command: string | null } | null;
  /** A socket problem that did not stop the app (another lab already serves the socket). */
  socketError: string | null;
  close(): Promise<void>;
}

export interface LabHost extends Hosted {
  lab: Lab;
}

export interface ReplayHost extends Hosted {
  replay: ReplayLab;
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
  return { lab, ...(await serve(lab, opts, fallback)) };
}

/** A recorded session (FILE.json, with FILE.pcap beside it), read-only: every command is refused (EROFS). */
export async function hostReplay(opts: Pick<LabHostOptions, 'socketPath' | 'appUrl' | 'ipcMain'> & { file: string }): Promise<ReplayHost> {
  const replay = loadReplay(opts.file);
  return { replay, ...(await serve(replay, opts, null)) };
}

/**
 * FILE.json (or FILE given without .json) and the pcap beside it, as `tcplab replay` loads them
 * (that command's module is not imported here: it would bring the web server's bundler into the app).
 */
export function loadReplay(file: string): ReplayLab {
  const jsonPath = existsSync(file) && file.endsWith('.json') ? file : sessionFiles(file).json;
  let text: string;
  try {
    text = readFileSync(jsonPath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${jsonPath}: ${(e as Error).message}`);
  }
  const parsed = parseSessionLog(text);
  if (!parsed.ok) throw new Error(`${jsonPath}: ${parsed.error}`);
  const log = parsed.value;
  const pcapPath = log.pcap !== null && log.pcap.file !== '' ? join(dirname(jsonPath), log.pcap.file) : sessionFiles(file).pcap;
  return new ReplayLab(log, { file: jsonPath, pcap: existsSync(pcapPath) ? readFileSync(pcapPath) : null });
}

async function serve(backend: LabBackend & { close(): void }, opts: Pick<LabHostOptions, 'socketPath' | 'appUrl' | 'ipcMain'>, fallback: Hosted['fallback']): Promise<Hosted> {
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
    server, ipc, sockets, fallback, socketError,
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
