// The packetdrill parser: script text -> Script (script.ts), or the first error with its line
// and column. The grammar is packetdrill's (google/packetdrill, as Linux's and FreeBSD's test
// suites write it), one event per line:
//
//   script   := { '--' name ['=' value] NL | event NL | NL }
//   event    := [time] action                 (a time is optional only before ` and %{)
//   time     := '*' | ['+'] num | ['+'] num '~' ['+'] num | ['+'] num '...' num
//   action   := ('<' | '>') packet | name '(' [expr {',' expr}] ')' '=' result
//             | '`' shell '`' | '%{' python '}%'
//   packet   := ['@' [addr ':'] port] ['[' ipinfo ']'] flags num ':' num '(' num ')' {ack num | win num | urg num}
//               ['<' ('...' | option {',' option}) '>']
//   option   := nop | eol | mss num | wscale num | sackOK | sack {num ':' num} | TS val num ecr num
//   expr     := '...' | ['-'] num | name | expr '|' expr | '[' [expr {',' expr}] ']'
//             | '{' name '=' expr {',' name '=' expr} '}' | string
//   result   := ('...' | ['-'] num) [ERRNO] ['(' text ')']
import { ACK_BIT, CWR, ECE, FIN, PSH, RST, SYN, URG_BIT } from '../wire/tcp.ts';
import { Lexer, ScriptSyntaxError } from './lexer.ts';
import type { NumberToken } from './lexer.ts';
import type {
  Action, Endpoint, Expr, Loc, OptionSpec, PacketSpec, Script, ScriptError, ScriptEvent, ScriptFlag, SyscallResult, TimeSpec,
} from './script.ts';

export type ParseResult = { readonly ok: true; readonly script: Script } | { readonly ok: false; readonly error: ScriptError };

export function parseScript(text: string): ParseResult {
  try {
    return { ok: true, script: new Parser(text).script() };
  } catch (err) {
    if (err instanceof ScriptSyntaxError) return { ok: false, error: { loc: err.loc, message: err.message } };
    throw err;
  }
}

/** Packet flag letters (tcpdump's, as packetdrill writes them). */
const FLAG_BITS: Readonly<Record<string, number>> = {
  F: FIN, S: SYN, R: RST, P: PSH, '.': ACK_BIT, U: URG_BIT, E: ECE, W: CWR,
};

const U32 = 0x1_0000_0000;

class Parser {
  private readonly lx: Lexer;

  constructor(text: string) {
    this.lx = new Lexer(text);
  }

  script(): Script {
    const flags: ScriptFlag[] = [];
    const events: ScriptEvent[] = [];
    for (;;) {
      this.lx.skipBlanks(true);
      if (this.lx.eof()) break;
      if (this.lx.startsWith('--')) {
        if (events.length > 0) throw this.lx.error('--flags must come before the first event');
        flags.push(this.flag());
      } else {
        events.push(this.event());
      }
      this.endOfLine();
    }
    return { flags, events };
  }

  private endOfLine(): void {
    if (!this.lx.atLineEnd()) throw this.lx.error(`unexpected ${this.lx.describeNext()}: expected end of line`);
  }

  private flag(): ScriptFlag {
    const loc = this.lx.loc();
    this.lx.advance(2);
    const name = this.lx.readWord();
    if (name === null) throw this.lx.unexpected(`expected a flag name after '--'`);
    if (!this.lx.tryText('=')) return { loc, name, value: null };
    const value = this.lx.restOfLine().replace(/\s*(\/\/.*)?$/, '').trim();
    return { loc, name, value };
  }

  private event(): ScriptEvent {
    const loc = this.lx.loc();
    const time = this.time();
    this.lx.skipBlanks(false);
    const actionLoc = this.lx.loc();
    const action = this.action();
    if (time === null && action.kind !== 'command' && action.kind !== 'code') {
      throw this.lx.error('expected a time (such as 0, +0.1, *) before the event', loc);
    }
    if (time !== null && time.kind === 'blocking' && action.kind !== 'syscall') {
      throw this.lx.error("a 'start...end' time is only for (blocking) system calls", loc);
    }
    if (time !== null && (time.kind === 'any' || time.kind === 'range') && !(action.kind === 'packet' && action.packet.direction === 'out')) {
      throw this.lx.error("'*' and 'a~b' times are only for outbound ('>') packets", loc);
    }
    return { loc: time === null ? actionLoc : loc, time: time ?? { kind: 'relative', usecs: 0 }, action };
  }

  // ---- times ----

  private time(): TimeSpec | null {
    const lx = this.lx;
    if (lx.tryText('*')) return { kind: 'any' };
    const relative = lx.tryText('+');
    const first = this.timeValue(relative);
    if (first === null) return null;
    if (lx.tryText('...')) {
      const end = this.timeValue(true);
      if (end === null) throw lx.unexpected(`expected the end time after '...'`);
      return { kind: 'blocking', relative, startUsecs: first, endUsecs: end };
    }
    if (lx.tryText('~')) {
      const plus = lx.tryText('+');
      if (plus !== relative) throw lx.error("a time range is either absolute (a~b) or relative (+a~+b)");
      const end = this.timeValue(true);
      if (end === null) throw lx.unexpected(`expected the end time after '~'`);
      if (end < first) throw lx.error('the time range ends before it starts');
      return { kind: 'range', relative, startUsecs: first, endUsecs: end };
    }
    return relative ? { kind: 'relative', usecs: first } : { kind: 'absolute', usecs: first };
  }

  /** Seconds -> integer microseconds; null when no number follows (required after '+'). */
  private timeValue(required: boolean): number | null {
    const n = this.lx.readNumber();
    if (n === null) {
      if (required) throw this.lx.unexpected(`expected a time in seconds`);
      return null;
    }
    if (n.text.startsWith('0x')) throw this.lx.error('a time is a decimal number of seconds', n.loc);
    return Math.round(n.value * 1e6);
  }

  // ---- actions ----

  private action(): Action {
    const lx = this.lx;
    const c = lx.peek();
    if (c === '<' || c === '>') {
      lx.advance();
      return { kind: 'packet', packet: this.packet(c === '<' ? 'in' : 'out') };
    }
    if (c === '`') {
      lx.advance();
      return { kind: 'command', text: lx.readUntil('`', false, 'shell command').trim() };
    }
    if (lx.startsWith('%{')) {
      lx.advance(2);
      return { kind: 'code', text: lx.readUntil('}%', true, 'code block') };
    }
    const loc = lx.loc();
    const name = lx.readWord();
    if (name !== null) {
      lx.skipBlanks(false);
      if (lx.peek() === '(') return { kind: 'syscall', syscall: this.syscall(name) };
      throw lx.error(`unknown event '${name}': expected a packet ('<' or '>'), a system call, a \`command\` or %{ code }%`, loc);
    }
    throw lx.error(`expected a packet ('<' or '>'), a system call, a \`command\` or %{ code }%, found ${lx.describeNext()}`);
  }

  // ---- packets ----

  private packet(direction: 'in' | 'out'): PacketSpec {
    const lx = this.lx;
    lx.skipBlanks(false);
    let endpoint: Endpoint | null = null;
    if (lx.peek() === '@') endpoint = this.endpoint();
    let ipInfo: string | null = null;
    if (lx.tryText('[')) {
      ipInfo = lx.readUntil(']', false, "'[' ip info").trim();
      lx.skipBlanks(false);
    }
    const flagsLoc = lx.loc();
    const flagsText = lx.readNonBlank();
    const flags = this.flagBits(flagsText, flagsLoc);
    lx.skipBlanks(false);
    const seqStart = this.u32('the start sequence number');
    lx.expectText(':', "':' in start:end(length)");
    const seqEnd = this.u32('the end sequence number');
    lx.expectText('(', "'(' in start:end(length)");
    const lenLoc = lx.loc();
    const length = this.u32('the segment length');
    lx.expectText(')', "')' in start:end(length)");
    if ((seqEnd - seqStart + U32) % U32 !== length % U32) {
      throw lx.error(`segment length ${length} does not match ${seqStart}:${seqEnd}`, lenLoc);
    }
    let ack: number | null = null;
    let win: number | null = null;
    let urg: number | null = null;
    let options: readonly OptionSpec[] | 'any' | null = null;
    for (;;) {
      lx.skipBlanks(false);
      const loc = lx.loc();
      if (lx.peek() === '<') {
        if (options !== null) throw lx.error('options given twice', loc);
        options = this.options();
        continue;
      }
      const word = lx.readWord();
      if (word === null) break;
      lx.skipBlanks(false);
      if (word === 'ack' && ack === null) ack = this.u32('the acknowledgment number');
      else if (word === 'win' && win === null) win = this.uint(0xffff, 'the window');
      else if (word === 'urg' && urg === null) urg = this.uint(0xffff, 'the urgent pointer');
      else if (word === 'ack' || word === 'win' || word === 'urg') throw lx.error(`'${word}' given twice`, loc);
      else throw lx.error(`unexpected '${word}' in a packet: expected ack, win, urg or <options>`, loc);
    }
    if (ack !== null && (flags & ACK_BIT) === 0) throw lx.error("'ack N' needs the '.' (ACK) flag", flagsLoc);
    if (urg !== null && (flags & URG_BIT) === 0) throw lx.error("'urg N' needs the 'U' (URG) flag", flagsLoc);
    if (direction === 'in') {
      if (win === null) throw lx.error("an inbound packet needs 'win N'", flagsLoc);
      if ((flags & ACK_BIT) !== 0 && ack === null) throw lx.error("an inbound packet with the '.' flag needs 'ack N'", flagsLoc);
      if (options === 'any') throw lx.error("'<...>' (any options) is only for outbound packets", flagsLoc);
    }
    return { direction, flags, flagsText, seqStart, seqEnd, length, ack, win, urg, options, ipInfo, ...(endpoint !== null ? { endpoint } : {}) };
  }

  /** `@PORT` or `@A.B.C.D:PORT` (our extension: which remote endpoint the packet is from / to). */
  private endpoint(): Endpoint {
    const lx = this.lx;
    const loc = lx.loc();
    lx.advance();
    const text = lx.readNonBlank();
    lx.skipBlanks(false);
    const m = /^(?:(\d+)\.(\d+)\.(\d+)\.(\d+):)?(\d+)$/.exec(text);
    const port = m === null ? NaN : Number(m[5]);
    if (m === null || !(port >= 1 && port <= 65535)) throw lx.error(`expected @PORT or @A.B.C.D:PORT (a remote endpoint), found '@${text}'`, loc);
    if (m[1] === undefined) return { addr: null, port };
    const bytes = [m[1], m[2], m[3], m[4]].map(Number);
    if (bytes.some((b) => b > 255)) throw lx.error(`bad address in '@${text}'`, loc);
    return { addr: ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0, port };
  }

  private flagBits(text: string, loc: Loc): number {
    if (text === '') throw this.lx.error(`expected packet flags (S, S., ., P., F., R, ...), found ${this.lx.describeNext()}`, loc);
    if (/^(icmp|udp|udplite|gre|mpls)$/i.test(text)) throw this.lx.error(`${text} packets are not supported (TCP segments only)`, loc);
    if (text === '-') return 0;
    let bits = 0;
    for (let i = 0; i < text.length; i++) {
      const bit = FLAG_BITS[text[i]];
      const at = { line: loc.line, col: loc.col + i };
      if (bit === undefined) throw this.lx.error(`unknown packet flag '${text[i]}' (flags are F S R P . U E W, or - for none)`, at);
      if ((bits & bit) !== 0) throw this.lx.error(`packet flag '${text[i]}' given twice`, at);
      bits |= bit;
    }
    return bits;
  }

  private options(): readonly OptionSpec[] | 'any' {
    const lx = this.lx;
    lx.advance(); // '<'
    lx.skipBlanks(false);
    if (lx.tryText('...')) {
      lx.skipBlanks(false);
      lx.expectText('>', "'>' after '<...'");
      return 'any';
    }
    const list: OptionSpec[] = [];
    for (;;) {
      lx.skipBlanks(false);
      list.push(this.option());
      lx.skipBlanks(false);
      if (lx.tryText('>')) return list;
      lx.expectText(',', "',' or '>' in the options");
    }
  }

  private option(): OptionSpec {
    const lx = this.lx;
    const loc = lx.loc();
    const word = lx.readWord();
    lx.skipBlanks(false);
    switch (word) {
      case 'nop':
        return { kind: 'nop' };
      case 'eol':
        return { kind: 'eol' };
      case 'sackOK':
        return { kind: 'sackOK' };
      case 'mss':
        return { kind: 'mss', value: this.uint(0xffff, 'the MSS') };
      case 'wscale':
        return { kind: 'wscale', value: this.uint(255, 'the window scale') };
      case 'sack':
        return { kind: 'sack', blocks: this.sackBlocks() };
      case 'TS': {
        this.keyword('val');
        const val = this.u32('the TS value');
        lx.skipBlanks(false);
        this.keyword('ecr');
        return { kind: 'ts', val, ecr: this.u32('the TS echo reply') };
      }
      case null:
        throw lx.error(`expected a TCP option, found ${lx.describeNext()}`, loc);
      default:
        throw lx.error(`unsupported TCP option '${word}' (supported: nop, eol, mss, wscale, sackOK, sack, TS)`, loc);
    }
  }

  private sackBlocks(): { left: number; right: number }[] {
    const lx = this.lx;
    const blocks: { left: number; right: number }[] = [];
    while (/[0-9]/.test(lx.peek())) {
      if (blocks.length === 4) throw lx.error('at most 4 SACK blocks fit in the TCP options');
      const left = this.u32('a SACK block start');
      lx.expectText(':', "':' in a SACK block");
      blocks.push({ left, right: this.u32('a SACK block end') });
      lx.skipBlanks(false);
    }
    if (blocks.length === 0) throw lx.unexpected('expected SACK blocks (left:right)');
    return blocks;
  }

  private keyword(word: string): void {
    const loc = this.lx.loc();
    if (this.lx.readWord() !== word) throw this.lx.error(`expected '${word}'`, loc);
    this.lx.skipBlanks(false);
  }

  /** An integer, or an error naming what was found instead. */
  private integer(what: string): NumberToken {
    const n = this.lx.readNumber();
    if (n === null) throw this.lx.unexpected(`expected ${what} (an integer)`);
    if (!n.isInteger) throw this.lx.error(`expected ${what} (an integer), found '${n.text}'`, n.loc);
    return n;
  }

  private u32(what: string): number {
    const n = this.integer(what);
    if (n.value >= U32) throw this.lx.error(`${what} ${n.text} does not fit in 32 bits`, n.loc);
    return n.value;
  }

  private uint(max: number, what: string): number {
    const n = this.integer(what);
    if (n.value > max) throw this.lx.error(`${what} ${n.text} is larger than ${max}`, n.loc);
    return n.value;
  }

  // ---- system calls ----

  private syscall(name: string): { name: string; args: Expr[]; result: SyscallResult } {
    const lx = this.lx;
    lx.advance(); // '('
    const args: Expr[] = [];
    lx.skipBlanks(true);
    if (!lx.tryText(')')) {
      for (;;) {
        args.push(this.expr());
        lx.skipBlanks(true);
        if (lx.tryText(')')) break;
        lx.expectText(',', `',' or ')' in the arguments of ${name}()`);
      }
    }
    lx.skipBlanks(false);
    lx.expectText('=', `'= result' after ${name}(...)`);
    lx.skipBlanks(false);
    return { name, args, result: this.result() };
  }

  private result(): SyscallResult {
    const lx = this.lx;
    const loc = lx.loc();
    let value: SyscallResult['value'];
    if (lx.tryText('...')) value = { kind: 'ellipsis', loc };
    else value = { kind: 'int', value: this.signedInt('the return value'), loc };
    lx.skipBlanks(false);
    let errno: string | null = null;
    if (/[A-Z]/.test(lx.peek())) errno = lx.readWord();
    lx.skipBlanks(false);
    let note: string | null = null;
    if (lx.peek() === '(') note = this.balancedParens();
    return { value, errno, note };
  }

  private balancedParens(): string {
    const lx = this.lx;
    const start = lx.loc();
    let depth = 0;
    let text = '';
    do {
      if (lx.eof() || lx.peek() === '\n') throw lx.error("unterminated '(' after the result", start);
      const c = lx.peek();
      if (c === '(') depth++;
      if (c === ')') depth--;
      text += c;
      lx.advance();
    } while (depth > 0);
    return text.slice(1, -1).trim();
  }

  private signedInt(what: string): number {
    const negative = this.lx.tryText('-');
    const n = this.integer(what);
    return negative ? -n.value : n.value;
  }

  private expr(): Expr {
    const lx = this.lx;
    lx.skipBlanks(true);
    const loc = lx.loc();
    const first = this.term();
    lx.skipBlanks(true);
    if (lx.peek() !== '|') return first;
    const terms = [first];
    while (lx.tryText('|')) {
      lx.skipBlanks(true);
      terms.push(this.term());
      lx.skipBlanks(true);
    }
    return { kind: 'or', terms, loc };
  }

  private term(): Expr {
    const lx = this.lx;
    const loc = lx.loc();
    if (lx.tryText('...')) return { kind: 'ellipsis', loc };
    if (lx.tryText('[')) return { kind: 'list', items: this.listItems(']'), loc };
    if (lx.tryText('{')) return this.struct(loc);
    if (lx.peek() === '"') {
      lx.advance();
      return { kind: 'string', value: lx.readUntil('"', false, 'string'), loc };
    }
    if (lx.peek() === '-' || /[0-9]/.test(lx.peek())) return { kind: 'int', value: this.signedInt('an argument'), loc };
    const name = lx.readWord();
    if (name !== null) return { kind: 'name', name, loc };
    throw lx.unexpected(`expected an argument`);
  }

  private listItems(close: string): Expr[] {
    const lx = this.lx;
    const items: Expr[] = [];
    lx.skipBlanks(true);
    if (lx.tryText(close)) return items;
    for (;;) {
      items.push(this.expr());
      lx.skipBlanks(true);
      if (lx.tryText(close)) return items;
      lx.expectText(',', `',' or '${close}'`);
    }
  }

  private struct(loc: Loc): Expr {
    const lx = this.lx;
    const fields: { name: string; value: Expr }[] = [];
    lx.skipBlanks(true);
    if (lx.tryText('}')) return { kind: 'struct', fields, loc };
    for (;;) {
      lx.skipBlanks(true);
      const nameLoc = lx.loc();
      const name = lx.readWord();
      if (name === null) throw lx.error(`expected a field name in {...}, found ${lx.describeNext()}`, nameLoc);
      lx.skipBlanks(true);
      lx.expectText('=', `'=' after the field name '${name}'`);
      fields.push({ name, value: this.expr() });
      lx.skipBlanks(true);
      if (lx.tryText('}')) return { kind: 'struct', fields, loc };
      lx.expectText(',', "',' or '}' in {...}");
    }
  }
}
