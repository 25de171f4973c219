// What every `tcplab` subcommand that talks to a running lab shares: the global options
// (--lab, --socket, --token, --json, --lang), parsing with the shared command language
// (core/api/command-line.ts), connecting over the socket transport, calling, printing with the
// shared text views (core/api/command-text.ts), and the exit codes: 0 ok, 1 the lab refused or
// could not be reached, 2 a usage error. Errors go to stderr.
import { writeFileSync } from 'node:fs';
import type { LabClient } from '../../core/api/client.ts';
import { connectSocket, labTarget, type SocketTarget } from '../../core/api/client-socket.ts';
import { findCommand, helpText, parseArgv, type CallLine, type LocalLine } from '../../core/api/command-line.ts';
import { resultText, scenariosText } from '../../core/api/command-text.ts';
import type { Method, ResultOf } from '../../core/api/contract.ts';
import type { Result } from '../../core/api/errors.ts';
import { defaultSocketPath } from '../../core/api/socket-dir.ts';
import { pickLang, type Lang } from '../../core/api/views/i18n.ts';
import type { Command } from './command.ts';
import { interruptSignal } from './signals.ts';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** Where the CLI runs: its output, environment and how it reaches a lab (tests replace these). */
export interface CliEnv {
  io: CliIO;
  env: NodeJS.ProcessEnv;
  connect(target: SocketTarget): Promise<LabClient>;
  /** Aborted when the user wants a live command (trace, counters --deltas) to end (Ctrl-C). */
  interrupted(): AbortSignal;
}

export const processEnv: CliEnv = {
  io: { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
  env: process.env,
  connect: (target) => connectSocket(target),
  interrupted: interruptSignal,
};

export interface GlobalOptions {
  target: SocketTarget;
  /** How the target was chosen, for messages. */
  where: string;
  json: boolean;
  lang: Lang;
}

export const GLOBAL_HELP = `lab options (every command that talks to a lab):
  --lab PATH|URL   the lab's Unix socket, or ws://127.0.0.1:PORT/api?token=... (default: $TCPLAB_LAB, then
                   ${defaultSocketPath()})
  --socket PATH    the lab's Unix socket (as \`tcplab serve --socket\`)
  --token T        the token for a ws:// URL (or put ?token= in it)
  --json           print results as JSON
  --lang en|zh     language of texts (default from LANG)`;

const VALUED = new Set(['--lab', '--socket', '--token', '--lang']);

/**
 * Takes the global options out of argv: they may come anywhere before `--` (so text that
 * contains `--json` is sent with `tcplab send 3 -- text --json`).
 */
export function splitGlobalOptions(argv: readonly string[], env: NodeJS.ProcessEnv): { argv: string[]; opts: GlobalOptions } | { error: string } {
  const rest: string[] = [];
  const got = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = w.indexOf('=');
    const flag = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : w;
    if (VALUED.has(flag)) {
      const value = eq > 0 && flag !== w ? w.slice(eq + 1) : argv[++i];
      if (value === undefined) return { error: `${flag} needs a value` };
      got.set(flag, value);
    } else if (w === '--json') {
      got.set(w, true);
    } else {
      rest.push(w);
    }
  }
  const lang = got.get('--lang');
  if (lang !== undefined && lang !== 'en' && lang !== 'zh') return { error: `--lang must be en or zh, not '${String(lang)}'` };
  const lab = (got.get('--lab') ?? got.get('--socket') ?? env.TCPLAB_LAB ?? env.TCPLAB_SOCKET) as string | undefined;
  const token = got.get('--token') as string | undefined;
  const { target, where } = labTarget(lab ?? defaultSocketPath(env), token);
  return { argv: rest, opts: { target, where, json: got.has('--json'), lang: pickLang(lang as string | undefined, env) } };
}

/** What a command's local part gets: the connected client and the CLI's surroundings. */
export interface LabContext {
  client: LabClient;
  opts: GlobalOptions;
  cli: CliEnv;
  out(lines: string | readonly string[]): void;
  /** A call that prints the lab's refusal and throws CliExit(1) when it fails. */
  must<M extends Method>(method: M, args?: Record<string, unknown>): Promise<ResultOf<M>>;
}

/** Ends a command with an exit code (its message already printed). */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export type LocalRunner<L extends LocalLine['local']> = (line: Extract<LocalLine, { local: L }>, ctx: LabContext) => Promise<number>;

function errorLine(name: string, text: string): string {
  return `tcplab ${name}: ${text}\n`;
}

function unreachable(name: string, opts: GlobalOptions, why: string): string {
  if (/permission denied/.test(why)) {
    return errorLine(name, why) + 'Run tcplab as the user who started that lab, or start your own with `tcplab serve --socket PATH`.\n';
  }
  if (/refused the connection/.test(why)) {
    return errorLine(name, why) + 'Use the URL `tcplab serve --web` printed, with its token (--lab \'ws://127.0.0.1:PORT/api?token=T\').\n';
  }
  return errorLine(name, why) +
    `No lab is answering at ${opts.where}. Start one in another terminal:\n` +
    '  tcplab serve                  on the TUN device `tcplab setup` made (tcplab0)\n' +
    '  tcplab serve --simulated      on a simulated wire, no TUN needed\n' +
    'or point at a running lab with --lab PATH (its Unix socket) or --lab ws://127.0.0.1:PORT/api?token=T.\n';
}

function defaultPcapName(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `tcplab-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.pcap`;
}

async function runCall(line: CallLine, ctx: LabContext, name: string): Promise<number> {
  const r = await (ctx.client.call as (m: Method, a: unknown) => Promise<Result<unknown>>)(line.method, line.args);
  if (!r.ok) {
    ctx.cli.io.err(errorLine(name, `${r.error.code}: ${r.error.message}`));
    return 1;
  }
  let shown = line;
  if (line.method === 'pcapExport') {
    const file = line.save ?? defaultPcapName();
    try {
      writeFileSync(file, Buffer.from((r.value as ResultOf<'pcapExport'>).pcap, 'base64'));
    } catch (err) {
      ctx.cli.io.err(errorLine(name, `cannot write ${file}: ${(err as Error).message}`));
      return 1;
    }
    shown = { ...line, save: file };
  }
  if (ctx.opts.json) {
    ctx.out(JSON.stringify(line.method === 'pcapExport' ? { ...(r.value as object), pcap: undefined, file: shown.save } : r.value));
  } else if (line.method === 'scenarioList') {
    // With the one running (or the last run) and its step, from the snapshot.
    const snap = await ctx.client.call('snapshot');
    ctx.out(scenariosText((r.value as ResultOf<'scenarioList'>).scenarios, snap.ok ? snap.value.scenario : null));
  } else {
    ctx.out(resultText(shown, r.value, ctx.opts.lang));
  }
  return 0;
}

/** 'Abort with RST now.' -> 'abort with RST now', as the other commands' summaries read. */
function listSummary(s: string): string {
  const t = s.replace(/\.$/, '');
  return /^[A-Z][a-z]/.test(t) ? t[0].toLowerCase() + t.slice(1) : t;
}

/**
 * A `tcplab NAME` subcommand over the shared command language. Commands with a local view
 * (ss, knobs, counters, trace) pass how to run it.
 */
export interface LabCommand extends Command {
  /** `run` in given surroundings (tests capture the output and end live commands themselves). */
  runWith(argv: readonly string[], env: CliEnv): Promise<number>;
}

export function labCommand(name: string, locals: { [L in LocalLine['local']]?: LocalRunner<L> } = {}): LabCommand {
  const spec = findCommand(name);
  if (spec === undefined) throw new Error(`no command ${name} in the command language`);
  return {
    name,
    summary: listSummary(spec.summary),
    run(argv) {
      return this.runWith(argv, processEnv);
    },
    async runWith(argv, env) {
      const g = splitGlobalOptions(argv, env.env);
      if ('error' in g) {
        env.io.err(errorLine(name, g.error));
        return 2;
      }
      const parsed = parseArgv([name, ...g.argv]);
      switch (parsed.kind) {
        case 'empty':
          return 2;
        case 'error':
          env.io.err(errorLine(name, parsed.error) + (parsed.usage ? `${parsed.usage}\n` : '') + `(tcplab help ${name} for more)\n`);
          return 2;
        case 'local':
          if (parsed.local === 'help') {
            env.io.out(`${helpText(parsed.topic)}\n\n${GLOBAL_HELP}\n`);
            return 0;
          }
          break;
        case 'call':
          break;
        default: {
          const never: never = parsed;
          throw new Error(`unexpected ${JSON.stringify(never)}`);
        }
      }
      const runner = parsed.kind === 'local' ? (locals as Record<string, LocalRunner<LocalLine['local']> | undefined>)[parsed.local] : undefined;
      if (parsed.kind === 'local' && runner === undefined) {
        env.io.err(errorLine(name, `'${parsed.command}' only means something in a console (the GUI or the TUI)`));
        return 2;
      }
      let client: LabClient;
      try {
        client = await env.connect(g.opts.target);
      } catch (err) {
        env.io.err(unreachable(name, g.opts, (err as Error).message));
        return 1;
      }
      const ctx: LabContext = {
        client, opts: g.opts, cli: env,
        out: (lines) => env.io.out(typeof lines === 'string' ? `${lines}\n` : lines.map((l) => `${l}\n`).join('')),
        async must(method, args) {
          const r = await (client.call as (m: Method, a: unknown) => Promise<Result<unknown>>)(method, args ?? {});
          if (r.ok) return r.value as ResultOf<typeof method>;
          env.io.err(errorLine(name, `${r.error.code}: ${r.error.message}`));
          throw new CliExit(1);
        },
      };
      try {
        if (parsed.kind === 'call') return await runCall(parsed, ctx, name);
        return await (runner as LocalRunner<LocalLine['local']>)(parsed as never, ctx);
      } catch (err) {
        if (err instanceof CliExit) return err.code;
        throw err;
      } finally {
        await client.close();
      }
    },
  };
}
