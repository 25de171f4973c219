// Sorting table rows by a column's sort key (stable; ties by id; empty values last).
import type { ColumnDef, ViewContext } from './columns.ts';

export type SortDir = 'asc' | 'desc';

export interface SortSpec {
  column: string;
  dir: SortDir;
}

function compareKeys(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * `rows` sorted by `column` (a new array). The keys are computed once per row; empty values
 * sort last in both directions; equal keys keep id order.
 */
export function sortRows<R extends { id: number }>(rows: readonly R[], column: ColumnDef<R> | undefined, dir: SortDir, ctx: ViewContext): R[] {
  if (column === undefined) return [...rows].sort((a, b) => (dir === 'asc' ? a.id - b.id : b.id - a.id));
  const keyed = rows.map((row) => ({ row, key: column.sortValue(row, ctx) }));
  const sign = dir === 'asc' ? 1 : -1;
  keyed.sort((x, y) => {
    if (x.key === null || y.key === null) {
      const c = compareKeys(x.key, y.key);
      if (c !== 0) return c;
    } else {
      const c = compareKeys(x.key, y.key) * sign;
      if (c !== 0) return c;
    }
    return x.row.id - y.row.id;
  });
  return keyed.map((k) => k.row);
}

/** The next sort after choosing `column`: a new column sorts ascending, the same one flips. */
export function toggleSort(current: SortSpec | null, column: string): SortSpec {
  if (current === null || current.column !== column) return { column, dir: 'asc' };
  return { column, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}
