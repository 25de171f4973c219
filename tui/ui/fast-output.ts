// A faster compositor for Ink's frames, giving the same output.
//
// Ink turns the laid-out tree into text in its Output class (ink/build/output.js): every frame
// it builds a grid of width x height cell objects, splits every written line into styled
// characters (Intl.Segmenter per string, with a cache that lives one frame) and joins every row
// of cells back into a string. At 160x48 that is ~7,700 cells and a few thousand segmented
// characters per frame, most of a frame's time, although between two frames only a few rows
// differ (bench/tui.ts, node --cpu-prof).
//
// Rows do not affect each other in that process: a row's text is a function of the lines
// written into it (position and text, after Ink's transformers), in order, and the width. So
// this composes each row from those writes, remembers the result by them, and builds only the
// rows it has not seen, through Ink's own Output on a one-row grid (so each row is exactly what
// Ink would make). Character splitting is cached across frames too. Frames that clip (a Box
// with overflow hidden, which this UI does not use) go to Ink's own code unchanged.
//
// Ink does not export Output; it is loaded from the file Ink itself imports (so it is the
// same class) and patched on its prototype. When that file is missing or looks different (a
// new Ink), nothing is patched and Ink works as before: `fastOutput` says which.

export type Transformer = (line: string, index: number) => string;
export type Operation =
  | { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] }
  | { type: 'clip'; clip: unknown }
  | { type: 'unclip' };

export interface OutputLike {
  width: number;
  height: number;
  operations: Operation[];
  caches: unknown;
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  get(): { output: string; height: number };
}

export interface OutputClass {
  new (options: { width: number; height: number }): OutputLike;
  prototype: OutputLike;
}

/** Output's prototype once patched: Ink's own get() is kept (tests compare the two). */
export type PatchedProto = OutputLike & { __tcplabInkGet?: OutputLike['get'] };

/** Rows remembered before the memory is dropped and started afresh. */
const MAX_ROWS = 4096;
/** Lines whose character splitting is remembered before that cache is started afresh. */
const MAX_LINES = 8192;

export interface FastOutputStatus {
  installed: boolean;
  /** Why not, when not. */
  why: string | null;
}

/** The lines written into each row of a frame: [x, text, x, text, ...]; null when the frame clips. */
export function rowWrites(operations: readonly Operation[], height: number): (number | string)[][] | null {
  const rows: (number | string)[][] = Array.from({ length: height }, () => []);
  for (const op of operations) {
    if (op.type !== 'write') return null;
    const lines = op.text.split('\n');
    // As Ink does: a line outside the grid is skipped without moving on to the next row.
    let offsetY = 0;
    for (let index = 0; index < lines.length; index++) {
      const y = op.y + offsetY;
      if (y < 0 || y >= height) continue;
      let line = lines[index];
      for (const t of op.transformers) line = t(line, index);
      rows[y].push(op.x, line);
      offsetY++;
    }
  }
  return rows;
}

/**
 * Installs the compositor on Ink's Output class (given, for tests, or loaded from Ink).
 * Returns what happened; safe to call more than once.
 */
export function patchOutput(Output: OutputClass): FastOutputStatus {
  const proto = Output.prototype as PatchedProto;
  if (proto.__tcplabInkGet !== undefined) return { installed: true, why: null };
  const original = proto.get;
  let probe: OutputLike;
  try {
    probe = new Output({ width: 1, height: 1 });
  } catch (err) {
    return { installed: false, why: `Ink's Output cannot be built: ${String(err)}` };
  }
  const caches = probe.caches as { constructor: new () => { styledChars?: Map<string, unknown> } } | undefined;
  if (typeof original !== 'function' || !Array.isArray(probe.operations) || caches === undefined || typeof caches.constructor !== 'function') {
    return { installed: false, why: 'Ink\'s Output is not the one this was written for' };
  }
  const Caches = caches.constructor;
  let shared = new Caches();
  const rowMemo = new Map<string, string>();

  const buildRow = (width: number, writes: readonly (number | string)[]): string => {
    const one = new Output({ width, height: 1 });
    if ((shared.styledChars?.size ?? 0) > MAX_LINES) shared = new Caches();
    one.caches = shared;
    for (let i = 0; i < writes.length; i += 2) one.write(writes[i] as number, 0, writes[i + 1] as string, { transformers: [] });
    return original.call(one).output;
  };

  proto.get = function get(this: OutputLike): { output: string; height: number } {
    const rows = rowWrites(this.operations, this.height);
    if (rows === null) {
      this.caches = shared;
      return original.call(this);
    }
    const out: string[] = new Array<string>(rows.length);
    for (let y = 0; y < rows.length; y++) {
      const writes = rows[y];
      if (writes.length === 0) {
        out[y] = '';
        continue;
      }
      const key = `${this.width}\u0000${writes.join('\u0000')}`;
      let text = rowMemo.get(key);
      if (text === undefined) {
        text = buildRow(this.width, writes);
        if (rowMemo.size >= MAX_ROWS) rowMemo.clear();
        rowMemo.set(key, text);
      }
      out[y] = text;
    }
    return { output: out.join('\n'), height: rows.length };
  };
  proto.__tcplabInkGet = original;
  return { installed: true, why: null };
}

/** Ink's Output class: the module Ink itself imports (not exported by Ink, so found by path). */
export async function inkOutputClass(): Promise<OutputClass> {
  const url = new URL('output.js', import.meta.resolve('ink'));
  const mod = (await import(url.href)) as { default?: unknown };
  if (typeof mod.default !== 'function') throw new Error('ink/build/output.js has no default export');
  return mod.default as OutputClass;
}

async function install(): Promise<FastOutputStatus> {
  if (process.env.TCPLAB_INK_OUTPUT === 'ink') return { installed: false, why: 'TCPLAB_INK_OUTPUT=ink' };
  try {
    return patchOutput(await inkOutputClass());
  } catch (err) {
    return { installed: false, why: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether the fast compositor is in use (and why not). Set when this module loads. */
export const fastOutput: FastOutputStatus = await install();
