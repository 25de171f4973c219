// Splitting a command line into words the way sh does (the GUI console and the TUI prompt get a
// line; the CLI gets argv from the shell, already split): spaces separate words, 'single quotes'
// keep everything, "double quotes" keep everything but \" \\ \$ \`, a backslash outside quotes
// keeps the next character. Escapes such as \n are not interpreted here (`send -e` does that),
// so a line typed in the console means what the same line typed in a shell means.

export interface Token {
  text: string;
  /** Offsets of the word in the line (quotes included). */
  start: number;
  end: number;
}

export type Tokenized =
  | { ok: true; tokens: Token[]; /** The line ends in a space: the next word has not begun. */ trailingSpace: boolean }
  | { ok: false; error: string; tokens: Token[] };

const SPACE = /\s/;

export function tokenize(line: string): Tokenized {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && SPACE.test(line[i])) i++;
    if (i >= line.length) break;
    const start = i;
    let text = '';
    while (i < line.length && !SPACE.test(line[i])) {
      const c = line[i];
      if (c === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) return { ok: false, error: 'unterminated single quote', tokens: [...tokens, { text: text + line.slice(i + 1), start, end: line.length }] };
        text += line.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) i++;
          text += line[i++];
        }
        if (i >= line.length) return { ok: false, error: 'unterminated double quote', tokens: [...tokens, { text, start, end: line.length }] };
        i++;
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    tokens.push({ text, start, end: i });
  }
  return { ok: true, tokens, trailingSpace: line.length > 0 && SPACE.test(line[line.length - 1]) };
}

/** A word quoted so that tokenize() gives it back unchanged (for completions and history). */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `echo -e` escapes, for `send -e`, as bytes: text is UTF-8; \n \r \t \0 \\ \a \b \e \f \v;
 * \xHH is one byte; \uHHHH a character (UTF-8). Unknown escapes stay as they are.
 */
export function unescapeData(s: string): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const simple: Record<string, number> = { n: 10, r: 13, t: 9, '0': 0, '\\': 92, a: 7, b: 8, e: 27, f: 12, v: 11 };
  const enc = new TextEncoder();
  const out: number[] = [];
  let text = '';
  const flush = (): void => {
    for (const b of enc.encode(text)) out.push(b);
    text = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i + 1];
    if (s[i] !== '\\' || c === undefined) {
      text += s[i];
    } else if (simple[c] !== undefined) {
      flush();
      out.push(simple[c]);
      i++;
    } else if (c === 'x' || c === 'u') {
      const n = c === 'x' ? 2 : 4;
      const hex = s.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return { ok: false, error: `\\${c} needs ${n} hex digits, like \\${c}${'0'.repeat(n - 1)}a` };
      if (c === 'x') {
        flush();
        out.push(parseInt(hex, 16));
      } else {
        text += String.fromCharCode(parseInt(hex, 16));
      }
      i += 1 + n;
    } else {
      text += s[i];
    }
  }
  flush();
  return { ok: true, bytes: Uint8Array.from(out) };
}
