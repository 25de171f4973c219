// The `%{ ... }%` snippets. Packetdrill runs them as Python with the socket's tcp_info fields
// as variables (tcpi_state, tcpi_rto, ...). We evaluate the part of Python those snippets use:
// `assert <expr>[, <expr>]` statements over integers, tcpi_* names and TCP_* constants, with
// arithmetic, comparisons (chained), bit operations, `and`, `or`, `not` and parentheses.
// Anything else (imports, prints, other statements, tcpi_* fields we do not provide) is
// reported as unsupported and skipped, not failed.
// Our extension: the stack's counters by their nstat names (TcpExtListenOverflows,
// TcpExtSyncookiesSent, TcpPassiveOpens, ...), as Linux scripts read them with `nstat`; an
// unknown counter fails the assert.

/** The values a snippet can read: tcpi_* fields and counters; undefined for what we do not provide. */
export type InfoLookup = (name: string) => number | undefined;

/** Linux's TCP states (include/net/tcp_states.h), as tcpi_state reports them. */
export const TCP_STATE_CONSTANTS: Readonly<Record<string, number>> = {
  TCP_ESTABLISHED: 1, TCP_SYN_SENT: 2, TCP_SYN_RECV: 3, TCP_FIN_WAIT1: 4, TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6, TCP_CLOSE: 7, TCP_CLOSE_WAIT: 8, TCP_LAST_ACK: 9, TCP_LISTEN: 10, TCP_CLOSING: 11,
};

const OTHER_CONSTANTS: Readonly<Record<string, number>> = {
  True: 1, False: 0,
  TCPI_OPT_TIMESTAMPS: 1, TCPI_OPT_SACK: 2, TCPI_OPT_WSCALE: 4, TCPI_OPT_ECN: 8,
  TCP_CA_Open: 0, TCP_CA_Disorder: 1, TCP_CA_CWR: 2, TCP_CA_Recovery: 3, TCP_CA_Loss: 4,
};

/** TCP_ESTABLISHED, or TCPI_ESTABLISHED as some scripts spell it. */
export function constantValue(name: string): number | undefined {
  const state = TCP_STATE_CONSTANTS[name] ?? TCP_STATE_CONSTANTS[name.replace(/^TCPI_/, 'TCP_')];
  return state ?? OTHER_CONSTANTS[name];
}

export type CodeOutcome =
  | { readonly kind: 'ok'; readonly unsupported: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string; readonly unsupported: readonly string[] };

class Unsupported extends Error {}

/** nstat's names: TcpExtSyncookiesSent, TcpPassiveOpens, IpInReceives, IcmpInEchos. */
export const COUNTER_NAME = /^(TcpExt|Tcp|IpExt|Ip|Icmp)[A-Z][A-Za-z0-9]*$/;

class UnknownCounter extends Error {
  constructor(readonly counter: string) {
    super(`unknown counter '${counter}'`);
  }
}

/** Runs every statement; the first failing assert fails the snippet. */
export function runCode(text: string, info: InfoLookup): CodeOutcome {
  const unsupported: string[] = [];
  for (const raw of text.split(/[\n;]/)) {
    const stmt = raw.replace(/#.*$/, '').trim();
    if (stmt === '' || stmt === 'pass') continue;
    const m = /^assert\b(.*)$/.exec(stmt);
    if (!m) {
      unsupported.push(`statement '${stmt}' (only assert statements are supported)`);
      continue;
    }
    try {
      const [cond, message] = splitTopLevelComma(m[1]);
      const names = new Set<string>();
      const value = new ExprParser(cond, info, names).parseAll();
      if (value === 0) {
        const extra = message === null ? '' : ` (${new ExprParser(message, info, new Set()).parseAll()})`;
        const values = names.size > 0 ? `; ${describeNames(names, info)}` : '';
        return { kind: 'failed', message: `assertion failed: ${cond.trim()}${extra}${values}`, unsupported };
      }
    } catch (err) {
      if (err instanceof Unsupported) unsupported.push(`${err.message} in '${stmt}'`);
      else if (err instanceof UnknownCounter) return { kind: 'failed', message: `${err.message} in '${stmt}'`, unsupported };
      else throw err;
    }
  }
  return { kind: 'ok', unsupported };
}

function describeNames(names: Set<string>, info: InfoLookup): string {
  return [...names].map((n) => `${n} = ${showValue(n, info(n))}`).join(', ');
}

function showValue(name: string, v: number | undefined): string {
  if (name === 'tcpi_state' && v !== undefined) {
    const state = Object.entries(TCP_STATE_CONSTANTS).find(([, x]) => x === v);
    if (state) return `${v} (${state[0]})`;
  }
  return String(v);
}

function splitTopLevelComma(s: string): [string, string | null] {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) return [s.slice(0, i), s.slice(i + 1)];
  }
  return [s, null];
}

const TOKEN = /\s*(?:(0x[0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|\/\/|<<|>>|[-+*/%<>()&|^~]))/y;

class ExprParser {
  private readonly tokens: string[] = [];
  private i = 0;

  constructor(text: string, private readonly info: InfoLookup, private readonly names: Set<string>) {
    TOKEN.lastIndex = 0;
    let pos = 0;
    while (pos < text.length) {
      if (/^\s*$/.test(text.slice(pos))) break;
      TOKEN.lastIndex = pos;
      const m = TOKEN.exec(text);
      if (!m) throw new Unsupported(`unsupported syntax '${text.slice(pos).trim()}'`);
      this.tokens.push(m[1] ?? m[2] ?? m[3]);
      pos = TOKEN.lastIndex;
    }
  }

  parseAll(): number {
    const v = this.or();
    if (this.i < this.tokens.length) throw new Unsupported(`unsupported syntax at '${this.tokens[this.i]}'`);
    return v;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private take(t: string): boolean {
    if (this.tokens[this.i] !== t) return false;
    this.i++;
    return true;
  }

  private or(): number {
    let v = this.and();
    while (this.take('or')) {
      const w = this.and();
      v = v !== 0 ? v : w;
    }
    return v;
  }

  private and(): number {
    let v = this.not();
    while (this.take('and')) {
      const w = this.not();
      v = v === 0 ? v : w;
    }
    return v;
  }

  private not(): number {
    if (this.take('not')) return this.not() === 0 ? 1 : 0;
    return this.comparison();
  }

  private comparison(): number {
    let left = this.bitOr();
    let result = 1;
    let compared = false;
    for (;;) {
      const op = this.peek();
      if (op !== '==' && op !== '!=' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') break;
      this.i++;
      const right = this.bitOr();
      compared = true;
      if (!compare(op, left, right)) result = 0;
      left = right;
    }
    return compared ? result : left;
  }

  private bitOr(): number {
    let v = this.bitXor();
    while (this.take('|')) v = Number(BigInt(v) | BigInt(this.bitXor()));
    return v;
  }

  private bitXor(): number {
    let v = this.bitAnd();
    while (this.take('^')) v = Number(BigInt(v) ^ BigInt(this.bitAnd()));
    return v;
  }

  private bitAnd(): number {
    let v = this.shift();
    while (this.take('&')) v = Number(BigInt(v) & BigInt(this.shift()));
    return v;
  }

  private shift(): number {
    let v = this.arith();
    for (;;) {
      if (this.take('<<')) v = v * 2 ** this.arith();
      else if (this.take('>>')) v = Math.floor(v / 2 ** this.arith());
      else return v;
    }
  }

  private arith(): number {
    let v = this.term();
    for (;;) {
      if (this.take('+')) v += this.term();
      else if (this.take('-')) v -= this.term();
      else return v;
    }
  }

  private term(): number {
    let v = this.factor();
    for (;;) {
      if (this.take('*')) v *= this.factor();
      else if (this.take('//')) v = Math.floor(v / this.factor());
      else if (this.take('/')) v /= this.factor();
      else if (this.take('%')) {
        const d = this.factor();
        v = ((v % d) + d) % d;
      } else return v;
    }
  }

  private factor(): number {
    if (this.take('-')) return -this.factor();
    if (this.take('+')) return this.factor();
    if (this.take('~')) return -this.factor() - 1;
    return this.atom();
  }

  private atom(): number {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new Unsupported('incomplete expression');
    if (t === '(') {
      const v = this.or();
      if (!this.take(')')) throw new Unsupported("missing ')'");
      return v;
    }
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) return this.name(t);
    throw new Unsupported(`unsupported syntax at '${t}'`);
  }

  private name(t: string): number {
    const constant = constantValue(t);
    if (constant !== undefined) return constant;
    if (t.startsWith('tcpi_')) {
      const v = this.info(t);
      if (v === undefined) throw new Unsupported(`unsupported tcp_info field '${t}'`);
      this.names.add(t);
      return v;
    }
    if (COUNTER_NAME.test(t)) {
      const v = this.info(t);
      if (v === undefined) throw new UnknownCounter(t);
      this.names.add(t);
      return v;
    }
    throw new Unsupported(`unknown name '${t}'`);
  }
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}
