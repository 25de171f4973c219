// The tcplab command language, one entry per command: its usage, help text, options and how its
// words become a call of the contract (a method and named arguments) or a local view (ss,
// counters, trace, ...). Summaries of commands that are one method come from the contract's
// docs. Pure: no I/O. command-line.ts is the entry point.
import { contract, type Method } from './contract.ts';
import { buildFaultRule, buildRandomFaults, RANDOM_KEYS, RULE_ACTIONS, RULE_KEYS } from './command-fault.ts';
import { decimal, splitArgs, stringFlag, wholeNumber, type OptSpec, type SplitArgs } from './command-options.ts';
import { unescapeData } from './command-tokens.ts';
import { EVENT_KINDS, RESPONDERS, type EventKind } from './names.ts';
import { streamSchemas, validate, type EventFilter } from './schemas.ts';

export type LocalCommand =
  | { local: 'ss'; info: boolean; listening: boolean; all: boolean; filter: string }
  | { local: 'knobs'; match: string | null }
  | { local: 'counters'; deltas: boolean; intervalMs: number; count: number | null; nonZero: boolean; match: string | null }
  | { local: 'trace'; filter: EventFilter; count: number | null; /** `trace on|off`: a console's trace pane. */ toggle: 'on' | 'off' | null }
  | { local: 'help'; topic: string | null }
  /** A console's own: clear the screen. */
  | { local: 'clear' };

export type LocalName = LocalCommand['local'];

export interface CallLine {
  kind: 'call';
  /** The command word ('listen', 'fault ls', 'pcap save'): how to show the result. */
  command: string;
  method: Method;
  /** Named arguments, already checked against the contract's schema. */
  args: Record<string, unknown>;
  /** `pcap save [FILE]`: write the exported file there; null: the UI chooses (a download, a default name). */
  save?: string | null;
}

export type LocalLine = { kind: 'local'; command: string } & LocalCommand;

export interface ErrorLine {
  kind: 'error';
  command: string | null;
  error: string;
  /** The command's usage lines, when the error is about how it was used. */
  usage: string | null;
}

export type ParsedLine = { kind: 'empty' } | CallLine | LocalLine | ErrorLine;

/** What completion may offer for a position: ids and names known to the UI (all optional). */
export interface CompletionContext {
  conns?: readonly number[];
  listeners?: readonly number[];
  knobs?: readonly string[];
  scenarios?: readonly string[];
  faultIds?: readonly string[];
}

export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  /** One line per form, without the leading 'tcplab'. */
  usage: readonly string[];
  summary: string;
  details?: readonly string[];
  examples?: readonly string[];
  options?: readonly OptSpec[];
  /** Words that may follow the name (fault add|rm|ls|random, ...). */
  subcommands?: readonly string[];
  parse(words: readonly string[], self: CommandSpec): ParsedLine;
  /** Candidates for the word at index `index` of the words after the name. */
  complete?(index: number, words: readonly string[], ctx: CompletionContext): readonly string[];
}

// --- helpers --------------------------------------------------------------------------------

function usageOf(spec: CommandSpec): string {
  return spec.usage.map((u) => `usage: tcplab ${u}`).join('\n');
}

export function usageError(spec: CommandSpec, error: string): ErrorLine {
  return { kind: 'error', command: spec.name, error, usage: usageOf(spec) };
}

/** A call, checked against the contract (the same messages the lab would give). */
function call(spec: CommandSpec, method: Method, args: Record<string, unknown>, command = spec.name, save?: string | null): ParsedLine {
  const checked = validate(contract[method].args, args);
  if (!checked.ok) return usageError(spec, checked.error.message);
  return save === undefined ? { kind: 'call', command, method, args } : { kind: 'call', command, method, args, save };
}

function split(spec: CommandSpec, words: readonly string[], restAfter?: number): SplitArgs | ErrorLine {
  const s = splitArgs(words, spec.options ?? [], restAfter);
  return s.ok ? s.value : usageError(spec, s.error);
}

const isError = (x: unknown): x is ErrorLine => typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'error';

function expectCount(spec: CommandSpec, positional: readonly string[], min: number, max: number, names: string): ErrorLine | null {
  if (positional.length < min) return usageError(spec, `missing ${names.split(' ').slice(positional.length, min).join(' ')}`);
  if (positional.length > max) return usageError(spec, `unexpected '${positional[max]}'`);
  return null;
}

function idArg(spec: CommandSpec, word: string, what: 'connection' | 'listener'): number | ErrorLine {
  const n = wholeNumber(word);
  if (n !== null) return n;
  const where = what === 'connection' ? '`ss`' : '`ss -l`';
  return usageError(spec, `'${word}' is not a ${what} id (a number, as ${where} shows it)`);
}

function portArg(spec: CommandSpec, word: string): number | ErrorLine {
  const n = wholeNumber(word);
  return n === null || word.startsWith('#') ? usageError(spec, `'${word}' is not a port number`) : n;
}

function intFlag(spec: CommandSpec, flags: Map<string, string | true>, name: string): number | undefined | ErrorLine {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? wholeNumber(v) : null;
  return n === null || (typeof v === 'string' && v.startsWith('#')) ? usageError(spec, `--${name} needs a whole number, got '${String(v)}'`) : n;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

const RESPONDER_OPT: OptSpec = { long: 'responder', short: 'r', value: RESPONDERS.join('|'), doc: 'who serves the connection\'s data' };
const ids = (xs: readonly number[] | undefined): string[] => (xs ?? []).map(String);

/** A command that takes one connection id (shutdown, close, rst). */
function connCommand(name: string, method: 'shutdown' | 'close' | 'reset', aliases: string[], details: string[]): CommandSpec {
  return {
    name, aliases, usage: [`${name} ID`], summary: contract[method].doc, details,
    examples: [`${name} 3`],
    parse(words, self) {
      const s = split(self, words);
      if (isError(s)) return s;
      const bad = expectCount(self, s.positional, 1, 1, 'ID');
      if (bad) return bad;
      const conn = idArg(self, s.positional[0], 'connection');
      return isError(conn) ? conn : call(self, method, { conn });
    },
    complete: (i, _w, ctx) => (i === 0 ? ids(ctx.conns) : []),
  };
}

/** A command that takes one listener id (accept, pause, resume, unlisten). */
function listenerCommand(name: string, method: 'accept' | 'pauseAccept' | 'resumeAccept' | 'unlisten', aliases: string[], details: string[]): CommandSpec {
  return {
    name, aliases, usage: [`${name} LISTENER`], summary: contract[method].doc, details,
    examples: [`${name} 1`],
    parse(words, self) {
      const s = split(self, words);
      if (isError(s)) return s;
      const bad = expectCount(self, s.positional, 1, 1, 'LISTENER');
      if (bad) return bad;
      const listener = idArg(self, s.positional[0], 'listener');
      return isError(listener) ? listener : call(self, method, { listener });
    },
    complete: (i, _w, ctx) => (i === 0 ? ids(ctx.listeners) : []),
  };
}

// --- the commands ----------------------------------------------------------------------------

const ss: CommandSpec = {
  name: 'ss',
  aliases: ['netstat'],
  usage: ['ss [-i] [-l | -a] [FILTER...]'],
  summary: 'Our connections, as `ss -tan` shows them; -i adds the tcp_info-like columns, -l shows listeners with their queues.',
  details: [
    'Columns are the ones the TUI and the GUI show. State names are the RFC\'s (SYN-RECEIVED, TIME-WAIT).',
    'FILTER terms (all must hold): state:ESTABLISHED, port:80, lport:80, rport:40000, addr:10.77.0.1,',
    'id:3, listener:1, app:echo, timer:rto, plain text; a leading ! negates (!state:TIME-WAIT).',
    '-t and -n are accepted and change nothing (always TCP, always numeric).',
  ],
  examples: ['ss', 'ss -i', 'ss -l', 'ss state:ESTABLISHED port:80', 'ss -a !state:TIME-WAIT'],
  options: [
    { long: 'info', short: 'i', doc: 'tcp_info-like extras: rto, retransmits, mss, windows, sequence numbers' },
    { long: 'listening', short: 'l', doc: 'listeners only, with their SYN and accept queues' },
    { long: 'all', short: 'a', doc: 'connections and listeners' },
    { long: 'tcp', short: 't', doc: 'accepted for ss habits (always TCP)' },
    { long: 'numeric', short: 'n', doc: 'accepted for ss habits (always numeric)' },
    { long: 'options', short: 'o', doc: 'accepted for ss habits (timers are always shown)' },
  ],
  parse(words, self) {
    const s = split(self, words);
    if (isError(s)) return s;
    return {
      kind: 'local', command: 'ss', local: 'ss', info: s.flags.has('info'), listening: s.flags.has('listening'),
      all: s.flags.has('all'), filter: s.positional.join(' '),
    };
  },
  complete: () => ['state:', 'port:', 'lport:', 'rport:', 'addr:', 'id:', 'listener:', 'app:', 'timer:'],
};

const listen: CommandSpec = {
  name: 'listen',
  usage: [`listen PORT [--backlog N] [--responder ${RESPONDERS.join('|')}]`],
  summary: contract.listen.doc,
  details: [
    'Defaults: backlog 128 (capped by somaxconn), responder echo. With --responder manual,',
    'accepted connections wait for `send`, `shutdown`, `close` or `rst` from you.',
    'Answers the listener id (for accept, pause, resume, unlisten).',
  ],
  examples: ['listen 80 --responder http', 'listen 7', 'listen 9000 --backlog 2 --responder manual'],
  options: [{ long: 'backlog', short: 'b', value: 'N', doc: 'accept queue length (min with somaxconn)' }, RESPONDER_OPT],
  parse(words, self) {
    const s = split(self, words);
    if (isError(s)) return s;
    const bad = expectCount(self, s.positional, 1, 1, 'PORT');
    if (bad) return bad;
    const port = portArg(self, s.positional[0]);
    if (isError(port)) return port;
    const backlog = intFlag(self, s.flags, 'backlog');
    if (isError(backlog)) return backlog;
    const args: Record<string, unknown> = { port };
    if (backlog !== undefined) args.backlog = backlog;
    if (s.flags.has('responder')) args.responder = stringFlag(s.flags, 'responder');
    return call(self, 'listen', args);
  },
};

const connect: CommandSpec = {
  name: 'connect',
  usage: [`connect ADDR PORT [--local-port N] [--responder ${RESPONDERS.join('|')}]`],
  summary: contract.connect.doc,
  details: ['Default responder: manual (you send and close). Answers the connection id.'],
  examples: ['connect 10.77.0.1 8080', 'connect 10.77.0.1 7 --responder chargen'],
  options: [{ long: 'local-port', short: 'p', value: 'N', doc: 'our port (default: an ephemeral port)' }, RESPONDER_OPT],
  parse(words, self) {
    const s = split(self, words);
    if (isError(s)) return s;
    const bad = expectCount(self, s.positional, 2, 2, 'ADDR PORT');
    if (bad) return bad;
    const port = portArg(self, s.positional[1]);
    if (isError(port)) return port;
    const localPort = intFlag(self, s.flags, 'local-port');
    if (isError(localPort)) return localPort;
    const args: Record<string, unknown> = { addr: s.positional[0], port };
    if (localPort !== undefined) args.localPort = localPort;
    if (s.flags.has('responder')) args.responder = stringFlag(s.flags, 'responder');
    return call(self, 'connect', args);
  },
};

const send: CommandSpec = {
  name: 'send',
  usage: ['send [-E | --base64] ID DATA...'],
  summary: contract.send.doc,
  details: [
    'The words of DATA are joined with single spaces. Escapes are interpreted as `echo -e` does',
    '(\\r \\n \\t \\\\ \\xHH \\uHHHH), so a request line can end in \\r\\n; -E sends DATA as typed;',
    '--base64 takes DATA as base64 bytes. At most 1 MiB. Options go before DATA; `--` ends them.',
  ],
  examples: ['send 3 hello', "send 3 'GET / HTTP/1.0\\r\\n\\r\\n'", 'send -E 3 C:\\temp', 'send --base64 3 aGVsbG8K'],
  options: [
    { long: 'raw', short: 'E', doc: 'send DATA as typed (no escapes)' },
    { long: 'escapes', short: 'e', doc: 'interpret escapes (the default; for echo -e habits)' },
    { long: 'base64', doc: 'DATA is base64' },
  ],
  parse(words, self) {
    const s = split(self, words, 1);
    if (isError(s)) return s;
    if (s.positional.length === 0) return usageError(self, 'missing ID');
    if (s.positional.length > 1) return usageError(self, `unexpected '${s.positional[1]}'`);
    if (s.rest.length === 0) return usageError(self, 'missing DATA');
    const conn = idArg(self, s.positional[0], 'connection');
    if (isError(conn)) return conn;
    const text = s.rest.join(' ');
    if (s.flags.has('base64')) {
      if (s.flags.has('raw')) return usageError(self, '-E and --base64 do not go together');
      return call(self, 'send', { conn, data: text, encoding: 'base64' });
    }
    if (s.flags.has('raw') || !text.includes('\\')) return call(self, 'send', { conn, data: text });
    const u = unescapeData(text);
    if (!u.ok) return usageError(self, `${u.error} (-E sends DATA as typed)`);
    const plain = new TextDecoder('utf-8', { fatal: false }).decode(u.bytes);
    // Text that survives UTF-8 goes as text (readable in logs); other bytes as base64.
    const asText = new TextEncoder().encode(plain);
    const same = asText.length === u.bytes.length && asText.every((b, i) => b === u.bytes[i]);
    return call(self, 'send', same ? { conn, data: plain } : { conn, data: toBase64(u.bytes), encoding: 'base64' });
  },
  complete: (i, _w, ctx) => (i === 0 ? ids(ctx.conns) : []),
};

const set: CommandSpec = {
  name: 'set',
  usage: ['set NAME=VALUE', 'set NAME VALUE'],
  summary: contract.setKnob.doc,
  details: ['Knob names are Linux\'s sysctl names without the prefix (tcp_syncookies, somaxconn); `knobs` lists them.'],
  examples: ['set tcp_syncookies=2', 'set tcp_abort_on_overflow 1', 'set isn_clock=4us'],
  parse(words, self) {
    let name: string;
    let value: string;
    if (words.length === 1 && words[0].includes('=')) {
      const eq = words[0].indexOf('=');
      [name, value] = [words[0].slice(0, eq), words[0].slice(eq + 1)];
    } else if (words.length === 2 && !words[0].includes('=')) {
      [name, value] = [words[0], words[1]];
    } else {
      return usageError(self, words.length === 0 ? 'missing NAME=VALUE' : 'one knob at a time: NAME=VALUE');
    }
    if (value === '') return usageError(self, `missing the value of ${name}`);
    const n = decimal(value);
    return call(self, 'setKnob', { name, value: n ?? value });
  },
  complete: (i, _w, ctx) => (i === 0 ? (ctx.knobs ?? []).map((k) => `${k}=`) : []),
};

const knobs: CommandSpec = {
  name: 'knobs',
  usage: ['knobs [MATCH]'],
  summary: contract.getKnobs.doc,
  examples: ['knobs', 'knobs syn'],
  parse(words, self) {
    if (words.length > 1) return usageError(self, `unexpected '${words[1]}'`);
    return { kind: 'local', command: 'knobs', local: 'knobs', match: words[0] ?? null };
  },
  complete: (i, _w, ctx) => (i === 0 ? ctx.knobs ?? [] : []),
};

const fault: CommandSpec = {
  name: 'fault',
  usage: ['fault add KEY=VALUE... ACTION', 'fault add JSON', 'fault rm ID', 'fault ls', 'fault random KEY=VALUE...', 'fault random off'],
  summary: 'Fault rules: drop, delay, duplicate, corrupt or reorder the packets a rule matches; seeded random faults.',
  details: [
    `Rule keys: ${RULE_KEYS.join(', ')} (dst-port and dstPort both work).`,
    `Actions: ${RULE_ACTIONS.join(', ')}. dir=in is kernel -> lab.`,
    'A rule acts on the nth matching packet (default 1) and count packets from there (default 1, or all).',
    `Random keys: ${RANDOM_KEYS.join(', ')}; delay is a probability, delay-ms its length; seed defaults to 1.`,
    `add: ${contract.faultAdd.doc} rm: ${contract.faultRemove.doc} ls: ${contract.faultList.doc}`,
  ],
  examples: [
    'fault add dir=in flags=. nth=3 drop', 'fault add flags=S. delay=5000', 'fault add has-flags=F duplicate',
    'fault add dst-port=80 count=all probability=0.1 drop', 'fault rm rule-1', 'fault ls',
    'fault random loss=0.01 reorder=0.01 seed=7', 'fault random off',
  ],
  subcommands: ['add', 'rm', 'ls', 'random'],
  parse(words, self) {
    const [sub, ...rest] = words;
    switch (sub) {
      case 'add': {
        const rule = buildFaultRule(rest);
        return rule.ok ? call(self, 'faultAdd', { rule: rule.value }, 'fault add') : usageError(self, rule.error);
      }
      case 'rm':
      case 'remove':
      case 'del':
        if (rest.length !== 1) return usageError(self, rest.length === 0 ? 'missing the rule ID (fault ls shows them)' : `unexpected '${rest[1]}'`);
        return call(self, 'faultRemove', { id: rest[0] }, 'fault rm');
      case 'ls':
      case 'list':
        if (rest.length > 0) return usageError(self, `unexpected '${rest[0]}'`);
        return call(self, 'faultList', {}, 'fault ls');
      case 'random': {
        const r = buildRandomFaults(rest);
        return r.ok ? call(self, 'faultRandom', { random: r.value }, 'fault random') : usageError(self, r.error);
      }
      case undefined:
        return usageError(self, 'say add, rm, ls or random');
      default:
        return usageError(self, `unknown 'fault ${sub}' (add, rm, ls, random)`);
    }
  },
  complete(i, words, ctx) {
    if (i === 0) return this.subcommands ?? [];
    if (words[0] === 'rm') return i === 1 ? ctx.faultIds ?? [] : [];
    if (words[0] === 'add') return [...RULE_KEYS.filter((k) => k !== 'action').map((k) => `${k}=`), 'drop', 'delay=', 'duplicate', 'corrupt', 'reorder'];
    if (words[0] === 'random') return i === 1 ? ['off', ...RANDOM_KEYS.map((k) => `${k}=`)] : RANDOM_KEYS.map((k) => `${k}=`);
    return [];
  },
};

const pcap: CommandSpec = {
  name: 'pcap',
  usage: ['pcap start [--max-packets N] [--max-bytes N] [--snaplen N] [--no-ring]', 'pcap stop', 'pcap save [FILE]'],
  summary: 'Record the packets crossing the wire (bounded), stop, and save them as a pcap file tcpdump and Wireshark read.',
  details: [
    `start: ${contract.pcapStart.doc} Defaults: a ring of 100000 packets, 64 MiB; --no-ring stops when full.`,
    `stop: ${contract.pcapStop.doc}`,
    `save: writes ${contract.pcapExport.doc.replace(/, base64\.$/, '')} to FILE (recording may go on);`,
    'without FILE the CLI writes tcplab-TIME.pcap in the current directory and the GUI offers a download.',
  ],
  examples: ['pcap start', 'pcap start --max-packets 1000 --no-ring', 'pcap stop', 'pcap save /tmp/lab.pcap'],
  subcommands: ['start', 'stop', 'save'],
  options: [
    { long: 'max-packets', value: 'N', doc: 'at most N packets' },
    { long: 'max-bytes', value: 'N', doc: 'at most N bytes' },
    { long: 'snaplen', value: 'N', doc: 'bytes kept per packet' },
    { long: 'no-ring', doc: 'stop recording when full (default: keep the newest)' },
  ],
  parse(words, self) {
    const [sub, ...rest] = words;
    const s = split(self, rest);
    if (isError(s)) return s;
    switch (sub) {
      case 'start': {
        if (s.positional.length > 0) return usageError(self, `unexpected '${s.positional[0]}'`);
        const args: Record<string, unknown> = {};
        for (const [flag, key] of [['max-packets', 'maxPackets'], ['max-bytes', 'maxBytes'], ['snaplen', 'snaplen']] as const) {
          const v = intFlag(self, s.flags, flag);
          if (isError(v)) return v;
          if (v !== undefined) args[key] = v;
        }
        if (s.flags.has('no-ring')) args.ring = false;
        return call(self, 'pcapStart', args, 'pcap start');
      }
      case 'stop':
      case 'save':
        if (s.flags.size > 0) return usageError(self, `pcap ${sub} takes no options`);
        if (sub === 'stop') return s.positional.length > 0 ? usageError(self, `unexpected '${s.positional[0]}'`) : call(self, 'pcapStop', {}, 'pcap stop');
        if (s.positional.length > 1) return usageError(self, `unexpected '${s.positional[1]}'`);
        return call(self, 'pcapExport', {}, 'pcap save', s.positional[0] ?? null);
      case undefined:
        return usageError(self, 'say start, stop or save [FILE]');
      default:
        return usageError(self, `unknown 'pcap ${sub}' (start, stop, save)`);
    }
  },
  complete: (i) => (i === 0 ? ['start', 'stop', 'save'] : ['--max-packets', '--max-bytes', '--snaplen', '--no-ring']),
};

const scenario: CommandSpec = {
  name: 'scenario',
  usage: ['scenario ls', 'scenario run NAME', 'scenario stop'],
  summary: 'Guided scenarios: list them, run one, stop the one running.',
  details: [`ls: ${contract.scenarioList.doc} run: ${contract.scenarioRun.doc} stop: ${contract.scenarioStop.doc}`],
  examples: ['scenario ls', 'scenario run handshake', 'scenario stop'],
  subcommands: ['ls', 'run', 'stop'],
  parse(words, self) {
    const [sub, ...rest] = words;
    switch (sub) {
      case 'ls':
      case 'list':
        return rest.length > 0 ? usageError(self, `unexpected '${rest[0]}'`) : call(self, 'scenarioList', {}, 'scenario ls');
      case 'run':
        if (rest.length !== 1) return usageError(self, rest.length === 0 ? 'missing NAME (scenario ls lists them)' : `unexpected '${rest[1]}'`);
        return call(self, 'scenarioRun', { name: rest[0] }, 'scenario run');
      case 'stop':
        return rest.length > 0 ? usageError(self, `unexpected '${rest[0]}'`) : call(self, 'scenarioStop', {}, 'scenario stop');
      case undefined:
        return usageError(self, 'say ls, run NAME or stop');
      default:
        return usageError(self, `unknown 'scenario ${sub}' (ls, run, stop)`);
    }
  },
  complete: (i, words, ctx) => (i === 0 ? ['ls', 'run', 'stop'] : i === 1 && words[0] === 'run' ? ctx.scenarios ?? [] : []),
};

const time: CommandSpec = {
  name: 'time',
  usage: ['time', 'time pause|resume', 'time step [N]', 'time scale X', 'time slow MS|off'],
  summary: 'Lab time: pause and single-step the lab side, slow motion, or scale its timers (the kernel is not affected).',
  details: [
    'pause: packets from the wire wait at a gate and the lab\'s timers stand still; step [N]: the lab side takes the oldest held packet (or runs its next timer), N times; resume: it takes everything held and runs on.',
    'slow MS: paused, one step every MS milliseconds; off ends it. scale X: lab time runs X times as fast as real time (0.01 to 1000), for long timers such as TIME-WAIT or keepalive; the kernel keeps real time. `time` alone shows the state.',
  ],
  examples: ['time pause', 'time step', 'time step 5', 'time resume', 'time scale 10', 'time scale 1', 'time slow 500', 'time slow off'],
  subcommands: ['pause', 'resume', 'step', 'scale', 'slow'],
  parse(words, self) {
    const [sub, arg, extra] = words;
    if (extra !== undefined) return usageError(self, `unexpected '${extra}'`);
    const noArg = (): ErrorLine | null => (arg !== undefined ? usageError(self, `unexpected '${arg}'`) : null);
    switch (sub) {
      case undefined:
        return call(self, 'timeControl', {}, 'time');
      case 'pause':
        return noArg() ?? call(self, 'timeControl', { paused: true }, 'time pause');
      case 'resume':
        return noArg() ?? call(self, 'timeControl', { paused: false }, 'time resume');
      case 'step': {
        const n = arg === undefined ? 1 : wholeNumber(arg);
        if (n === null) return usageError(self, `'${arg}' is not a number of steps`);
        return call(self, 'timeStep', { count: n }, 'time step');
      }
      case 'scale': {
        const x = decimal(arg);
        if (x === null) return usageError(self, arg === undefined ? 'missing X (1 is real time)' : `'${arg}' is not a number`);
        return call(self, 'timeControl', { scale: x }, 'time scale');
      }
      case 'slow': {
        if (arg === 'off') return call(self, 'timeControl', { slowMotionMs: null }, 'time slow');
        const ms = wholeNumber(arg);
        if (ms === null) return usageError(self, arg === undefined ? 'missing MS (or off)' : `'${arg}' is not a number of milliseconds`);
        return call(self, 'timeControl', { slowMotionMs: ms }, 'time slow');
      }
      default:
        return usageError(self, `unknown 'time ${sub}' (pause, resume, step, scale, slow)`);
    }
  },
  complete: (i, words) => (i === 0 ? ['pause', 'resume', 'step', 'scale', 'slow'] : i === 1 && words[0] === 'slow' ? ['off', '500'] : []),
};

const counters: CommandSpec = {
  name: 'counters',
  usage: ['counters [-z] [--deltas [--interval SECONDS] [--count N]] [MATCH]'],
  summary: 'Counters in netstat -s groups (Tcp, TcpExt, Ip, Icmp) under Linux\'s names; --deltas shows how they move.',
  details: [
    '-z leaves out counters that are zero. MATCH keeps counters whose name contains it.',
    '--deltas prints what moved every interval (default 1 s) until Ctrl-C, or N times with --count.',
  ],
  examples: ['counters', 'counters -z', 'counters Listen', 'counters --deltas --interval 2'],
  options: [
    { long: 'nonzero', short: 'z', doc: 'only counters that are not zero' },
    { long: 'deltas', short: 'd', doc: 'print the changes every interval' },
    { long: 'interval', value: 'SECONDS', doc: 'between --deltas prints (default 1)' },
    { long: 'count', short: 'c', value: 'N', doc: 'stop after N prints' },
  ],
  parse(words, self) {
    const s = split(self, words);
    if (isError(s)) return s;
    if (s.positional.length > 1) return usageError(self, `unexpected '${s.positional[1]}'`);
    const interval = s.flags.get('interval');
    const seconds = interval === undefined ? 1 : decimal(interval === true ? undefined : interval);
    if (seconds === null || seconds < 0.05 || seconds > 3600) return usageError(self, '--interval needs seconds from 0.05 to 3600');
    const count = intFlag(self, s.flags, 'count');
    if (isError(count)) return count;
    if (count === 0) return usageError(self, '--count must be at least 1');
    return {
      kind: 'local', command: 'counters', local: 'counters', deltas: s.flags.has('deltas'), intervalMs: Math.round(seconds * 1000),
      count: count ?? null, nonZero: s.flags.has('nonzero'), match: s.positional[0] ?? null,
    };
  },
};

const trace: CommandSpec = {
  name: 'trace',
  usage: ['trace [ID...] [--kinds KIND,...] [--count N] [--max-rate N]', 'trace on|off'],
  summary: 'Live tcpdump-like lines, with state transitions, timers, queue and fault events interleaved, until Ctrl-C.',
  details: [
    'ID... keeps the events of those connections. Times are lab seconds.',
    `KIND: ${EVENT_KINDS.join(', ')}. --count stops after N lines.`,
    'The lab sends a client at most 500 events a second (a bulk transfer makes far more): past that a',
    'line says how many were skipped. --max-rate asks for more (up to 100000 a second).',
    '`trace on` and `trace off` show or hide a console\'s trace pane (GUI, TUI).',
  ],
  examples: ['trace', 'trace 3', 'trace --kinds segment,state', 'trace --count 20'],
  options: [
    { long: 'kinds', short: 'k', value: 'KIND,...', doc: 'only these kinds of events' },
    { long: 'count', short: 'c', value: 'N', doc: 'stop after N lines' },
    { long: 'max-rate', value: 'N', doc: 'events per second at most (default 500)' },
  ],
  parse(words, self) {
    const s = split(self, words);
    if (isError(s)) return s;
    const toggle = s.positional[0] === 'on' || s.positional[0] === 'off' ? s.positional[0] : null;
    if (toggle !== null) {
      if (words.length > 1) return usageError(self, `trace ${toggle} takes nothing more`);
      return { kind: 'local', command: 'trace', local: 'trace', filter: {}, count: null, toggle };
    }
    const filter: { kinds?: EventKind[]; conns?: number[]; maxRate?: number } = {};
    if (s.positional.length > 0) {
      const conns: number[] = [];
      for (const w of s.positional) {
        const id = idArg(self, w, 'connection');
        if (isError(id)) return id;
        conns.push(id);
      }
      filter.conns = conns;
    }
    const kinds = stringFlag(s.flags, 'kinds');
    if (kinds !== undefined) filter.kinds = kinds.split(',').filter((k) => k !== '') as EventKind[];
    const maxRate = intFlag(self, s.flags, 'max-rate');
    if (isError(maxRate)) return maxRate;
    if (maxRate !== undefined) filter.maxRate = maxRate;
    const checked = validate(streamSchemas.events, filter);
    if (!checked.ok) return usageError(self, checked.error.message.replace(/^kinds(\.\d+)?:/, '--kinds:').replace(/^maxRate: maxRate/, '--max-rate'));
    const count = intFlag(self, s.flags, 'count');
    if (isError(count)) return count;
    if (count === 0) return usageError(self, '--count must be at least 1');
    return { kind: 'local', command: 'trace', local: 'trace', filter: checked.value, count: count ?? null, toggle: null };
  },
  complete: (_i, words, ctx) => (words.at(-2) === '--kinds' ? [...EVENT_KINDS] : ids(ctx.conns)),
};

const history: CommandSpec = {
  name: 'history',
  usage: ['history ID [--limit N]', 'history clear'],
  summary: contract.connectionHistory.doc,
  details: [`clear: ${contract.clearHistory.doc}`],
  examples: ['history 3', 'history 3 --limit 50', 'history clear'],
  options: [{ long: 'limit', value: 'N', doc: 'at most N events (default 1000)' }],
  parse(words, self) {
    const s = split(self, words);
    if (isError(s)) return s;
    if (s.positional[0] === 'clear') {
      return words.length > 1 ? usageError(self, `unexpected '${words[1]}'`) : call(self, 'clearHistory', {}, 'history clear');
    }
    const bad = expectCount(self, s.positional, 1, 1, 'ID');
    if (bad) return bad;
    const conn = idArg(self, s.positional[0], 'connection');
    if (isError(conn)) return conn;
    const limit = intFlag(self, s.flags, 'limit');
    if (isError(limit)) return limit;
    return call(self, 'connectionHistory', limit === undefined ? { conn } : { conn, limit }, 'history');
  },
  complete: (i, _w, ctx) => (i === 0 ? ['clear', ...ids(ctx.conns)] : []),
};

const clear: CommandSpec = {
  name: 'clear',
  usage: ['clear'],
  summary: 'Clear a console\'s screen (GUI, TUI); the lab is not touched.',
  parse(words, self) {
    return words.length > 0 ? usageError(self, `unexpected '${words[0]}'`) : { kind: 'local', command: 'clear', local: 'clear' };
  },
};

const help: CommandSpec = {
  name: 'help',
  aliases: ['?'],
  usage: ['help [COMMAND]'],
  summary: 'The commands, or one command\'s usage, options and examples.',
  examples: ['help', 'help fault'],
  parse(words, self) {
    if (words.length > 1) return usageError(self, `unexpected '${words[1]}'`);
    return { kind: 'local', command: 'help', local: 'help', topic: words[0] ?? null };
  },
};

/** Every command of the language, in the order help lists them. */
export const COMMAND_SPECS: readonly CommandSpec[] = [
  ss,
  listen,
  listenerCommand('unlisten', 'unlisten', [], ['Connections still in its accept queue are reset.']),
  connect,
  send,
  connCommand('shutdown', 'shutdown', [], ['Our FIN goes after the queued data; we keep receiving (half-close).']),
  connCommand('close', 'close', [], ['FIN after the queued data; the connection finishes the close on its own.']),
  connCommand('rst', 'reset', ['reset', 'abort'], ['The peer sees ECONNRESET; the connection is gone at once.']),
  listenerCommand('accept', 'accept', [], ['Answers the connection id, or says the queue is empty.']),
  listenerCommand('pause', 'pauseAccept', [], ['New connections then wait in the accept queue until it overflows.']),
  listenerCommand('resume', 'resumeAccept', [], []),
  set,
  knobs,
  fault,
  pcap,
  counters,
  trace,
  history,
  scenario,
  time,
  clear,
  help,
];
