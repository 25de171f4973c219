// The packetdrill lexer: a cursor over the script text that reads the tokens the parser asks
// for. Packetdrill's tokens depend on context (`S.` is flags after `<`, `.1` is a time at the
// start of a line, `...` is an ellipsis inside arguments and a blocking-call marker after a
// time), so the parser drives the lexer instead of consuming a token stream.
// Comments (`// ...` and `/* ... */`) are blanks. Newlines end events, except where the parser
// allows them (inside parentheses, brackets, braces and `%{ }%`).
import type { Loc } from './script.ts';

/** A syntax error at a position; parseScript turns it into a ScriptError value. */
export class ScriptSyntaxError extends Error {
  constructor(readonly loc: Loc, message: string) {
    super(message);
  }
}

export interface NumberToken {
  readonly text: string;
  readonly value: number;
  readonly isInteger: boolean;
  readonly loc: Loc;
}

const DIGIT = /[0-9]/;
const HEX_DIGIT = /[0-9a-fA-F]/;
const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_]/;

export class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;

  constructor(private readonly text: string) {}

  loc(): Loc {
    return { line: this.line, col: this.col };
  }

  eof(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  advance(n = 1): void {
    for (let i = 0; i < n && this.pos < this.text.length; i++) {
      if (this.text.charCodeAt(this.pos) === 10) {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.pos++;
    }
  }

  error(message: string, loc: Loc = this.loc()): ScriptSyntaxError {
    return new ScriptSyntaxError(loc, message);
  }

  /** Skips spaces, tabs, carriage returns and comments; newlines too when `newlines` is true. */
  skipBlanks(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
        this.advance();
      } else if (c === '\n' && newlines) {
        this.advance();
      } else if (this.startsWith('//')) {
        while (!this.eof() && this.peek() !== '\n') this.advance();
      } else if (this.startsWith('/*')) {
        const start = this.loc();
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end < 0) throw this.error('unterminated comment', start);
        this.advance(end + 2 - this.pos);
      } else {
        return;
      }
    }
  }

  /** After blanks: at a newline or the end of the text. */
  atLineEnd(): boolean {
    this.skipBlanks(false);
    return this.eof() || this.peek() === '\n';
  }

  /** Consumes `s` if the text continues with it. */
  tryText(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.advance(s.length);
    return true;
  }

  expectText(s: string, what: string): void {
    if (!this.tryText(s)) throw this.unexpected(`expected ${what}`);
  }

  /** An error '<message>, found <next token>' located at that token (blanks skipped: we are failing anyway). */
  unexpected(message: string): ScriptSyntaxError {
    this.skipBlanks(false);
    return this.error(`${message}, found ${this.describeNext()}`);
  }

  /** A short description of what comes next, for error messages. */
  describeNext(): string {
    if (this.eof()) return 'end of script';
    const c = this.peek();
    if (c === '\n') return 'end of line';
    const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9.]+|\S)/.exec(this.text.slice(this.pos, this.pos + 40));
    return `'${m ? m[0] : c}'`;
  }

  /** A decimal integer or fraction (`12`, `0.100`, `.1`) or a hex integer (`0x2`). No sign. */
  readNumber(): NumberToken | null {
    const loc = this.loc();
    const start = this.pos;
    if (this.peek() === '0' && (this.peek(1) === 'x' || this.peek(1) === 'X') && HEX_DIGIT.test(this.peek(2))) {
      this.advance(2);
      while (HEX_DIGIT.test(this.peek())) this.advance();
      const text = this.text.slice(start, this.pos);
      return { text, value: Number.parseInt(text.slice(2), 16), isInteger: true, loc };
    }
    while (DIGIT.test(this.peek())) this.advance();
    let isInteger = true;
    // A '.' belongs to the number only when a digit follows (so `0...0.1` is 0, `...`, 0.1).
    if (this.peek() === '.' && DIGIT.test(this.peek(1))) {
      isInteger = false;
      this.advance();
      while (DIGIT.test(this.peek())) this.advance();
    }
    if (this.pos === start) return null;
    if (WORD_CHAR.test(this.peek())) throw this.error(`malformed number '${this.text.slice(start, this.pos)}${this.peek()}'`, loc);
    const text = this.text.slice(start, this.pos);
    return { text, value: Number(text), isInteger, loc };
  }

  /** An identifier: [A-Za-z_][A-Za-z0-9_]*. */
  readWord(): string | null {
    if (!WORD_START.test(this.peek())) return null;
    const start = this.pos;
    while (WORD_CHAR.test(this.peek())) this.advance();
    return this.text.slice(start, this.pos);
  }

  /** Characters up to the next blank (flags such as `S.`, `P.`, `FP.`, `.`). */
  readNonBlank(): string {
    const start = this.pos;
    while (!this.eof() && !/\s/.test(this.peek())) this.advance();
    return this.text.slice(start, this.pos);
  }

  /** The text up to `delim` (consumed, not returned). Stops at a newline unless `multiline`. */
  readUntil(delim: string, multiline: boolean, what: string): string {
    const start = this.loc();
    const from = this.pos;
    const end = this.text.indexOf(delim, from);
    const newline = this.text.indexOf('\n', from);
    if (end < 0 || (!multiline && newline >= 0 && newline < end)) {
      throw this.error(`unterminated ${what}: expected '${delim}'`, start);
    }
    const body = this.text.slice(from, end);
    this.advance(end + delim.length - from);
    return body;
  }

  /** The rest of the current line (not the newline). */
  restOfLine(): string {
    const from = this.pos;
    while (!this.eof() && this.peek() !== '\n') this.advance();
    return this.text.slice(from, this.pos);
  }
}
