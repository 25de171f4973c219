// Small text formatters shared by every view (UI-neutral: plain strings, no colours).

export type Align = 'left' | 'right';

/** ss style durations: '0ms', '200ms', '1.2s', '59s', '2m05s', '2h00m'. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const neg = ms < 0;
  const a = Math.abs(ms);
  let s: string;
  if (a < 1000) s = `${Math.round(a)}ms`;
  else if (a < 10_000) s = `${(Math.floor(a / 100) / 10).toFixed(1)}s`;
  else if (a < 60_000) s = `${Math.floor(a / 1000)}s`;
  else if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    s = `${m}m${String(Math.floor((a % 60_000) / 1000)).padStart(2, '0')}s`;
  } else {
    const h = Math.floor(a / 3_600_000);
    s = `${h}h${String(Math.floor((a % 3_600_000) / 60_000)).padStart(2, '0')}m`;
  }
  return neg ? `-${s}` : s;
}

/** An RTT in ms, compact: '41', '2.5', '0.05'. */
export function formatRtt(ms: number): string {
  if (ms >= 10) return String(Math.round(ms));
  if (ms >= 1) return (Math.round(ms * 10) / 10).toString();
  return (Math.round(ms * 100) / 100).toString();
}

/** Bytes, short: '0', '999', '1.5K', '256K', '16M' (powers of 1024, as ss -m). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 1024) return String(Math.round(n));
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let i = -1;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Math.abs(v) < 10 ? (Math.round(v * 10) / 10).toString() : Math.round(v)}${units[i]}`;
}

/** Counts with thousands separators: 1234567 -> '1,234,567'. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A signed delta: '+3', '-1', '' for 0. */
export function formatDelta(n: number): string {
  if (n === 0) return '';
  return n > 0 ? `+${formatCount(n)}` : `-${formatCount(-n)}`;
}

/** Lab time in seconds with milliseconds: '12.345'. */
export function formatLabTime(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** 'addr:port', as ss prints an endpoint. */
export function endpoint(addr: string, port: number): string {
  return `${addr}:${port}`;
}

/**
 * Display width of a string in a terminal cell grid: CJK and fullwidth characters take two
 * cells. (Enough for our labels; combining marks and emoji are not used.)
 */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

function charWidth(cp: number): number {
  if (cp < 0x1100) return 1;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

/** `s` cut to `width` cells, with '…' when it was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

/** `s` fitted to exactly `width` cells: cut with '…' or padded on the side `align` says. */
export function fit(s: string, width: number, align: Align = 'left'): string {
  const cut = truncate(s, width);
  const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}

/** A bar of `width` cells filled in proportion `ratio` (0..1): '█████░░░░░' (text UIs). */
export function bar(ratio: number, width: number, full = '█', empty = '░'): string {
  const r = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  let n = Math.round(r * width);
  if (r > 0 && n === 0) n = 1;
  return full.repeat(n) + empty.repeat(Math.max(0, width - n));
}

/** Characters a line must not start with (closing punctuation, CJK and Latin). */
const NO_BREAK_BEFORE = /^[。，、；：！？）》」』〉】％,.;:!?)\]}%]/;

const WRAP_TOKENS = /[\u2e80-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]+|\s+/g;

/**
 * `s` broken into lines of at most `width` cells: at spaces where there are some, anywhere
 * between CJK characters (which have none), never before closing punctuation (the character
 * before it moves down with it); '\n' starts a new line, an empty line stays.
 */
export function wrapText(s: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const para of s.split('\n')) {
    // The line so far, as its tokens: words of Latin text, single CJK characters, spaces.
    let line: string[] = [];
    let lineW = 0;
    const flush = (): void => {
      out.push(line.join('').trimEnd());
      line = [];
      lineW = 0;
    };
    for (const tok of para.match(WRAP_TOKENS) ?? []) {
      if (/^\s+$/.test(tok)) {
        if (lineW > 0 && lineW + 1 <= w) {
          line.push(' ');
          lineW += 1;
        }
        continue;
      }
      const tw = textWidth(tok);
      if (lineW + tw > w && lineW > 0) {
        // Closing punctuation does not start a line: the last word moves down with it.
        const carry: string[] = [];
        if (NO_BREAK_BEFORE.test(tok) && line.length > 1) {
          while (line.length > 1 && /^\s+$/.test(line[line.length - 1])) line.pop();
          const last = line.pop();
          if (last !== undefined && textWidth(last) + tw <= w) carry.push(last);
          else if (last !== undefined) line.push(last);
        }
        flush();
        for (const c of carry) {
          line.push(c);
          lineW += textWidth(c);
        }
      }
      if (tw > w && lineW === 0) {
        // A word longer than the line: cut it.
        let rest = tok;
        while (textWidth(rest) > w) {
          let piece = '';
          for (const ch of rest) {
            if (textWidth(piece + ch) > w) break;
            piece += ch;
          }
          out.push(piece);
          rest = rest.slice(piece.length);
        }
        line = [rest];
        lineW = textWidth(rest);
        continue;
      }
      line.push(tok);
      lineW += tw;
    }
    flush();
  }
  return out;
}
