// The connections table: virtualised (only the visible rows exist in the DOM), every ss column,
// state colours with glyphs, sort by any column, filter and search, row actions Close and RST
// (RST asks first), multi-select for a bulk RST. Keyboard: j/k ↑/↓ PgUp/PgDn Home/End move,
// Enter opens the detail, Space selects, c closes, r resets, / focuses the filter.
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { TcpState } from '../../../core/api/names.ts';
import { TCP_STATES } from '../../../core/api/names.ts';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';
import { layoutColumns, pickColumns, type ColumnDef, type ViewContext } from '../../../core/api/views/columns.ts';
import { filterConnections, parseFilter } from '../../../core/api/views/filter.ts';
import { local } from '../../../core/api/views/i18n.ts';
import { CONNECTION_COLUMNS, DEFAULT_CONNECTION_COLUMN_IDS } from '../../../core/api/views/netstat.ts';
import { fieldColumn } from '../../../core/api/views/scenario.ts';
import { sortRows, toggleSort, type SortSpec } from '../../../core/api/views/sort.ts';
import { stateRole } from '../../../core/api/views/state-roles.ts';
import { useStore, useT, useTick } from '../hooks.ts';
import type { MsgKey } from '../i18n.ts';
import { markClass, type FieldMark } from '../lab/hints.ts';
import { marker, roleClass, stateClass } from '../model/roles.ts';
import { ConfirmDialog } from './confirm.tsx';

/** The shared netstat set, then the ss -i extras, then the app; the shared layout drops by priority when narrow. */
export const GUI_COLUMN_IDS = ['id', ...DEFAULT_CONNECTION_COLUMN_IDS.flatMap((c) => (c === 'state' ? ['state', 'since'] : [c])), 'rto', 'retrans', 'mss', 'wscale', 'responder'] as const;
const GUI_COLUMNS = pickColumns(CONNECTION_COLUMNS, GUI_COLUMN_IDS);
/** One terminal cell of the shared layout in pixels (12px monospace); each column adds padding. */
const CELL_PX = 7.25;
const CELL_PAD = 8;
/** The state badge (marker, padding) needs more than its text. */
const STATE_EXTRA = 30;
type Col = ColumnDef<ConnectionRow>;

export const ROW_HEIGHT = 28;
const OVERSCAN = 4;
const ACTIONS_WIDTH = 112;
const SELECT_WIDTH = 34;

export function StateBadge({ state }: { state: TcpState }): ReactNode {
  return (
    <span className={`state ${stateClass(state)}`}>
      <span className="glyph" aria-hidden="true">{marker(stateRole(state))}</span>
      {state}
    </span>
  );
}

interface Pending { ids: number[] }

const LEGEND: TcpState[] = ['SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'CLOSE-WAIT', 'TIME-WAIT', 'CLOSED'];

/** What the colours and markers mean: each role once, with its states. */
function StateLegend(): ReactNode {
  const t = useT();
  return (
    <div className="legend" aria-label={t('legend.title')}>
      {LEGEND.map((s) => {
        const role = stateRole(s);
        return (
          <span key={role} className={`legend-item ${roleClass(role)}`}>
            <span className="glyph" aria-hidden="true">{marker(role)}</span> {t(`legend.${role}` as MsgKey)}
          </span>
        );
      })}
    </div>
  );
}

export function ConnectionsTable({ compact }: { compact: boolean }): ReactNode {
  const store = useStore();
  const t = useT();
  const rows = store.snapshot?.connections ?? [];
  const [query, setQuery] = useState('');
  const [stateFilter, setStateFilter] = useState<TcpState | null>(null);
  const [sort, setSort] = useState<SortSpec>({ column: 'id', dir: 'asc' });
  const [width, setWidth] = useState(1200);
  const sectionRef = useRef<HTMLElement>(null);
  useTick(500); // live cells (timer countdowns)
  const [cursor, setCursor] = useState(0);
  const [marked, setMarked] = useState<ReadonlySet<number>>(new Set());
  const [confirm, setConfirm] = useState<Pending | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const bodyRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);

  // Live cells (countdowns) move with the lab clock; half-second steps are enough and let rows memoise.
  const live = store.viewContext();
  const nowStep = Math.floor(live.now / 500) * 500;
  const ctx: ViewContext = useMemo(() => ({ lang: live.lang, now: nowStep, snapshotAt: nowStep }), [nowStep, live.lang]);
  const parsed = useMemo(() => parseFilter(stateFilter === null ? query : `${query} state:${stateFilter}`), [query, stateFilter]);
  const filtered = useMemo(() => (parsed.ok && parsed.filter.terms.length > 0 ? filterConnections(rows, parsed.filter) : rows), [rows, parsed]);
  const sortCol = GUI_COLUMNS.find((c) => c.id === sort.column);
  // Live columns sort by values that move with time; re-sort only when the rows change.
  // Rows come sorted by id: that order needs no sort (10,000 rows, 20 updates a second).
  const shown = useMemo(() => (sort.column === 'id' ? (sort.dir === 'asc' ? filtered : filtered.slice().reverse()) : sortRows(filtered, sortCol, sort.dir, ctx)), [filtered, sortCol, sort.dir, sort.column]);
  const laid = useMemo(() => {
    const cells = Math.floor((width - SELECT_WIDTH - ACTIONS_WIDTH - STATE_EXTRA - 20) / CELL_PX);
    return layoutColumns(GUI_COLUMNS, Math.max(40, cells), store.ui.lang).map((l) => ({
      col: l.column,
      px: Math.round(l.width * CELL_PX + CELL_PAD + (l.column.id === 'state' ? STATE_EXTRA : 0)),
    }));
  }, [width, store.ui.lang]);
  const hints = store.hintMarks().conns;
  const liveMarked = useMemo(() => {
    if (marked.size === 0) return [];
    const present = new Set(rows.map((r) => r.id));
    return [...marked].filter((id) => present.has(id));
  }, [marked, rows]);

  useEffect(() => {
    const el = bodyRef.current;
    const sec = sectionRef.current;
    if (el === null || sec === null) return;
    const ro = new ResizeObserver(() => { setViewport(el.clientHeight); setWidth(sec.clientWidth); });
    ro.observe(el);
    ro.observe(sec);
    setViewport(el.clientHeight);
    setWidth(sec.clientWidth);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const focusFilter = (): void => filterRef.current?.focus();
    window.addEventListener('tcplab:focus-filter', focusFilter);
    return () => window.removeEventListener('tcplab:focus-filter', focusFilter);
  }, []);

  // A hint jump to a connection: show its row (clearing a filter that hides it) and put the cursor on it.
  const jumpSeq = store.ui.jumpSeq;
  const jumpDone = useRef(0);
  useEffect(() => {
    const h = store.ui.highlight;
    if (jumpSeq === jumpDone.current || h === null || h.kind !== 'connection') return;
    const i = shown.findIndex((r) => r.id === h.conn);
    if (i < 0) {
      if (rows.some((r) => r.id === h.conn) && (query !== '' || stateFilter !== null)) {
        setQuery('');
        setStateFilter(null);
      }
      return;
    }
    jumpDone.current = jumpSeq;
    move(i);
  }, [jumpSeq, shown]); // once per jump, and again when the row shows up

  const cur = Math.min(cursor, Math.max(0, shown.length - 1));
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  // Always the same number of row elements (slots), so scrolling only moves and refills them.
  const slots = Math.ceil(viewport / ROW_HEIGHT) + 2 * OVERSCAN + 2;
  const last = Math.min(shown.length, first + slots);
  const visible = shown.slice(first, last);
  const totalWidth = SELECT_WIDTH + laid.reduce((n, c) => n + c.px, 0) + ACTIONS_WIDTH;

  function scrollIntoView(i: number): void {
    const el = bodyRef.current;
    if (el === null) return;
    const top = i * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }

  function move(to: number): void {
    const i = Math.max(0, Math.min(shown.length - 1, to));
    setCursor(i);
    scrollIntoView(i);
  }

  function toggleMark(id: number): void {
    const next = new Set(marked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setMarked(next);
  }

  async function closeConn(id: number): Promise<void> {
    const r = await store.call('close', { conn: id });
    if (r.ok) store.toast('ok', t('ok.closed', { id }));
  }

  async function resetConns(ids: number[]): Promise<void> {
    setConfirm(null);
    const results = await Promise.all(ids.map((conn) => store.call('reset', { conn })));
    const n = results.filter((r) => r.ok).length;
    if (n > 0) store.toast('ok', t('ok.reset', { n }));
    setMarked(new Set());
    bodyRef.current?.focus();
  }

  function onKey(e: KeyboardEvent<HTMLDivElement>): void {
    const row = shown[cur];
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    const handled = ((): boolean => {
      switch (e.key) {
        case 'ArrowDown': case 'j': move(cur + 1); return true;
        case 'ArrowUp': case 'k': move(cur - 1); return true;
        case 'PageDown': move(cur + page); return true;
        case 'PageUp': move(cur - page); return true;
        case 'Home': move(0); return true;
        case 'End': move(shown.length - 1); return true;
        case 'Enter': if (row) store.setUi({ selected: row.id }); return true;
        case ' ': if (row) toggleMark(row.id); return true;
        case 'c': if (row) void closeConn(row.id); return true;
        case 'r': if (row) setConfirm({ ids: [row.id] }); return true;
        case 'R': if (liveMarked.length > 0) setConfirm({ ids: liveMarked }); return true;
        case 'a': if (e.ctrlKey) { setMarked(new Set(shown.map((r) => r.id))); return true; } return false;
        default: return false;
      }
    })();
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  const sortBy = (id: string): void => setSort((s) => toggleSort(s, id));
  const activeId = shown[cur] ? `conn-row-${shown[cur].id}` : undefined;
  const peerOf = (id: number): string => {
    const r = rows.find((x) => x.id === id);
    return r ? `${r.remoteAddr}:${r.remotePort}` : '';
  };

  return (
    <section ref={sectionRef} className={`connections ${compact ? 'compact' : ''}`} aria-label={t('view.connections')}>
      <div className="toolbar">
        <input
          ref={filterRef}
          className="filter"
          type="search"
          placeholder={t('conn.filter')}
          aria-label={t('conn.filter')}
          value={query}
          aria-invalid={!parsed.ok}
          title="state:ESTABLISHED port:80 addr:10.77. app:echo timer:rto !state:TIME-WAIT"
          onChange={(e) => { setQuery(e.target.value); setCursor(0); }}
          onKeyDown={(e) => { if (e.key === 'Enter' || e.key === 'ArrowDown') { e.preventDefault(); bodyRef.current?.focus(); } }}
        />
        <select aria-label={t('conn.allStates')} value={stateFilter ?? ''} onChange={(e) => setStateFilter((e.target.value || null) as TcpState | null)}>
          <option value="">{t('conn.allStates')}</option>
          {TCP_STATES.filter((s) => s !== 'LISTEN').map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        {parsed.ok
          ? <span className="count" aria-live="polite">{t('conn.count', { shown: shown.length, total: rows.length })}</span>
          : <span className="field-error" role="alert">{parsed.error}</span>}
        <span className="spacer" />
        {liveMarked.length > 0 && (
          <>
            <span className="count">{t('conn.selected', { n: liveMarked.length })}</span>
            <button className="danger" onClick={() => setConfirm({ ids: liveMarked })}>{t('conn.rstSelected')}</button>
          </>
        )}
      </div>
      <div className="grid" role="grid" aria-rowcount={shown.length + 1} aria-colcount={laid.length + 2}>
        <div className="grid-scroll">
          <div className="thead" role="row" style={{ width: totalWidth }}>
            <div className="th sel" role="columnheader">
              <input
                type="checkbox"
                aria-label="select all shown"
                checked={shown.length > 0 && liveMarked.length === shown.length}
                onChange={(e) => setMarked(e.target.checked ? new Set(shown.map((r) => r.id)) : new Set())}
              />
            </div>
            {laid.map(({ col: c, px }) => (
              <button
                key={c.id}
                role="columnheader"
                aria-sort={sort.column === c.id ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                className={`th ${c.align}`}
                style={{ width: px }}
                title={local(store.ui.lang, c.doc)}
                onClick={() => sortBy(c.id)}
              >
                {local(store.ui.lang, c.header)}
                <span className="sort-ind" aria-hidden="true">{sort.column === c.id ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
              </button>
            ))}
            <div className="th actions" role="columnheader" style={{ width: ACTIONS_WIDTH }} />
          </div>
          <div
            ref={bodyRef}
            className="tbody"
            style={{ width: totalWidth }}
            tabIndex={0}
            aria-activedescendant={activeId}
            aria-label={t('view.connections')}
            onScroll={(e) => {
              // Re-render only when the first row changes, not for every pixel scrolled.
              const top = e.currentTarget.scrollTop;
              if (Math.floor(top / ROW_HEIGHT) !== Math.floor(scrollTop / ROW_HEIGHT) || top === 0) setScrollTop(top);
            }}
            onKeyDown={onKey}
          >
            <div className="spacer-rows" style={{ height: Math.max(1, shown.length) * ROW_HEIGHT, width: totalWidth }}>
              {bySlot(visible, first, slots).map(({ r, i }) => (
                <Row
                  // Keyed by slot, not by connection: scrolling reuses the row elements (new text,
                  // new position) instead of removing and creating hundreds of nodes per frame.
                  key={(first + i) % slots}
                  row={r}
                  cols={laid}
                  ctx={ctx}
                  index={first + i}
                  cursor={first + i === cur}
                  marked={marked.has(r.id)}
                  open={store.ui.selected === r.id}
                  hint={hints.get(r.id)}
                  onClick={() => { setCursor(first + i); store.setUi({ selected: r.id }); }}
                  onMark={() => toggleMark(r.id)}
                  onClose={() => void closeConn(r.id)}
                  onReset={() => setConfirm({ ids: [r.id] })}
                  t={t}
                />
              ))}
            </div>
            {shown.length === 0 && <p className="empty">{rows.length === 0 ? t('conn.none') : t('conn.noMatch')}</p>}
          </div>
        </div>
      </div>
      <StateLegend />
      {confirm !== null && (
        <ConfirmDialog
          title={t('confirm.rst.title')}
          body={confirm.ids.length === 1 ? t('confirm.rst.one', { id: confirm.ids[0], peer: peerOf(confirm.ids[0]) }) : t('confirm.rst.many', { n: confirm.ids.length })}
          ok={t('confirm.ok')}
          cancel={t('confirm.cancel')}
          onOk={() => void resetConns(confirm.ids)}
          onCancel={() => { setConfirm(null); bodyRef.current?.focus(); }}
        />
      )}
    </section>
  );
}

/** The visible rows in slot order, so the row elements keep their places in the DOM while scrolling. */
function bySlot(visible: ConnectionRow[], first: number, slots: number): { r: ConnectionRow; i: number }[] {
  return visible.map((r, i) => ({ r, i })).sort((a, b) => ((first + a.i) % slots) - ((first + b.i) % slots));
}

interface RowProps {
  row: ConnectionRow;
  cols: { col: Col; px: number }[];
  ctx: ViewContext;
  index: number;
  cursor: boolean;
  marked: boolean;
  open: boolean;
  onClick: () => void;
  onMark: () => void;
  onClose: () => void;
  onReset: () => void;
  /** A scenario's hint points at this row (its key; whether the user jumped to it; the field). */
  hint: FieldMark | undefined;
  t: ReturnType<typeof useT>;
}

/** Re-renders only when its row, its place or its flags change (the callbacks are new each time but do the same). */
const Row = memo(RowView, (a, b) => a.row === b.row && a.index === b.index && a.cursor === b.cursor && a.marked === b.marked
  && a.open === b.open && a.cols === b.cols && a.ctx === b.ctx && a.t === b.t && a.hint === b.hint);

function RowView({ row, cols, ctx, index, cursor, marked, open, onClick, onMark, onClose, onReset, hint, t }: RowProps): ReactNode {
  const cls = `tr ${cursor ? 'cursor' : ''} ${marked ? 'marked' : ''} ${open ? 'open' : ''} ${index % 2 ? 'odd' : ''} ${markClass(hint)}`;
  const hintCol = hint === undefined ? null : fieldColumn(hint.field);
  return (
    <div
      id={`conn-row-${row.id}`}
      className={cls}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={marked}
      data-conn={row.id}
      style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
      onClick={onClick}
    >
      <div className="td sel" role="gridcell">
        {hint !== undefined && <span className="hint-badge" title="hint">{hint.key}</span>}
        <input type="checkbox" tabIndex={-1} aria-label={`select ${row.id}`} checked={marked} onChange={onMark} onClick={(e) => e.stopPropagation()} />
      </div>
      {cols.map(({ col: c, px }) =>
        c.id === 'state' ? (
          <div key={c.id} className={`td ${hintCol === 'state' ? 'hint-cell' : ''}`} role="gridcell" style={{ width: px }}><StateBadge state={row.state} /></div>
        ) : (
          <div key={c.id} className={`td ${c.align} ${roleClass(c.role?.(row) ?? null)} ${hintCol === c.id ? 'hint-cell' : ''}`} role="gridcell" style={{ width: px }}>{c.format(row, ctx)}</div>
        ),
      )}
      <div className="td actions" role="gridcell" style={{ width: ACTIONS_WIDTH }}>
        <button tabIndex={-1} className="mini" title={t('conn.close')} onClick={(e) => { e.stopPropagation(); onClose(); }}>{t('conn.close')}</button>
        <button tabIndex={-1} className="mini danger" title={t('conn.rst')} onClick={(e) => { e.stopPropagation(); onReset(); }}>{t('conn.rst')}</button>
      </div>
    </div>
  );
}
