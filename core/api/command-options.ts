// Options and positional words of one command (the part after its name), getopt-like:
// `--name value`, `--name=value`, boolean `--name`, `-x`, combined `-abc`, `-x value`, and `--`
// to end the options. A command whose last argument is free text (send DATA...) says after how
// many positionals the rest is taken as it is.

export interface OptSpec {
  long: string;
  short?: string;
  /** The value's name in help ('N', 'FILE'); absent for a boolean flag. */
  value?: string;
  /** The value is optional (`--web` or `--web 8080`): taken only when the next word matches. */
  optionalValue?: RegExp;
  doc: string;
}

export interface SplitArgs {
  positional: string[];
  /** Long name -> value (true for a flag). */
  flags: Map<string, string | true>;
  /** Words after the free-text point (see `restAfter`), unchanged. */
  rest: string[];
}

export type Split = { ok: true; value: SplitArgs } | { ok: false; error: string };

function known(opts: readonly OptSpec[]): string {
  return opts.length === 0 ? 'this command takes no options' : `options: ${opts.map((o) => `--${o.long}`).join(' ')}`;
}

/**
 * Splits `words`. With `restAfter = n`, once n positionals are in, the first word that is not
 * an option starts the free text: it and everything after it go to `rest`.
 */
export function splitArgs(words: readonly string[], opts: readonly OptSpec[], restAfter = Infinity): Split {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const byLong = new Map(opts.map((o) => [o.long, o]));
  const byShort = new Map(opts.filter((o) => o.short !== undefined).map((o) => [o.short as string, o]));
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const free = positional.length >= restAfter;
    if (w === '--') return { ok: true, value: { positional: free ? positional : [...positional, ...words.slice(i + 1)], flags, rest: free ? words.slice(i + 1) : [] } };
    const isOption = w.startsWith('-') && w.length > 1 && !/^-\d/.test(w);
    if (!isOption) {
      if (free) return { ok: true, value: { positional, flags, rest: words.slice(i) } };
      positional.push(w);
      continue;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const o = byLong.get(name);
      if (o === undefined) return { ok: false, error: `unknown option --${name} (${known(opts)})` };
      if (o.value === undefined) {
        if (eq >= 0) return { ok: false, error: `--${name} takes no value` };
        flags.set(name, true);
      } else if (eq >= 0) {
        flags.set(name, w.slice(eq + 1));
      } else if (o.optionalValue !== undefined) {
        const next = words[i + 1];
        if (next !== undefined && o.optionalValue.test(next)) flags.set(name, words[++i]);
        else flags.set(name, true);
      } else if (i + 1 < words.length) {
        flags.set(name, words[++i]);
      } else {
        return { ok: false, error: `--${name} needs a value (${o.value})` };
      }
      continue;
    }
    // -abc: flags; a short option with a value takes the rest of the word or the next word.
    for (let k = 1; k < w.length; k++) {
      const o = byShort.get(w[k]);
      if (o === undefined) return { ok: false, error: `unknown option -${w[k]} (${known(opts)})` };
      if (o.value === undefined) {
        flags.set(o.long, true);
        continue;
      }
      const inline = w.slice(k + 1);
      if (inline !== '') flags.set(o.long, inline);
      else if (i + 1 < words.length) flags.set(o.long, words[++i]);
      else return { ok: false, error: `-${w[k]} needs a value (${o.value})` };
      break;
    }
  }
  return { ok: true, value: { positional, flags, rest: [] } };
}

/** A whole number from a word (`#3` allowed for ids), or null. */
export function wholeNumber(word: string | undefined): number | null {
  if (word === undefined) return null;
  const m = /^#?(\d{1,15})$/.exec(word);
  return m === null ? null : Number(m[1]);
}

/** A number (integer or decimal) from a word, or null. */
export function decimal(word: string | undefined): number | null {
  if (word === undefined || !/^-?\d+(\.\d+)?$/.test(word)) return null;
  return Number(word);
}

/** The value of an option that takes one (undefined when absent or given without a value). */
export function stringFlag(flags: ReadonlyMap<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * A port option with an optional value (`--web` or `--web 8080`): null when absent, 0 (any free
 * port) without a value, else the port; an error text when it is not one.
 */
export function portFlag(flags: ReadonlyMap<string, string | true>, name: string): number | null | { error: string } {
  const v = flags.get(name);
  if (v === undefined) return null;
  const port = v === true ? 0 : wholeNumber(v);
  if (port === null || port > 65535) return { error: `--${name} takes a port from 0 to 65535, not '${String(v)}'` };
  return port;
}

/** The options' help lines: `  --name VALUE   doc`, names padded to `width`. */
export function optionLines(opts: readonly OptSpec[], width = 18): string {
  return opts.map((o) => `  ${`--${o.long}${o.value ? ` ${o.value}` : ''}`.padEnd(width)} ${o.doc}`).join('\n');
}
