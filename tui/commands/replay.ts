// `tcplab replay FILE`: serve a recorded session (tcplab record) on the Lab API socket, like
// `tcplab serve` but without a TUN or a stack: the TUI (tcplab tui --attach), the GUI (--web)
// and the other commands show it from the log alone. Read-only; --play runs it again from the
// start at --speed X.
import { optionLines, portFlag, splitArgs, stringFlag, type OptSpec } from '../../core/api/command-options.ts';
import { defaultSocketPath } from '../../core/api/socket-dir.ts';
import { loadReplay } from '../../core/replay/load.ts';
import type { ReplayLab } from '../../core/replay/replay-lab.ts';
import type { Command } from './command.ts';
import { serveBackend, type HttpHandler, type Served } from './serving.ts';
import { untilSignal } from './signals.ts';

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
${optionLines(OPTIONS)}
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
  const port = portFlag(flags, 'web');
  if (port !== null && typeof port === 'object') return port;
  const speed = flags.has('speed') ? Number(flags.get('speed')) : 1;
  if (!(speed > 0 && speed <= 1000)) return { error: '--speed takes a number above 0 and at most 1000' };
  if (flags.has('speed') && !flags.has('play')) return { error: '--speed goes with --play' };
  const socket = stringFlag(flags, 'socket') ?? defaultSocketPath(env);
  return { file: positional[0], socket, web: port, play: flags.has('play'), speed };
}

export interface ReplayDaemon extends Served {
  replay: ReplayLab;
}

export async function startReplay(opts: ReplayServeOptions, deps: { assets?: HttpHandler } = {}): Promise<ReplayDaemon> {
  const replay = loadReplay(opts.file);
  const served = await serveBackend(replay, { socket: opts.socket, web: opts.web, assets: deps.assets });
  if (opts.play) replay.play(opts.speed);
  return { ...served, replay };
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
