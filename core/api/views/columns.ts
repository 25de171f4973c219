// Table columns as data: every UI renders the same columns, with the same headers, formatters
// and sort keys. A UI picks the columns that fit its width with layoutColumns.
import type { Align } from './format.ts';
import { textWidth } from './format.ts';
import type { Lang, LocalText } from './i18n.ts';
import type { Role } from './state-roles.ts';

/** What formatters may need besides the row. */
export interface ViewContext {
  lang: Lang;
  /** The lab time now (estimated by the UI, see LabClock), ms. */
  now: number;
  /** The lab time of the snapshot the rows come from (Snapshot.at), ms. */
  snapshotAt: number;
}

export interface ColumnDef<R> {
  id: string;
  header: LocalText;
  /** What the column means (a tooltip, the help screen). */
  doc: LocalText;
  /** Preferred width in terminal cells (GUIs may treat it as a relative width). */
  width: number;
  /** Narrowest useful width; values are cut with '…' below `width`. */
  minWidth: number;
  align: Align;
  /** 0 is always shown; larger numbers are dropped first when space is short. */
  priority: number;
  /** Takes the space left over after every shown column has its preferred width (up to growTo). */
  grow?: boolean;
  /** Where growing stops being useful (e.g. 21 for 'addr:port'); unbounded when absent. */
  growTo?: number;
  /** True when the text depends on ctx.now (countdowns, ages): it changes without the row changing. */
  live?: boolean;
  format(row: R, ctx: ViewContext): string;
  /** Sort key: numbers sort numerically, strings by code point; null sorts last. */
  sortValue(row: R, ctx: ViewContext): number | string | null;
  /** Colour role of the cell, if it has one. */
  role?(row: R): Role | null;
}

export interface LaidOutColumn<R> {
  column: ColumnDef<R>;
  width: number;
}

export const COLUMN_GAP = 1;

/** Columns of this priority or more important may be squeezed to their minimum width. */
export const SQUEEZE_PRIORITY = 2;

/**
 * The columns that fit in `totalWidth` cells (with COLUMN_GAP between them), in their given
 * order: columns are admitted by priority (then order) while they fit, the important ones
 * (priority <= SQUEEZE_PRIORITY) at their minimum width, then widened towards their preferred
 * width before any other column comes in; the others come only at their preferred width; what
 * is left goes to `grow` columns. A column is never narrower than its header.
 */
export function layoutColumns<R>(columns: readonly ColumnDef<R>[], totalWidth: number, lang: Lang): LaidOutColumn<R>[] {
  const minOf = (c: ColumnDef<R>): number => Math.max(c.minWidth, textWidth(c.header[lang]));
  const prefOf = (c: ColumnDef<R>): number => Math.max(c.width, minOf(c));
  const byPriority = columns.map((c, i) => ({ c, i })).sort((a, b) => a.c.priority - b.c.priority || a.i - b.i);
  const chosen = new Map<number, number>();
  let used = 0;
  let widened = false;
  for (const { c, i } of byPriority) {
    if (!widened && c.priority > SQUEEZE_PRIORITY) {
      // The important columns get their preferred width before optional ones come in.
      widened = true;
      for (const x of byPriority) {
        const have = chosen.get(x.i);
        if (have === undefined) continue;
        const add = Math.min(totalWidth - used, prefOf(x.c) - have);
        if (add > 0) {
          chosen.set(x.i, have + add);
          used += add;
        }
      }
    }
    const w = c.priority <= SQUEEZE_PRIORITY ? minOf(c) : prefOf(c);
    const need = w + (chosen.size > 0 ? COLUMN_GAP : 0);
    if (used + need > totalWidth) continue;
    chosen.set(i, w);
    used += need;
  }
  const out = columns.map((c, i) => ({ c, i })).filter(({ i }) => chosen.has(i)).map(({ c, i }) => ({ column: c, width: chosen.get(i) as number }));
  let spare = totalWidth - used;
  // Widen towards the preferred widths, most important columns first.
  for (const col of [...out].sort((a, b) => a.column.priority - b.column.priority)) {
    const add = Math.min(spare, prefOf(col.column) - col.width);
    if (add > 0) {
      col.width += add;
      spare -= add;
    }
  }
  for (;;) {
    const growers = out.filter((c) => c.column.grow === true && c.width < (c.column.growTo ?? Infinity));
    if (spare <= 0 || growers.length === 0) break;
    for (const g of growers) {
      if (spare <= 0) break;
      g.width++;
      spare--;
    }
  }
  return out;
}

/** Looks up columns by id, in the order of `ids` (unknown ids are skipped). */
export function pickColumns<R>(all: readonly ColumnDef<R>[], ids: readonly string[]): ColumnDef<R>[] {
  const byId = new Map(all.map((c) => [c.id, c]));
  return ids.flatMap((id) => {
    const c = byId.get(id);
    return c === undefined ? [] : [c];
  });
}
