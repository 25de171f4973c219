// `tcplab tui`: the lab in the terminal. Without --attach it hosts its own lab (on the TUN
// `tcplab setup` made, or --simulated) and also serves it on the Lab API's Unix socket, so
// `tcplab ss`, `tcplab rst` and the GUI can join; with --attach it shows a running lab (a
// `tcplab serve` daemon or the desktop app) through the socket transport; with --replay FILE
// it hosts a recorded session instead of a lab (as `tcplab replay` serves it), read-only.
import type { LabBackend } from '../../core/api/backend.ts';
import { optionLines, splitArgs, stringFlag, type OptSpec } from '../../core/api/command-options.ts';
import type { LabClient } from '../../core/api/client.ts';
import { connectSocket, labTarget, type SocketTarget } from '../../core/api/client-socket.ts';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import { defaultSocketPath } from '../../core/api/socket-dir.ts';
import { startSocketServer, type SocketServer } from '../../core/api/socket-server.ts';
import { pickLang, t, type Lang } from '../../core/api/views/i18n.ts';
import { startLab } from '../../core/lab/ephemeral.ts';
import { LabSetupError } from '../../core/lab/errors.ts';
import { loadReplay } from '../../core/replay/load.ts';
import type { RunOptions } from '../ui/run.tsx';
import type { Command } from './command.ts';

const OPTIONS: readonly OptSpec[] = [
  { long: 'attach', short: 'a', value: 'SOCKET', optionalValue: /^[^-]/, doc: `show a running lab (default socket ${defaultSocketPath()}; or ws://127.0.0.1:PORT/api?token=...)` },
  { long: 'dev', short: 'd', value: 'NAME', doc: 'own lab: the TUN device `tcplab setup` made (default tcplab0; as root with none set up: a namespace and TUN of this run)' },
  { long: 'netns', value: 'NAME', doc: 'own lab: the namespace holding the kernel side (default: what setup recorded)' },
  { long: 'simulated', doc: 'own lab on a simulated wire (a second stack plays the kernel; no TUN needed)' },
  { long: 'replay', value: 'FILE', doc: 'show a session recorded with tcplab record, read-only and without a TUN (T plays it)' },
  { long: 'socket', value: 'PATH', doc: `own lab: serve it on this Unix socket (default ${defaultSocketPath()})` },
  { long: 'no-socket', doc: 'own lab: do not serve it to other clients' },
  { long: 'lang', value: 'en|zh', doc: 'language (default from LC_ALL / LANG)' },
  { long: 'help', short: 'h', doc: 'this help' },
];

export const TUI_USAGE = `usage: tcplab tui [--attach [SOCKET]] [--dev NAME] [--netns NAME] [--simulated] [--replay FILE] [--lang en|zh]

The lab in the terminal: connections, listeners and their queues, the selected connection's
timeline, segments, buffers and timers, counters, knobs, a live trace, faults and pcap.
Press ? inside for every key; q quits.
${optionLines(OPTIONS, 20)}
`;

export interface TuiOptions {
  attach: SocketTarget | null;
  attachWhere: string;
  dev: string | undefined;
  netns: string | undefined;
  simulated: boolean;
  /** A recorded session to host instead of a lab. */
  replay: string | undefined;
  socket: string | null;
  lang: Lang;
}

export function parseTuiArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): TuiOptions | { help: true } | { error: string } {
  const s = splitArgs(argv, OPTIONS);
  if (!s.ok) return { error: s.error };
  const { flags, positional } = s.value;
  if (flags.has('help')) return { help: true };
  if (positional.length > 0) return { error: `unexpected '${positional[0]}'` };
  const lang = stringFlag(flags, 'lang');
  if (flags.has('lang') && lang === undefined) return { error: '--lang needs en or zh' };
  if (lang !== undefined && !/^(en|zh)/i.test(lang)) return { error: `--lang must be en or zh, not '${lang}'` };
  const attachFlag = flags.get('attach');
  let attach: SocketTarget | null = null;
  let attachWhere = '';
  if (attachFlag !== undefined) {
    if (flags.has('dev') || flags.has('netns') || flags.has('simulated') || flags.has('socket')) {
      return { error: '--attach shows a lab that runs elsewhere: leave out --dev, --netns, --simulated and --socket' };
    }
    ({ target: attach, where: attachWhere } = labTarget(attachFlag === true ? env.TCPLAB_LAB ?? env.TCPLAB_SOCKET ?? defaultSocketPath(env) : attachFlag));
  }
  if (flags.has('simulated') && (flags.has('dev') || flags.has('netns'))) return { error: '--simulated runs without a TUN: leave out --dev and --netns' };
  const replay = stringFlag(flags, 'replay');
  if (flags.has('replay') && replay === undefined) return { error: '--replay needs a FILE (made by tcplab record)' };
  if (replay !== undefined && (flags.has('attach') || flags.has('dev') || flags.has('netns') || flags.has('simulated'))) {
    return { error: '--replay shows a recording, not a lab: leave out --attach, --dev, --netns and --simulated' };
  }
  return {
    attach, attachWhere, dev: stringFlag(flags, 'dev'), netns: stringFlag(flags, 'netns'), simulated: flags.has('simulated'), replay,
    socket: flags.has('no-socket') ? null : stringFlag(flags, 'socket') ?? defaultSocketPath(env),
    lang: pickLang(lang, env),
  };
}

interface Hosted {
  server: LabServer;
  sockets: SocketServer | null;
  note: string | null;
  /** What this run made for itself (root with nothing set up: its own namespace and TUN), or null. */
  ephemeral: string | null;
  close(): Promise<void>;
}

/** Our own lab, or the recorded session of --replay (throws saying why it cannot be loaded). */
async function hostOwn(o: TuiOptions): Promise<Hosted> {
  if (o.replay !== undefined) return hostBackend(loadReplay(o.replay), null, o.socket);
  const { lab, ephemeral } = await startLab(o.simulated
    ? { simulated: true }
    : { ...(o.dev !== undefined ? { device: o.dev } : {}), ...(o.netns !== undefined ? { netns: o.netns } : {}) });
  return hostBackend(lab, ephemeral?.notice ?? null, o.socket);
}

/** A lab or a replay, served in-process to the TUI and (when the socket is free) on the Unix socket. */
async function hostBackend(backend: LabBackend & { close(): void }, ephemeral: string | null, socket: string | null): Promise<Hosted> {
  const server = new LabServer(backend);
  let sockets: SocketServer | null = null;
  let note: string | null = null;
  if (socket !== null) {
    try {
      sockets = await startSocketServer({ api: server, unixPath: socket });
    } catch (err) {
      note = `not serving on ${socket}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return {
    server, sockets, note, ephemeral,
    async close() {
      try {
        await sockets?.close();
      } finally {
        server.close();
        backend.close();
      }
    },
  };
}

/**
 * Loads the Ink app only now, in React's production build (the development build renders
 * several times slower), so the other tcplab commands never load React at all.
 */
async function runTui(opts: RunOptions): Promise<number> {
  process.env.NODE_ENV ??= 'production';
  const { runTui: run } = await import('../ui/run.tsx');
  return run(opts);
}

export async function tui(argv: readonly string[], io: { out(s: string): void; err(s: string): void } = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
}, notice?: string): Promise<number> {
  const o = parseTuiArgs(argv);
  if ('help' in o) {
    io.out(TUI_USAGE);
    return 0;
  }
  if ('error' in o) {
    io.err(`tcplab tui: ${o.error}\n\n${TUI_USAGE}`);
    return 2;
  }
  if (o.attach !== null) {
    let client: LabClient;
    try {
      client = await connectSocket(o.attach);
    } catch (err) {
      io.err(`tcplab tui: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    try {
      return await runTui({ client, lang: o.lang, where: t(o.lang, 'app.attached', { target: o.attachWhere }), notice });
    } finally {
      await client.close();
    }
  }
  let hosted: Hosted;
  try {
    hosted = await hostOwn(o);
  } catch (err) {
    io.err(`tcplab tui: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof LabSetupError) io.err('(or run `tcplab tui --simulated` for a lab without a TUN, or `tcplab tui --attach` to show a running lab)\n');
    return 1;
  }
  if (hosted.note !== null) io.err(`tcplab tui: ${hosted.note}\n`);
  if (hosted.ephemeral !== null) io.err(`${hosted.ephemeral}\n`);
  const client = createLocalClient(hosted.server);
  const notices = [notice, hosted.ephemeral?.replace(/^tcplab: /, '')].filter((n): n is string => n !== undefined);
  try {
    // A replay's header says 'replay: FILE, read-only' itself (from the snapshot).
    return await runTui({ client, lang: o.lang, where: o.replay !== undefined ? '' : t(o.lang, 'app.hosted'), notice: notices.length > 0 ? notices.join(' · ') : undefined });
  } finally {
    await client.close();
    await hosted.close();
  }
}

export const tuiCommand: Command = {
  name: 'tui',
  summary: 'the lab in the terminal (own lab on the TUN, --simulated, --attach to a running one, or --replay FILE)',
  run: (argv) => tui(argv),
};
