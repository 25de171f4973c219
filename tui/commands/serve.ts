// `tcplab serve`: a lab with no UI of its own. It runs on the TUN `tcplab setup` made (or on a
// simulated wire), serves the Lab API on its private Unix socket (what `tcplab ss`, `tcplab
// tui --attach` and the other subcommands talk to) and, with --web, on 127.0.0.1 with a random
// token, where it also serves the GUI to a browser. Ctrl-C (SIGINT) or SIGTERM stops it
// cleanly: clients are closed, the socket file removed, the TUN released.
import { optionLines, portFlag, splitArgs, stringFlag, type OptSpec } from '../../core/api/command-options.ts';
import type { LabServer } from '../../core/api/server.ts';
import { defaultSocketPath } from '../../core/api/socket-dir.ts';
import type { SocketServer } from '../../core/api/socket-server.ts';
import type { CreateLabOptions } from '../../core/lab/create.ts';
import { startLab, type EphemeralDevice } from '../../core/lab/ephemeral.ts';
import { LabSetupError } from '../../core/lab/errors.ts';
import type { Lab } from '../../core/lab/lab.ts';
import type { Command } from './command.ts';
import { createShellServer, kernelShellArgv, SHELL_PATH, type ShellServer } from './serve-shell.ts';
import { serveBackend, type HttpHandler } from './serving.ts';
import { untilSignal } from './signals.ts';

const OPTIONS: readonly OptSpec[] = [
  { long: 'dev', short: 'd', value: 'NAME', doc: 'the TUN device `tcplab setup` made (default tcplab0; as root with none set up: a namespace and TUN of this run)' },
  { long: 'netns', value: 'NAME', doc: 'the namespace holding the kernel side (default: what setup recorded)' },
  { long: 'simulated', doc: 'no TUN: a simulated wire with a second stack playing the kernel' },
  { long: 'socket', value: 'PATH', doc: `the Unix socket to serve on (default ${defaultSocketPath()})` },
  { long: 'web', value: 'PORT', optionalValue: /^\d+$/, doc: 'also serve on 127.0.0.1:PORT (default: a free port) with a token, and the GUI to a browser' },
  { long: 'shell', doc: 'with --web: offer the page a shell on the kernel side (inside the namespace), as the user running serve' },
  { long: 'help', short: 'h', doc: 'this help' },
];

export const SERVE_USAGE = `usage: tcplab serve [--dev tcplab0] [--netns NAME] [--simulated] [--socket PATH] [--web [PORT]] [--shell]

Runs a lab headless and serves the Lab API; stop it with Ctrl-C.
${optionLines(OPTIONS)}

The other tcplab commands (ss, listen, rst, trace, ...) talk to it over the Unix socket.
With --web it prints http://127.0.0.1:PORT/?token=TOKEN: open it in a browser on this machine.
`;

export interface ServeOptions {
  dev: string | undefined;
  netns: string | undefined;
  simulated: boolean;
  socket: string;
  /** 127.0.0.1 port (0: any free one), or null without --web. */
  web: number | null;
  shell: boolean;
}

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeOptions | { help: true } | { error: string } {
  const s = splitArgs(argv, OPTIONS);
  if (!s.ok) return { error: s.error };
  const { flags, positional } = s.value;
  if (flags.has('help')) return { help: true };
  if (positional.length > 0) return { error: `unexpected '${positional[0]}'` };
  const port = portFlag(flags, 'web');
  if (port !== null && typeof port === 'object') return port;
  if (flags.has('shell') && port === null) return { error: '--shell goes with --web (the shell is offered to the web page)' };
  if (flags.has('simulated') && (flags.has('dev') || flags.has('netns'))) return { error: '--simulated runs without a TUN: leave out --dev and --netns' };
  if (flags.has('simulated') && flags.has('shell')) return { error: '--shell opens a shell on the kernel side: a simulated lab has none' };
  return {
    dev: stringFlag(flags, 'dev'), netns: stringFlag(flags, 'netns'), simulated: flags.has('simulated'), socket: stringFlag(flags, 'socket') ?? defaultSocketPath(env),
    web: port, shell: flags.has('shell'),
  };
}

export interface Daemon {
  lab: Lab;
  /** The namespace and TUN this run made for itself (root, nothing set up), deleted with the lab; or null. */
  ephemeral: EphemeralDevice | null;
  server: LabServer;
  sockets: SocketServer;
  /** http://127.0.0.1:PORT/?token=TOKEN with --web (#shell=ws://... with --shell). */
  webUrl: string | null;
  /** The kernel-side shells (--shell). */
  shells: ShellServer | null;
  /** Closes clients, removes the socket file, releases the TUN. Idempotent. */
  close(): Promise<void>;
}

export interface DaemonDeps {
  /** Lab options beyond the device (tests: a manual clock, a seed). */
  lab?: Partial<CreateLabOptions>;
  /** The web page's handler (tests); default renderer/web-assets.ts. */
  assets?: HttpHandler;
}

export async function startDaemon(opts: ServeOptions, deps: DaemonDeps = {}): Promise<Daemon> {
  const { lab, ephemeral } = await startLab(opts.simulated
    ? { simulated: true, ...deps.lab }
    : { ...(opts.dev !== undefined ? { device: opts.dev } : {}), ...(opts.netns !== undefined ? { netns: opts.netns } : {}), ...deps.lab });
  const shells = opts.shell ? createShellServer(kernelShellArgv(lab.netns)) : null;
  const served = await serveBackend(lab, {
    socket: opts.socket, web: opts.web, assets: deps.assets, alongside: shells,
    ...(shells !== null ? { onUpgrade: (req, socket, head) => shells.onUpgrade(req, socket, head) } : {}),
  });
  const tcp = served.sockets.tcp;
  const shellHash = tcp !== null && shells !== null
    ? `#shell=${encodeURIComponent(`ws://127.0.0.1:${tcp.port}${SHELL_PATH}?token=${tcp.token}`)}` : '';
  return { ...served, lab, ephemeral, shells, webUrl: served.webUrl === null ? null : `${served.webUrl}${shellHash}` };
}

function describeLab(d: Daemon): string {
  const i = d.lab.info;
  const where = i.simulated ? 'a simulated wire (no TUN)' : `TUN ${i.device ?? '?'}`;
  return `tcplab: lab ${i.labAddr} on ${where}, kernel side ${i.kernelAddr}`;
}

export async function serve(argv: readonly string[], write: (s: string) => void, writeErr: (s: string) => void): Promise<number> {
  const opts = parseServeArgs(argv);
  if ('help' in opts) {
    write(SERVE_USAGE);
    return 0;
  }
  if ('error' in opts) {
    writeErr(`tcplab serve: ${opts.error}\n\n${SERVE_USAGE}`);
    return 2;
  }
  let daemon: Daemon;
  try {
    daemon = await startDaemon(opts);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    writeErr(`tcplab serve: ${msg}\n`);
    if (err instanceof LabSetupError && !opts.simulated) writeErr('(or run `tcplab serve --simulated` for a lab without a TUN)\n');
    return 1;
  }
  const signal = untilSignal();
  write(`${describeLab(daemon)}\n`);
  if (daemon.ephemeral !== null) write(`${daemon.ephemeral.notice}\n`);
  write(`  socket: ${opts.socket}\n`);
  if (daemon.webUrl !== null) write(`  web:    ${daemon.webUrl}\n`);
  if (daemon.shells !== null) write(`  shell:  the page offers a shell on the kernel side${daemon.lab.netns !== null ? ` (namespace ${daemon.lab.netns})` : ''}, as ${process.getuid?.() === 0 ? 'root' : 'you'}\n`);
  write('Serving; Ctrl-C stops the lab.\n');
  const lost = daemon.lab;
  const sig = await signal;
  write(`tcplab: ${sig}: stopping the lab\n`);
  await daemon.close();
  return lost.isClosed ? 0 : 1;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a lab headless and serve the Lab API (Unix socket; --web: 127.0.0.1 with a token and the GUI)',
  run: (argv) => serve(argv, (s) => process.stdout.write(s), (s) => process.stderr.write(s)),
};
