// The tcplab command language, shared by the `tcplab` subcommands, the GUI console and the TUI
// prompt: a line (or argv) becomes a call of the contract, a local view, or an error that says
// what is wrong and how the command is used. Pure, no I/O.
//
//   parseCommandLine('listen 80 --backlog 2 --responder http')
//     -> { kind: 'call', command: 'listen', method: 'listen', args: { port: 80, backlog: 2, responder: 'http' } }
//   parseCommandLine('ss -i')   -> { kind: 'local', command: 'ss', local: 'ss', info: true, ... }
//   parseCommandLine('rst x')   -> { kind: 'error', command: 'rst', error: "'x' is not a connection id ...", usage }
//   completions('fault a')      -> { start: 6, end: 7, candidates: ['add'] }
//   helpText('fault')           -> usage, options, details, examples
import { COMMAND_SPECS, type CommandSpec, type CompletionContext, type ParsedLine } from './command-specs.ts';
import { quoteWord, tokenize } from './command-tokens.ts';
import type { Snapshot } from './snapshot.ts';

export type { CallLine, CommandSpec, CompletionContext, ErrorLine, LocalCommand, LocalLine, LocalName, ParsedLine } from './command-specs.ts';
export { COMMAND_SPECS } from './command-specs.ts';
export { quoteWord, tokenize, unescapeData } from './command-tokens.ts';

const byName = new Map<string, CommandSpec>();
for (const spec of COMMAND_SPECS) {
  byName.set(spec.name, spec);
  for (const a of spec.aliases ?? []) byName.set(a, spec);
}

/** The command named `name` (or one of its aliases). */
export function findCommand(name: string): CommandSpec | undefined {
  return byName.get(name);
}

/** Every command name (not aliases), in help order. */
export const COMMAND_NAMES: readonly string[] = COMMAND_SPECS.map((s) => s.name);

/** Words already split (the CLI's argv after `tcplab`). */
export function parseArgv(words: readonly string[]): ParsedLine {
  if (words.length === 0) return { kind: 'empty' };
  const [name, ...rest] = words;
  const spec = byName.get(name);
  if (spec === undefined) {
    const near = COMMAND_NAMES.filter((n) => n.startsWith(name.slice(0, 2)));
    const hint = near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '';
    return { kind: 'error', command: null, error: `unknown command '${name}'${hint}; \`help\` lists the commands`, usage: null };
  }
  if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
    return { kind: 'local', command: 'help', local: 'help', topic: spec.name };
  }
  return spec.parse(rest, spec);
}

/** A typed line (console, prompt). A leading `tcplab` is ignored, so pasted shell lines work. */
export function parseCommandLine(line: string): ParsedLine {
  const t = tokenize(line);
  if (!t.ok) return { kind: 'error', command: null, error: t.error, usage: null };
  const words = t.tokens.map((x) => x.text);
  if (words[0] === 'tcplab') words.shift();
  return parseArgv(words);
}

// --- completion --------------------------------------------------------------------------

export interface Completion {
  /** The span of the line the chosen candidate replaces (the word being typed). */
  start: number;
  end: number;
  /** Whole words that fit what has been typed, sorted; quoted where needed. */
  candidates: string[];
}

/** The ids and names a snapshot knows, for completions. */
export function completionContext(s: Pick<Snapshot, 'connections' | 'listeners' | 'knobs' | 'faults'>, scenarios: readonly string[] = []): CompletionContext {
  return {
    conns: s.connections.map((c) => c.id),
    listeners: s.listeners.map((l) => l.id),
    knobs: Object.keys(s.knobs).sort(),
    faultIds: s.faults.rules.flatMap((r) => (r.rule.id === undefined ? [] : [r.rule.id])),
    scenarios,
  };
}

function optionWords(spec: CommandSpec): string[] {
  return (spec.options ?? []).map((o) => `--${o.long}`);
}

/** Candidates for the word under the cursor at the end of `line`. */
export function completions(line: string, ctx: CompletionContext = {}): Completion {
  const t = tokenize(line);
  const tokens = t.tokens;
  const typingNew = !t.ok ? false : t.trailingSpace || tokens.length === 0;
  const current = typingNew ? { text: '', start: line.length, end: line.length } : tokens[tokens.length - 1];
  const before = (typingNew ? tokens : tokens.slice(0, -1)).map((x) => x.text);
  if (before[0] === 'tcplab') before.shift();
  let pool: readonly string[];
  if (before.length === 0) {
    pool = COMMAND_NAMES;
  } else {
    const spec = byName.get(before[0]);
    if (spec === undefined) {
      pool = [];
    } else if (current.text.startsWith('-')) {
      pool = optionWords(spec);
    } else {
      const words = before.slice(1);
      pool = spec.complete?.(words.length, [...words, current.text], ctx) ?? [];
    }
  }
  const candidates = [...new Set(pool)].filter((c) => c.startsWith(current.text)).sort().map((c) => (c.endsWith('=') || c.endsWith(':') ? c : quoteWord(c)));
  return { start: current.start, end: current.end, candidates };
}

// --- help ----------------------------------------------------------------------------------

/** `help` with no topic: every command with its summary. */
export function commandList(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return COMMAND_SPECS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n');
}

/** One command's help: usage, summary, options, details and examples. Null for an unknown name. */
export function commandHelp(name: string): string | null {
  const spec = byName.get(name);
  if (spec === undefined) return null;
  const out: string[] = spec.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} tcplab ${u}`);
  out.push('', spec.summary);
  if (spec.aliases?.length) out.push(`Also: ${spec.aliases.join(', ')}.`);
  if (spec.options?.length) {
    out.push('', 'options:');
    const label = (o: NonNullable<CommandSpec['options']>[number]) => `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.value ? ` ${o.value}` : ''}`;
    const width = Math.max(...spec.options.map((o) => label(o).length));
    for (const o of spec.options) out.push(`  ${label(o).padEnd(width)}  ${o.doc}`);
  }
  if (spec.details?.length) out.push('', ...spec.details);
  if (spec.examples?.length) out.push('', 'examples:', ...spec.examples.map((e) => `  tcplab ${e}`));
  return out.join('\n');
}

/** Help for a topic, or the command list; an unknown topic says so. */
export function helpText(topic: string | null = null): string {
  if (topic === null) return `commands:\n${commandList()}\n\n\`help COMMAND\` shows a command's usage and examples.`;
  return commandHelp(topic) ?? `no such command: ${topic}\n\ncommands:\n${commandList()}`;
}

/** The longest common prefix of the candidates (what Tab can fill in at once). */
export function commonPrefix(xs: readonly string[]): string {
  if (xs.length === 0) return '';
  let p = xs[0];
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Name, first usage line and summary of every command (a console's help table). */
export const COMMANDS: readonly { name: string; usage: string; summary: string }[] = COMMAND_SPECS.map((s) => ({
  name: s.name, usage: s.usage.join(' | '), summary: s.summary,
}));

/** COMMAND_HELP[name]: the help text of every command (for UIs that show it as a table). */
export const COMMAND_HELP: Readonly<Record<string, string>> = Object.fromEntries(
  COMMAND_SPECS.map((s) => [s.name, commandHelp(s.name) as string]),
);
