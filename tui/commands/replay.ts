// `tcplab replay FILE`: serve a recorded session (tcplab record) on the Lab API socket, like
// `tcplab serve` but without a TUN or a stack: the TUI (tcplab tui --attach), the GUI (--web)
// and the other commands show it from the log alone. Read-only; --play runs it again from the
// start at --speed X.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { splitArgs, wholeNumber, type OptSpec } from '../../core/api/command-options.ts';
import { LabServer } from '../../core/api/server.ts';
import type { TcpAccess } from '../../core/api/socket-auth.ts';
import { defaultSocketPath } from '../../core/api/socket-dir.ts';
import { startSocketServer, type SocketServer } from '../../core/api/socket-server.ts';
import { parseSessionLog, sessionFiles } from '../../core/replay/log.ts';
import { ReplayLab } from '../../core/replay/replay-lab.ts';
import type { Command } from './command.ts';

const OPTIONS: readonly OptSpec[] = [
  { long: 'socket', value: 'PATH', doc: `the Unix socket to serve on (default ${defaultSocketPath()})` },
  { long: 'web', value: 'PORT', optionalValue: /^\d+$/, doc: 'also serve on 127.0.0.1:PORT with a token, and the GUI to a browser' },
  { long: 'play', doc: 'run the session again from its start (default: show it as it ended, with its whole history)' },
  { long: 'speed', value: 'X', doc: 'with --play: X times real time (default 1)' },
  { long: 'help', short: 'h', doc: 'this help' },
];

export const REPLAY_USAGE = `usage: tcplab replay FILE [--socket PATH] [--web [PORT]] [--play [--speed X]]

Serves a session recorded with tcplab record (FILE.json, and FILE.pcap next to it) read-only
on the Lab API, without a TUN: attach with tcplab tui --attach, tcplab ss, tcplab history ID,
or a browser (--web). Ctrl-C stops it.
${OPTIONS.map((o) => `  ${`--${o.long}${o.value ? ` ${o.value}` : ''}`.padEnd(18)} ${o.doc}`).join('\n')}
`;

export interface ReplayServeOptions {
  file: string;
  socket: string;
  web: number | null;
  play: boolean;
  speed: number;
}

export function parseReplayArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ReplayServeOptions | { help: true } | { error: string } {
  const s = splitArgs(argv, OPTIONS);
  if (!s.ok) return { error: s.error };
  const { flags, positional } = s.value;
  if (flags.has('help')) return { help: true };
  if (positional.length !== 1) return { error: positional.length === 0 ? 'missing FILE' : `unexpected '${positional[1]}'` };
  const web = flags.get('web');
  let port: number | null = null;
  if (web !== undefined) {
    port = web === true ? 0 : wholeNumber(web);
    if (port === null || port > 65535) return { error: `--web takes a port from 0 to 65535, not '${String(web)}'` };
  }
  const speed = flags.has('speed') ? Number(flags.get('speed')) : 1;
  if (!(speed > 0 && speed <= 1000)) return { error: '--speed takes a number above 0 and at most 1000' };
  if (flags.has('speed') && !flags.has('play')) return { error: '--speed goes with --play' };
  const socket = typeof flags.get('socket') === 'string' ? (flags.get('socket') as string) : defaultSocketPath(env);
  return { file: positional[0], socket, web: port, play: flags.has('play'), speed };
}

/** The session's log and pcap, or an error that says what is wrong. */
export function loadSession(file: string): { replay: ReplayLab } | { error: string } {
  const files = sessionFiles(file);
  const jsonPath = existsSync(file) && file.endsWith('.json') ? file : files.json;
  let text: string;
  try {
    text = readFileSync(jsonPath, 'utf8');
  } catch (e) {
    return { error: `cannot read ${jsonPath}: ${(e as Error).message}` };
  }
  const parsed = parseSessionLog(text);
  if (!parsed.ok) return { error: `${jsonPath}: ${parsed.error}` };
  const log = parsed.value;
  let pcap: Uint8Array | null = null;
  const pcapPath = log.pcap !== null && log.pcap.file !== '' ? join(dirname(jsonPath), log.pcap.file) : files.pcap;
  if (existsSync(pcapPath)) pcap = readFileSync(pcapPath);
  return { replay: new ReplayLab(log, { file: jsonPath, pcap }) };
}

export interface ReplayDaemon {
  replay: ReplayLab;
  server: LabServer;
  sockets: SocketServer;
  webUrl: string | null;
  close(): Promise<void>;
}

type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

function httpHandler(assets: HttpHandler): (req: IncomingMessage, res: ServerResponse, access: TcpAccess | null) => void {
  return (req, res, access) => {
    const host = req.headers.host ?? '';
    if (access === null || (host !== `127.0.0.1:${access.port}` && host !== `localhost:${access.port}`)) {
      res.writeHead(access === null ? 404 : 403, { 'content-type': 'text/plain' }).end(access === null ? 'not found' : 'host not allowed');
      return;
    }
    assets(req, res);
  };
}

export async function startReplay(opts: ReplayServeOptions, deps: { assets?: HttpHandler } = {}): Promise<ReplayDaemon> {
  const loaded = loadSession(opts.file);
  if ('error' in loaded) throw new Error(loaded.error);
  const { replay } = loaded;
  const server = new LabServer(replay);
  let sockets: SocketServer;
  try {
    let assets: HttpHandler | null = null;
    if (opts.web !== null) assets = deps.assets ?? (await import('../../renderer/web-assets.ts')).createWebAssetHandler();
    sockets = await startSocketServer({
      api: server,
      unixPath: opts.socket,
      ...(opts.web !== null ? { tcp: { port: opts.web } } : {}),
      ...(assets !== null ? { onHttpRequest: httpHandler(assets) } : {}),
    });
  } catch (err) {
    server.close();
    replay.close();
    throw err;
  }
  if (opts.play) replay.play(opts.speed);
  let closing: Promise<void> | null = null;
  return {
    replay, server, sockets,
    webUrl: sockets.tcp === null ? null : `http://127.0.0.1:${sockets.tcp.port}/?token=${sockets.tcp.token}`,
    close() {
      closing ??= (async () => {
        try {
          await sockets.close();
        } finally {
          server.close();
          replay.close();
        }
      })();
      return closing;
    },
  };
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function replayMain(argv: readonly string[], write: (s: string) => void, writeErr: (s: string) => void): Promise<number> {
  const opts = parseReplayArgs(argv);
  if ('help' in opts) {
    write(REPLAY_USAGE);
    return 0;
  }
  if ('error' in opts) {
    writeErr(`tcplab replay: ${opts.error}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  let d: ReplayDaemon;
  try {
    d = await startReplay(opts);
  } catch (err) {
    const msg = (err as Error).message;
    writeErr(`tcplab replay: ${msg}\n${/EADDRINUSE|in use/.test(msg) ? 'A lab is already serving on that socket: stop it, or give another with --socket PATH (and attach with --lab PATH).\n' : ''}`);
    return 1;
  }
  const signal = untilSignal();
  const log = d.replay.log;
  write(`tcplab: replaying ${opts.file} (recorded ${log.recordedAt}: ${log.events.length} events, ${((log.end - log.start) / 1000).toFixed(1)} s of lab time` +
    `${log.pcap !== null ? `, ${log.pcap.packets} packets` : ''}) — read-only, no TUN\n`);
  write(`  socket: ${opts.socket}\n`);
  if (d.webUrl !== null) write(`  web:    ${d.webUrl}\n`);
  write(opts.play ? `Playing from the start at x${opts.speed}; Ctrl-C stops.\n` : 'Showing the session as it ended; Ctrl-C stops.\n');
  await signal;
  await d.close();
  return 0;
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'serve a recorded session (tcplab record) read-only on the Lab API, without a TUN',
  run: (argv) => replayMain(argv, (s) => process.stdout.write(s), (s) => process.stderr.write(s)),
};
