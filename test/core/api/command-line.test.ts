// The shared command language (core/api/command-line.ts): lines -> contract calls, local views or
// errors that name what is wrong; completion; help. Every call it produces passes the contract's
// own validation (checked by `call` inside the parser, and again here through LabServer's rules).
import { describe, expect, it } from 'vitest';
import {
  COMMAND_HELP, COMMAND_NAMES, COMMAND_SPECS, commandHelp, commonPrefix, completionContext, completions, helpText,
  parseArgv, parseCommandLine, tokenize, unescapeData, type ParsedLine,
} from '../../../core/api/command-line.ts';
import { contract } from '../../../core/api/contract.ts';
import { validate } from '../../../core/api/schemas.ts';

function callOf(line: string): { method: string; args: Record<string, unknown>; command: string; save?: string | null } {
  const p = parseCommandLine(line);
  if (p.kind !== 'call') throw new Error(`${line}: expected a call, got ${JSON.stringify(p)}`);
  expect(validate(contract[p.method].args, p.args).ok).toBe(true);
  return p;
}

function errorOf(line: string): string {
  const p = parseCommandLine(line);
  if (p.kind !== 'error') throw new Error(`${line}: expected an error, got ${JSON.stringify(p)}`);
  return p.error;
}

function localOf(line: string): ParsedLine & { kind: 'local' } {
  const p = parseCommandLine(line);
  if (p.kind !== 'local') throw new Error(`${line}: expected a local command, got ${JSON.stringify(p)}`);
  return p;
}

describe('tokenize', () => {
  it('splits like sh: quotes, backslashes, offsets', () => {
    const t = tokenize(`send 3 "a b" 'c  d' e\\ f "x\\"y"`);
    expect(t.ok && t.tokens.map((x) => x.text)).toEqual(['send', '3', 'a b', 'c  d', 'e f', 'x"y']);
    expect(t.ok && t.tokens[2]).toMatchObject({ start: 7, end: 12 });
  });
  it('keeps \\n inside quotes for send to interpret, as a shell would', () => {
    const t = tokenize(`send 3 'GET /\\r\\n'`);
    expect(t.ok && t.tokens[2].text).toBe('GET /\\r\\n');
  });
  it('reports an unterminated quote', () => {
    expect(tokenize(`send 3 "abc`)).toMatchObject({ ok: false, error: 'unterminated double quote' });
    expect(errorOf(`send 3 'abc`)).toBe('unterminated single quote');
  });
  it('knows whether the line ends in a space', () => {
    expect(tokenize('ss ')).toMatchObject({ ok: true, trailingSpace: true });
    expect(tokenize('ss')).toMatchObject({ ok: true, trailingSpace: false });
  });
});

describe('unescapeData', () => {
  it('turns echo -e escapes into bytes', () => {
    const u = unescapeData('a\\r\\n\\x00\\xff\\u00e9\\q');
    expect(u.ok && [...u.bytes]).toEqual([0x61, 13, 10, 0, 0xff, 0xc3, 0xa9, 0x5c, 0x71]);
  });
  it('refuses a bad \\x', () => {
    expect(unescapeData('\\xZ1')).toMatchObject({ ok: false });
  });
});

describe('parseCommandLine: calls', () => {
  it('listen with options, in any order and form', () => {
    expect(callOf('listen 80 --backlog 2 --responder http')).toMatchObject({ method: 'listen', args: { port: 80, backlog: 2, responder: 'http' } });
    expect(callOf('listen --responder=manual -b 5 9000').args).toEqual({ port: 9000, backlog: 5, responder: 'manual' });
    expect(callOf('listen 7').args).toEqual({ port: 7 });
  });
  it('listen refuses bad ports and responders with the contract\'s messages', () => {
    expect(errorOf('listen 70000')).toBe('port: a port must be at most 65535');
    expect(errorOf('listen http')).toBe("'http' is not a port number");
    expect(errorOf('listen 80 --responder ftp')).toMatch(/^responder: must be one of: echo, discard, http, chargen, manual$/);
    expect(errorOf('listen')).toBe('missing PORT');
    expect(errorOf('listen 80 81')).toBe("unexpected '81'");
    expect(errorOf('listen 80 --bogus')).toMatch(/^unknown option --bogus/);
    expect(errorOf('listen 80 --backlog')).toBe('--backlog needs a value (N)');
  });
  it('an error carries the usage', () => {
    const p = parseCommandLine('listen');
    expect(p).toMatchObject({ kind: 'error', command: 'listen', usage: expect.stringContaining('usage: tcplab listen PORT') as unknown });
  });
  it('connect', () => {
    expect(callOf('connect 10.77.0.1 8080').args).toEqual({ addr: '10.77.0.1', port: 8080 });
    expect(callOf('connect 10.77.0.1 7 --local-port 5555 --responder chargen').args).toEqual({ addr: '10.77.0.1', port: 7, localPort: 5555, responder: 'chargen' });
    expect(errorOf('connect 10.77.0 80')).toBe('addr: must be a dotted IPv4 address like 10.77.0.1');
    expect(errorOf('connect 10.77.0.1')).toBe('missing PORT');
  });
  it('send joins words, interprets escapes unless -E, takes base64', () => {
    expect(callOf('send 3 hello world').args).toEqual({ conn: 3, data: 'hello world' });
    expect(callOf('send #3 hello').args).toEqual({ conn: 3, data: 'hello' });
    expect(callOf(`send 3 'GET / HTTP/1.0\\r\\n\\r\\n'`).args).toEqual({ conn: 3, data: 'GET / HTTP/1.0\r\n\r\n' });
    expect(callOf(`send -E 3 'a\\nb'`).args).toEqual({ conn: 3, data: 'a\\nb' });
    expect(callOf(`send 3 '\\xff\\x00'`).args).toEqual({ conn: 3, data: '/wA=', encoding: 'base64' });
    expect(callOf('send --base64 3 aGVsbG8K').args).toEqual({ conn: 3, data: 'aGVsbG8K', encoding: 'base64' });
    expect(callOf('send 3 -- -e').args).toEqual({ conn: 3, data: '-e' });
    expect(callOf('send 3 x --base64').args).toEqual({ conn: 3, data: 'x --base64' });
    expect(errorOf('send --base64 3 not*base64')).toBe('data: is not valid base64');
    expect(errorOf('send 3')).toBe('missing DATA');
    expect(errorOf('send x hi')).toMatch(/^'x' is not a connection id/);
  });
  it('connection and listener commands', () => {
    expect(callOf('shutdown 3')).toMatchObject({ method: 'shutdown', args: { conn: 3 } });
    expect(callOf('close 3')).toMatchObject({ method: 'close', args: { conn: 3 } });
    expect(callOf('rst 3')).toMatchObject({ method: 'reset', args: { conn: 3 }, command: 'rst' });
    expect(callOf('reset 3').method).toBe('reset');
    expect(callOf('accept 1')).toMatchObject({ method: 'accept', args: { listener: 1 } });
    expect(callOf('pause 1')).toMatchObject({ method: 'pauseAccept', args: { listener: 1 } });
    expect(callOf('resume 1')).toMatchObject({ method: 'resumeAccept', args: { listener: 1 } });
    expect(callOf('unlisten 1')).toMatchObject({ method: 'unlisten', args: { listener: 1 } });
    expect(errorOf('rst')).toBe('missing ID');
    expect(errorOf('pause one')).toMatch(/^'one' is not a listener id/);
  });
  it('set: NAME=VALUE or NAME VALUE, numbers as numbers', () => {
    expect(callOf('set tcp_syncookies=2')).toMatchObject({ method: 'setKnob', args: { name: 'tcp_syncookies', value: 2 } });
    expect(callOf('set isn_clock 4us').args).toEqual({ name: 'isn_clock', value: '4us' });
    expect(errorOf('set')).toBe('missing NAME=VALUE');
    expect(errorOf('set a=1 b=2')).toBe('one knob at a time: NAME=VALUE');
    expect(errorOf('set Bad=1')).toBe('name: must be a knob name like tcp_syncookies');
  });
  it('fault add: key=value words and an action, or JSON', () => {
    expect(callOf('fault add dir=in flags=. nth=3 drop').args).toEqual({ rule: { dir: 'in', flags: '.', nth: 3, action: 'drop' } });
    expect(callOf('fault add flags=S. delay=5000').args).toEqual({ rule: { flags: 'S.', action: { type: 'delay', ms: 5000 } } });
    expect(callOf('fault add flags=S. action=delay ms=5000').args).toEqual({ rule: { flags: 'S.', action: { type: 'delay', ms: 5000 } } });
    expect(callOf('fault add has-flags=F duplicate').args).toEqual({ rule: { hasFlags: 'F', action: 'duplicate' } });
    expect(callOf('fault add dst-port=80 count=all probability=0.1 drop').args).toEqual({ rule: { dstPort: 80, count: 'all', probability: 0.1, action: 'drop' } });
    expect(callOf('fault add flags=S,S. corrupt=payload').args).toEqual({ rule: { flags: ['S', 'S.'], action: { type: 'corrupt', what: 'payload' } } });
    expect(callOf(`fault add '{"flags":"R","action":"drop"}'`).args).toEqual({ rule: { flags: 'R', action: 'drop' } });
    expect(errorOf('fault add port=99999 drop')).toBe('rule.port: must be at most 65535');
    expect(errorOf('fault add dir=in')).toMatch(/^the rule has no action/);
    expect(errorOf('fault add drop delay=5')).toBe("two actions: 'delay=5' (one action per rule)");
    expect(errorOf('fault add colour=red drop')).toMatch(/^unknown rule key 'colour'/);
    expect(errorOf('fault add dir=sideways drop')).toMatch(/^rule\.dir: must be 'in'/);
  });
  it('fault rm, ls, random', () => {
    expect(callOf('fault rm rule-1')).toMatchObject({ method: 'faultRemove', args: { id: 'rule-1' } });
    expect(callOf('fault ls')).toMatchObject({ method: 'faultList', command: 'fault ls' });
    expect(callOf('fault random loss=0.01 reorder=0.02 seed=7').args).toEqual({ random: { loss: 0.01, reorder: 0.02, seed: 7 } });
    expect(callOf('fault random delay=0.1 delay-ms=20 jitter-ms=5').args).toEqual({ random: { delay: { probability: 0.1, ms: 20, jitterMs: 5 }, seed: 1 } });
    expect(callOf('fault random off').args).toEqual({ random: null });
    expect(errorOf('fault random loss=2')).toBe('random.loss: a probability is from 0 to 1');
    expect(errorOf('fault')).toBe('say add, rm, ls or random');
    expect(errorOf('fault zap')).toMatch(/^unknown 'fault zap'/);
  });
  it('pcap', () => {
    expect(callOf('pcap start').args).toEqual({});
    expect(callOf('pcap start --max-packets 1000 --no-ring').args).toEqual({ maxPackets: 1000, ring: false });
    expect(callOf('pcap stop').method).toBe('pcapStop');
    expect(callOf('pcap save /tmp/a.pcap')).toMatchObject({ method: 'pcapExport', command: 'pcap save', save: '/tmp/a.pcap' });
    expect(callOf('pcap save')).toMatchObject({ method: 'pcapExport', save: null });
    expect(errorOf('pcap start --max-bytes 10')).toBe('maxBytes: maxBytes must be at least 1024');
    expect(errorOf('pcap stop --no-ring')).toBe('pcap stop takes no options');
  });
  it('scenario and history', () => {
    expect(callOf('scenario ls').method).toBe('scenarioList');
    expect(callOf('scenario run handshake')).toMatchObject({ method: 'scenarioRun', args: { name: 'handshake' } });
    expect(callOf('scenario stop').method).toBe('scenarioStop');
    expect(errorOf('scenario run')).toMatch(/^missing NAME/);
    expect(errorOf('scenario run Bad_Name')).toBe('name: must be a scenario name like handshake');
    expect(callOf('history 3 --limit 50')).toMatchObject({ method: 'connectionHistory', args: { conn: 3, limit: 50 } });
    expect(callOf('history clear')).toMatchObject({ method: 'clearHistory', command: 'history clear' });
  });
});

describe('parseCommandLine: local commands', () => {
  it('ss with ss habits and a filter', () => {
    expect(localOf('ss')).toMatchObject({ local: 'ss', info: false, listening: false, all: false, filter: '' });
    expect(localOf('ss -tani state:est port:80')).toMatchObject({ local: 'ss', info: true, all: true, filter: 'state:est port:80' });
    expect(localOf('ss -l')).toMatchObject({ listening: true });
    expect(localOf('netstat')).toMatchObject({ local: 'ss' });
    expect(errorOf('ss -x')).toMatch(/^unknown option -x/);
  });
  it('counters', () => {
    expect(localOf('counters')).toMatchObject({ local: 'counters', deltas: false, intervalMs: 1000, count: null, nonZero: false, match: null });
    expect(localOf('counters -z --deltas --interval 0.5 -c 3 Listen')).toMatchObject({ deltas: true, intervalMs: 500, count: 3, nonZero: true, match: 'Listen' });
    expect(errorOf('counters --interval 0')).toMatch(/^--interval/);
  });
  it('trace: filter checked with the event stream\'s schema; on/off for consoles', () => {
    expect(localOf('trace')).toMatchObject({ local: 'trace', filter: {}, count: null, toggle: null });
    expect(localOf('trace 3 4 --kinds segment,state --count 20')).toMatchObject({ filter: { conns: [3, 4], kinds: ['segment', 'state'] }, count: 20 });
    expect(localOf('trace off')).toMatchObject({ toggle: 'off' });
    expect(errorOf('trace --kinds bogus')).toMatch(/^--kinds: must be event kinds/);
    expect(localOf('trace --max-rate 20000')).toMatchObject({ filter: { maxRate: 20000 } });
    expect(errorOf('trace --max-rate 0')).toBe('--max-rate must be at least 1');
  });
  it('knobs, help, clear', () => {
    expect(localOf('knobs syn')).toMatchObject({ local: 'knobs', match: 'syn' });
    expect(localOf('help fault')).toMatchObject({ local: 'help', topic: 'fault' });
    expect(localOf('? ')).toMatchObject({ local: 'help', topic: null });
    expect(localOf('listen --help')).toMatchObject({ local: 'help', topic: 'listen' });
    expect(localOf('clear')).toMatchObject({ local: 'clear' });
  });
  it('empty lines, a leading tcplab, unknown commands', () => {
    expect(parseCommandLine('   ')).toEqual({ kind: 'empty' });
    expect(callOf('tcplab rst 3').method).toBe('reset');
    expect(errorOf('lisen 80')).toBe("unknown command 'lisen' (did you mean listen?); `help` lists the commands");
    expect(parseArgv(['rst', '3'])).toMatchObject({ kind: 'call', method: 'reset' });
  });
});

describe('completions', () => {
  const ctx = { conns: [3, 12], listeners: [1], knobs: ['somaxconn', 'tcp_syncookies'], scenarios: ['handshake', 'close'], faultIds: ['rule-1'] };
  it('commands, subcommands, options, ids, knob names', () => {
    expect(completions('fa')).toEqual({ start: 0, end: 2, candidates: ['fault'] });
    expect(completions('fault ').candidates).toEqual(['add', 'ls', 'random', 'rm']);
    expect(completions('rst ', ctx).candidates).toEqual(['12', '3']);
    expect(completions('pause ', ctx).candidates).toEqual(['1']);
    expect(completions('listen 80 --re')).toEqual({ start: 10, end: 14, candidates: ['--responder'] });
    expect(completions('set tcp_', ctx).candidates).toEqual(['tcp_syncookies=']);
    expect(completions('scenario run h', ctx).candidates).toEqual(['handshake']);
    expect(completions('fault rm ', ctx).candidates).toEqual(['rule-1']);
    expect(completions('trace --kinds se').candidates).toEqual(['segment']);
    expect(completions('tcplab cl').candidates).toEqual(['clear', 'close', 'connect'].filter((c) => c.startsWith('cl')));
  });
  it('a context from a snapshot', () => {
    const c = completionContext({
      connections: [{ id: 5 }], listeners: [{ id: 2 }], knobs: { b: 1, a: 2 },
      faults: { rules: [{ rule: { id: 'r1', action: 'drop' }, matched: 0, fired: 0 }], random: null, held: 0, counts: { dropped: 0, delayed: 0, duplicated: 0, corrupted: 0, reordered: 0 } },
    } as never);
    expect(c).toMatchObject({ conns: [5], listeners: [2], knobs: ['a', 'b'], faultIds: ['r1'] });
  });
  it('commonPrefix', () => {
    expect(commonPrefix(['scenario', 'set', 'send'])).toBe('s');
    expect(commonPrefix(['shutdown'])).toBe('shutdown');
    expect(commonPrefix([])).toBe('');
  });
});

describe('help', () => {
  it('lists every command with a summary', () => {
    const list = helpText();
    for (const n of COMMAND_NAMES) expect(list).toContain(`  ${n} `);
  });
  it('gives each command usage, summary and examples that parse', () => {
    for (const spec of COMMAND_SPECS) {
      const h = commandHelp(spec.name);
      expect(h).toContain(`usage: tcplab ${spec.usage[0]}`);
      expect(COMMAND_HELP[spec.name]).toBe(h);
      for (const ex of spec.examples ?? []) expect(parseCommandLine(ex).kind, ex).not.toBe('error');
    }
  });
  it('summaries of one-method commands are the contract\'s docs', () => {
    expect(commandHelp('listen')).toContain(contract.listen.doc);
    expect(commandHelp('rst')).toContain(contract.reset.doc);
  });
  it('an unknown topic says so', () => {
    expect(helpText('nope')).toMatch(/^no such command: nope/);
  });
});
