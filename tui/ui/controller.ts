// The TUI's state and behaviour without the drawing: which view is shown, the selection, the
// filter and sort, prompts and confirmations, and every action (each reports its result or its
// error in the status line). Ink components render `state` and the derived lists; keys come
// in through onKey. Plain TypeScript, so it is tested without a terminal.
import type { ConnectionRow, ScenarioHintTarget } from '../../core/api/snapshot.ts';
import type { ApiError, Result } from '../../core/api/errors.ts';
import { EMPTY_FILTER, parseFilter, filterConnections, type ConnectionFilter } from '../../core/api/views/filter.ts';
import { t, type Lang, type Params, type StringKey } from '../../core/api/views/i18n.ts';
import { CONNECTION_COLUMNS } from '../../core/api/views/netstat.ts';
import { sortRows, type SortSpec } from '../../core/api/views/sort.ts';
import { listenerViews, type ListenerView } from '../../core/api/views/gauges.ts';
import { knobRows, parseKnobInput, type KnobRowView } from '../../core/api/views/knobs.ts';
import { counterDeltas, counterGroups, type CounterGroupView } from '../../core/api/views/counters.ts';
import type { LabEvent } from '../../core/api/events.ts';
import type { PlotMode } from '../../core/api/views/plot.ts';
import { HINT_KEYS, hintViews, type HintView } from '../../core/api/views/scenario.ts';
import { parseFaultInput } from './fault-input.ts';
import { TimeKeys } from './time-keys.ts';
import { hintMarks, resolveHint, type HintMarks } from './hints.ts';
import { parseConnectInput, parseKnobAssignment, parseListenInput, type KeyPress } from './input.ts';
import { VIEWS, type ViewId } from './keymap.ts';
import type { LabStore } from './store.ts';

export type PromptKind = 'filter' | 'listen' | 'connect' | 'send' | 'knob' | 'knobByName' | 'fault' | 'pcapSave';

export interface PromptState {
  kind: PromptKind;
  value: string;
  /** The connection or knob the prompt is about. */
  conn?: number;
  knob?: string;
  error: string | null;
}

export interface ConfirmState {
  kind: 'reset';
  conn: number;
}

export interface Status {
  text: string;
  kind: 'ok' | 'error' | 'info';
}

type Listed = 'connections' | 'listeners' | 'knobs' | 'faults' | 'counters' | 'trace' | 'scenarios';

export interface UiState {
  view: ViewId;
  /** The selected connection full screen. */
  detail: boolean;
  help: boolean;
  /** First line of the help shown (it scrolls on small terminals). */
  helpScroll: number;
  lang: Lang;
  filter: ConnectionFilter;
  sort: SortSpec | null;
  selectedConn: number | null;
  /** Index of the selection in each list (connections: the last known index of selectedConn). */
  cursor: Record<Listed, number>;
  /** First row shown of each list. */
  scroll: Record<Listed, number>;
  relative: boolean;
  /** The trace frozen at these events, or null when it follows the lab. */
  traceFrozen: LabEvent[] | null;
  traceConnOnly: boolean;
  prompt: PromptState | null;
  confirm: ConfirmState | null;
  status: Status | null;
  /** The scenarios view shows the selected scenario's explanation (scrolled by explainScroll lines). */
  explain: boolean;
  explainScroll: number;
  plotMode: PlotMode;
  /** The plot shown in place of the hints and checks (narrow terminals; wide ones show both). */
  plotOpen: boolean;
  /** The hint target the user jumped to last (drawn highlighted until another is chosen). */
  highlight: ScenarioHintTarget | null;
  /** The hint `>` goes to next. */
  hintIndex: number;
  /** First check shown when the check table scrolls; null follows the newest. */
  checksScroll: number | null;
}

export interface ControllerOptions {
  lang: Lang;
  quit: () => void;
  /** Writes a file (pcap export); the runner passes node:fs. */
  writeFile?: (path: string, data: Uint8Array) => Promise<void>;
  /** Delay before the selected connection's history is loaded (the selection may move on). */
  selectDelayMs?: number;
  /** Today's date for the default pcap file name. */
  date?: () => Date;
  /** What the user should know about this run (e.g. the namespace made for it and how to reach it). */
  notice?: string;
}

/** The columns `s` cycles through, in order. */
export const SORT_CYCLE = ['state', 'local', 'remote', 'recvQ', 'sendQ', 'timer', 'rtt', 'cwnd', 'id'] as const;

const zero = (): Record<Listed, number> => ({ connections: 0, listeners: 0, knobs: 0, faults: 0, counters: 0, trace: 0, scenarios: 0 });

export class Controller {
  state: UiState;
  /** The run's notice (ControllerOptions.notice), shown in full while there are no connections. */
  readonly notice: string | null;
  /** Rows per page of each list, set by the views as they lay out. */
  readonly pageSize: Record<Listed, number> = { connections: 10, listeners: 5, knobs: 10, faults: 5, counters: 10, trace: 10, scenarios: 5 };
  /** The scenarios view lays out in one column (set as it renders): v then opens the plot. */
  scenariosNarrow = true;
  /** Checks of the scenario panel, and how many fit (set by the scenarios view). */
  checksLines = { total: 0, page: 0 };
  /** Lines of the explanation, and how many fit (set by the scenarios view). */
  explainLines = { total: 0, page: 10 };
  private rowsMemo: { conns: readonly ConnectionRow[]; filter: ConnectionFilter; sort: SortSpec | null; bucket: number; rows: ConnectionRow[] } | null = null;
  private selectTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly time: TimeKeys;

  constructor(readonly store: LabStore, private readonly opts: ControllerOptions) {
    this.notice = opts.notice ?? null;
    this.time = new TimeKeys({
      client: store.client,
      info: () => store.snapshot?.info ?? null,
      t: (key, params) => this.t(key, params),
      run: (action, call, ok) => this.run(action, call, ok),
    });
    this.state = {
      view: 'connections', detail: false, help: false, helpScroll: 0, lang: opts.lang, filter: EMPTY_FILTER, sort: null,
      selectedConn: null, cursor: zero(), scroll: zero(), relative: true, traceFrozen: null, traceConnOnly: false,
      prompt: null, confirm: null, status: null, explain: false, explainScroll: 0, plotMode: 'relative', plotOpen: false, highlight: null, hintIndex: 0, checksScroll: null,
    };
  }

  dispose(): void {
    if (this.selectTimer !== null) clearTimeout(this.selectTimer);
  }

  private t(key: StringKey, params?: Params): string {
    return t(this.state.lang, key, params);
  }

  private set(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    this.store.touch();
  }

  setStatus(text: string, kind: Status['kind'] = 'info'): void {
    this.set({ status: { text, kind } });
  }

  // --- derived lists ------------------------------------------------------------------------

  /** The connections table: filtered and sorted (memoized on the snapshot, filter and sort). */
  rows(): ConnectionRow[] {
    const conns = this.store.snapshot?.connections ?? [];
    const { filter, sort } = this.state;
    const col = sort === null ? undefined : CONNECTION_COLUMNS.find((c) => c.id === sort.column);
    const bucket = col?.live ? Math.floor(this.store.labNow() / 1000) : 0;
    const m = this.rowsMemo;
    if (m !== null && m.conns === conns && m.filter === filter && m.sort === sort && m.bucket === bucket) return m.rows;
    const kept = filterConnections(conns, filter);
    const ctx = { lang: this.state.lang, now: this.store.labNow(), snapshotAt: this.store.snapshot?.at ?? 0 };
    const rows = sort === null ? kept : sortRows(kept, col, sort.dir, ctx);
    this.rowsMemo = { conns, filter, sort, bucket, rows };
    return rows;
  }

  /** Index of the selected connection in rows(), following it when the order changes. */
  connCursor(): number {
    const rows = this.rows();
    if (rows.length === 0) return 0;
    const id = this.state.selectedConn;
    let i = id === null ? -1 : this.indexOf(rows, id);
    if (i < 0) {
      i = Math.min(this.state.cursor.connections, rows.length - 1);
      // The connection shown full screen stays shown after it has gone (its history remains).
      if (this.state.detail && id !== null) return i;
      this.selectConn(rows[i].id, i);
    } else if (i !== this.state.cursor.connections) {
      this.state = { ...this.state, cursor: { ...this.state.cursor, connections: i } };
    }
    return i;
  }

  private indexOf(rows: readonly ConnectionRow[], id: number): number {
    const guess = this.state.cursor.connections;
    if (rows[guess]?.id === id) return guess;
    return rows.findIndex((r) => r.id === id);
  }

  private lastSelected: ConnectionRow | null = null;

  selectedRow(): ConnectionRow | null {
    const rows = this.rows();
    const row = rows.length === 0 ? null : rows[this.connCursor()] ?? null;
    if (row !== null && row.id === this.state.selectedConn) this.lastSelected = row;
    return row !== null && row.id === this.state.selectedConn ? row : null;
  }

  /** The connection the detail shows: the selected one, or its last known row once it has gone. */
  detailRow(): { row: ConnectionRow; gone: boolean } | null {
    const row = this.selectedRow();
    if (row !== null) return { row, gone: false };
    const last = this.lastSelected;
    return last !== null && last.id === this.state.selectedConn ? { row: last, gone: true } : null;
  }

  listeners(): ListenerView[] {
    return listenerViews(this.store.snapshot?.listeners ?? []);
  }

  knobs(): KnobRowView[] {
    return knobRows(this.store.knobInfo, this.store.snapshot?.knobs ?? {});
  }

  faultRules() {
    return this.store.snapshot?.faults.rules ?? [];
  }

  counterGroups(): CounterGroupView[] {
    const counters = this.store.snapshot?.counters ?? {};
    return counterGroups(counters, counterDeltas(this.store.counterBase ?? counters, counters));
  }

  /** The hints of the running (or last) scenario, with their keys. */
  hints(): HintView[] {
    return hintViews(this.store.snapshot?.scenario?.hints ?? [], this.state.lang);
  }

  private marksMemo: { hints: unknown; highlight: ScenarioHintTarget | null; marks: HintMarks } | null = null;

  /** What the current hints point at (and whether it is the one jumped to), for the views to mark. */
  hintMarks(): HintMarks {
    const hints = this.store.snapshot?.scenario?.hints;
    const { highlight } = this.state;
    const m = this.marksMemo;
    if (m !== null && m.hints === hints && m.highlight === highlight) return m.marks;
    const marks = hintMarks(hints ?? [], highlight);
    this.marksMemo = { hints, highlight, marks };
    return marks;
  }

  hintedConnections(): HintMarks['conns'] {
    return this.hintMarks().conns;
  }

  /** The scenario selected in the scenarios view. */
  selectedScenario() {
    const list = this.store.scenarios;
    return list[Math.min(this.state.cursor.scenarios, list.length - 1)] ?? null;
  }

  /** The trace lines to show (oldest first), `n` at most, honouring pause, scroll and the connection filter. */
  traceEvents(n: number): LabEvent[] {
    const conn = this.state.traceConnOnly ? this.state.selectedConn : null;
    const all = this.state.traceFrozen ?? this.store.recentEvents(1000, conn);
    const list = this.state.traceFrozen !== null && conn !== null ? all.filter((e) => 'conn' in e && e.conn === conn) : all;
    const back = Math.min(this.state.scroll.trace, Math.max(0, list.length - n));
    return list.slice(Math.max(0, list.length - n - back), list.length - back);
  }

  /** The window of `height` rows of a list of `length`, keeping the cursor visible. */
  window(list: Listed, length: number, height: number): { start: number; end: number; cursor: number } {
    const cursor = list === 'connections' ? this.connCursor() : Math.min(this.state.cursor[list], Math.max(0, length - 1));
    let start = this.state.scroll[list];
    if (cursor < start) start = cursor;
    if (cursor >= start + height) start = cursor - height + 1;
    start = Math.max(0, Math.min(start, Math.max(0, length - height)));
    if (start !== this.state.scroll[list]) this.state = { ...this.state, scroll: { ...this.state.scroll, [list]: start } };
    return { start, end: Math.min(length, start + height), cursor };
  }

  // --- selection ----------------------------------------------------------------------------

  private selectConn(id: number | null, index: number): void {
    this.state = { ...this.state, selectedConn: id, cursor: { ...this.state.cursor, connections: index } };
    if (this.selectTimer !== null) clearTimeout(this.selectTimer);
    const delay = this.opts.selectDelayMs ?? 120;
    // Never synchronously: this may run while a view renders.
    this.selectTimer = setTimeout(() => {
      this.selectTimer = null;
      this.store.select(this.state.selectedConn);
    }, delay);
    this.selectTimer.unref?.();
  }

  private listLength(list: Listed): number {
    switch (list) {
      case 'connections': return this.rows().length;
      case 'listeners': return this.listeners().length;
      case 'knobs': return this.knobs().length;
      case 'faults': return this.faultRules().length;
      case 'counters': return this.counterGroups().reduce((s, g) => s + g.rows.length + 1, 0);
      case 'trace': return Number.MAX_SAFE_INTEGER;
      case 'scenarios': return this.store.scenarios.length;
      default: {
        const never: never = list;
        throw new Error(`unknown list ${String(never)}`);
      }
    }
  }

  private move(list: Listed, delta: number | 'home' | 'end'): void {
    if (list === 'trace') {
      // Up goes back in time; the trace scrolls from the newest line.
      const back = delta === 'home' ? 1_000_000 : delta === 'end' ? 0 : Math.max(0, this.state.scroll.trace - delta);
      this.set({ scroll: { ...this.state.scroll, trace: back } });
      return;
    }
    const length = this.listLength(list);
    if (length === 0) return;
    const from = list === 'connections' ? this.connCursor() : this.state.cursor[list];
    const to = delta === 'home' ? 0 : delta === 'end' ? length - 1 : Math.max(0, Math.min(length - 1, from + delta));
    if (list === 'connections') this.selectConn(this.rows()[to].id, to);
    else this.state = { ...this.state, cursor: { ...this.state.cursor, [list]: to } };
    this.store.touch();
  }

  private currentList(): Listed {
    if (this.state.detail) return 'connections';
    switch (this.state.view) {
      case 'connections': return 'connections';
      case 'listeners': return 'listeners';
      case 'knobs': return 'knobs';
      case 'faults': return 'faults';
      case 'counters': return 'counters';
      case 'trace': return 'trace';
      case 'scenarios': return 'scenarios';
      default: {
        const never: never = this.state.view;
        throw new Error(`unknown view ${String(never)}`);
      }
    }
  }

  // --- keys ---------------------------------------------------------------------------------

  onKey(k: KeyPress): void {
    if (k.ctrl && k.input === 'c') return this.opts.quit();
    if (this.state.help) return this.onHelpKey(k);
    if (this.state.confirm !== null) return this.onConfirmKey(k);
    if (this.state.prompt !== null) return this.onPromptKey(k);
    // The scenarios view's own letters (hints a-h include f) come before the global ones.
    if (!this.state.detail && this.state.view === 'scenarios' && this.onScenariosKey(k)) return;
    if (this.onGlobalKey(k)) return;
    if (this.onMoveKey(k)) return;
    if (this.state.detail) {
      this.onDetailKey(k);
      return;
    }
    switch (this.state.view) {
      case 'connections': return this.onConnectionsKey(k);
      case 'listeners': return this.onListenersKey(k);
      case 'knobs': return this.onKnobsKey(k);
      case 'faults': return this.onFaultsKey(k);
      case 'counters': return this.onCountersKey(k);
      case 'trace': return this.onTraceKey(k);
      case 'scenarios': return;
      default: {
        const never: never = this.state.view;
        throw new Error(`unknown view ${String(never)}`);
      }
    }
  }

  /** Lines the help has, and how many fit (set by the help view). */
  helpLines = { total: 0, page: 10 };

  private onHelpKey(k: KeyPress): void {
    const { total, page } = this.helpLines;
    const max = Math.max(0, total - page);
    const at = this.state.helpScroll;
    if (k.up || k.input === 'k') return this.set({ helpScroll: Math.max(0, at - 1) });
    if (k.down || k.input === 'j') return this.set({ helpScroll: Math.min(max, at + 1) });
    if (k.pageUp) return this.set({ helpScroll: Math.max(0, at - page + 1) });
    if (k.pageDown || k.input === ' ') return this.set({ helpScroll: Math.min(max, at + page - 1) });
    this.set({ help: false, helpScroll: 0 });
  }

  private onGlobalKey(k: KeyPress): boolean {
    const view = (v: ViewId): true => {
      this.set({ view: v, detail: false });
      return true;
    };
    if (k.tab) {
      const i = VIEWS.indexOf(this.state.view);
      return view(VIEWS[(i + (k.shift ? VIEWS.length - 1 : 1)) % VIEWS.length]);
    }
    if (k.escape) {
      if (this.state.detail) this.set({ detail: false });
      else if (this.state.explain) this.set({ explain: false });
      return true;
    }
    if (k.ctrl || k.input.length !== 1) return false;
    if (this.time.onKey(k.input)) return true;
    const n = '1234567'.indexOf(k.input);
    if (n >= 0) return view(VIEWS[n]);
    switch (k.input) {
      case '?': this.set({ help: true }); return true;
      case 'q': this.opts.quit(); return true;
      case 'l': this.openPrompt('listen'); return true;
      case 'o': this.openPrompt('connect'); return true;
      case 'K': this.openPrompt('knobByName'); return true;
      case 'f': this.openPrompt('fault'); return true;
      case 'P': void this.togglePcap(); return true;
      case 'W': this.openPrompt('pcapSave', { value: this.defaultPcapName() }); return true;
      case 'L': this.set({ lang: this.state.lang === 'en' ? 'zh' : 'en' }); return true;
      case '>': this.nextHint(); return true;
      default: return false;
    }
  }

  // --- scenarios ----------------------------------------------------------------------------

  private onScenariosKey(k: KeyPress): boolean {
    if (this.state.explain) {
      const { total, page } = this.explainLines;
      const max = Math.max(0, total - page);
      const at = this.state.explainScroll;
      const to = k.up || k.input === 'k' ? at - 1 : k.down || k.input === 'j' ? at + 1 : k.pageUp ? at - page + 1
        : k.pageDown || k.input === ' ' ? at + page - 1 : k.home ? 0 : k.end ? max : null;
      if (to !== null) {
        this.set({ explainScroll: Math.max(0, Math.min(max, to)) });
        return true;
      }
      if (k.input === 'i') {
        this.set({ explain: false });
        return true;
      }
    }
    if (k.ctrl) return false;
    const { total, page } = this.checksLines;
    if ((k.pageUp || k.pageDown) && total > page) {
      const max = total - page;
      const at = this.state.checksScroll ?? max;
      const to = Math.max(0, Math.min(max, at + (k.pageDown ? page - 1 : 1 - page)));
      this.set({ checksScroll: to >= max ? null : to });
      return true;
    }
    if (k.enter) {
      const sc = this.selectedScenario();
      this.state = { ...this.state, checksScroll: null };
      if (sc !== null) void this.run('scenarioRun', this.store.client.call('scenarioRun', { name: sc.name }), () => this.t('result.scenarioStarted', { name: sc.name }));
      return true;
    }
    const hint = (HINT_KEYS as readonly string[]).indexOf(k.input);
    if (hint >= 0) {
      this.jumpToHint(hint);
      return true;
    }
    switch (k.input) {
      case 'X': void this.run('scenarioStop', this.store.client.call('scenarioStop'), () => this.t('result.scenarioStopped')); return true;
      case 'i': this.set({ explain: !this.state.explain, explainScroll: 0 }); return true;
      case 'v': {
        // Wide: relative <-> absolute. Narrow: open (relative) -> absolute -> closed.
        const { plotMode, plotOpen } = this.state;
        if (!this.scenariosNarrow) this.set({ plotMode: plotMode === 'relative' ? 'absolute' : 'relative' });
        else if (!plotOpen) this.set({ plotOpen: true, plotMode: 'relative' });
        else if (plotMode === 'relative') this.set({ plotMode: 'absolute' });
        else this.set({ plotOpen: false });
        return true;
      }
      default: return false;
    }
  }

  private nextHint(): void {
    const n = this.hints().length;
    if (n === 0) return this.setStatus(this.t('scenario.noHints'));
    const i = this.state.hintIndex % n;
    this.state = { ...this.state, hintIndex: (i + 1) % n };
    this.jumpToHint(i);
  }

  /** Shows what hint `i` points at: its view, the row selected and highlighted; the hint in the status line. */
  jumpToHint(i: number): void {
    const h = this.hints()[i];
    if (h === undefined) return this.setStatus(this.t('scenario.noHints'));
    const to = resolveHint(h.target, {
      connections: this.store.snapshot?.connections ?? [], shown: this.rows(), listeners: this.listeners(),
      counterGroups: this.counterGroups(), knobs: this.knobs(), faultIds: this.faultRules().map((r) => r.rule.id),
      findEvent: (seq) => this.store.findEvent(seq),
    });
    const leave = { detail: false, explain: false };
    switch (to.kind) {
      case 'gone': return this.setStatus(this.t('result.hintGone', { where: h.where }), 'error');
      case 'trace':
        // It has gone: its events are still in the trace.
        this.state = { ...this.state, ...leave, view: 'trace', selectedConn: to.conn, traceConnOnly: true, traceFrozen: null };
        this.set({ highlight: h.target });
        return this.setStatus(this.t('result.hintGoneTrace', { where: h.where, text: h.text }));
      case 'connection': {
        if (to.clearFilter) this.state = { ...this.state, filter: EMPTY_FILTER };
        this.state = { ...this.state, ...leave, view: 'connections', detail: to.detail };
        this.selectConn(to.conn, Math.max(0, this.rows().findIndex((r) => r.id === to.conn)));
        if (to.detail) this.store.select(to.conn);
        break;
      }
      case 'list':
        this.state = { ...this.state, ...leave, view: to.view, cursor: { ...this.state.cursor, [to.view]: to.index } };
        break;
      case 'stay': break;
      default: {
        const never: never = to;
        throw new Error(`unknown jump ${JSON.stringify(never)}`);
      }
    }
    this.set({ highlight: h.target, hintIndex: (i + 1) % Math.max(1, this.hints().length) });
    this.setStatus(this.t('result.hint', { key: h.key, where: h.where, text: h.text }));
  }

  private onMoveKey(k: KeyPress): boolean {
    const list = this.currentList();
    const page = Math.max(1, this.pageSize[list] - 1);
    if (k.up || k.input === 'k') this.move(list, -1);
    else if (k.down || k.input === 'j') this.move(list, 1);
    else if (k.pageUp) this.move(list, -page);
    else if (k.pageDown) this.move(list, page);
    else if (k.home || k.input === 'g') this.move(list, 'home');
    else if (k.end || k.input === 'G') this.move(list, 'end');
    else return false;
    return true;
  }

  private onConnectionKey(k: KeyPress): boolean {
    switch (k.input) {
      case 'c': void this.onSelected('close'); return true;
      case 'R': this.askReset(); return true;
      case 'h': void this.onSelected('shutdown'); return true;
      case 'w': {
        const row = this.selectedRow();
        if (row === null) this.setStatus(this.t('result.noSelection'), 'error');
        else this.openPrompt('send', { conn: row.id });
        return true;
      }
      case 'r': this.set({ relative: !this.state.relative }); return true;
      default: return false;
    }
  }

  private onConnectionsKey(k: KeyPress): void {
    if (this.onConnectionKey(k)) return;
    if (k.enter) {
      if (this.selectedRow() !== null) this.set({ detail: true });
      return;
    }
    switch (k.input) {
      case '/': this.openPrompt('filter', { value: this.state.filter.source }); return;
      case 's': {
        const i = this.state.sort === null ? -1 : SORT_CYCLE.indexOf(this.state.sort.column as (typeof SORT_CYCLE)[number]);
        const column = SORT_CYCLE[(i + 1) % SORT_CYCLE.length];
        this.set({ sort: { column, dir: 'asc' } });
        return;
      }
      case 'S': {
        const s = this.state.sort ?? { column: 'id', dir: 'asc' as const };
        this.set({ sort: { column: s.column, dir: s.dir === 'asc' ? 'desc' : 'asc' } });
        return;
      }
      default:
    }
  }

  private onDetailKey(k: KeyPress): void {
    this.onConnectionKey(k);
  }

  private selectedListener(): ListenerView | null {
    const ls = this.listeners();
    return ls[Math.min(this.state.cursor.listeners, ls.length - 1)] ?? null;
  }

  private onListenersKey(k: KeyPress): void {
    if (!['p', 'a', 'x'].includes(k.input)) return;
    const l = this.selectedListener();
    if (l === null) return this.setStatus(this.t('result.noListener'), 'error');
    const listener = l.id;
    switch (k.input) {
      case 'p':
        if (l.paused) void this.run('resumeAccept', this.store.client.call('resumeAccept', { listener }), () => this.t('result.resumed', { listener }));
        else void this.run('pauseAccept', this.store.client.call('pauseAccept', { listener }), () => this.t('result.paused', { listener }));
        return;
      case 'a':
        void this.run('accept', this.store.client.call('accept', { listener }), (v) =>
          v.conn === null ? this.t('result.acceptEmpty', { listener }) : this.t('result.accepted', { conn: v.conn, listener }));
        return;
      case 'x':
        void this.run('unlisten', this.store.client.call('unlisten', { listener }), () => this.t('result.unlistened', { listener }));
        return;
      default:
    }
  }

  private onKnobsKey(k: KeyPress): void {
    if (!k.enter && k.input !== 'e') return;
    const knobs = this.knobs();
    const knob = knobs[Math.min(this.state.cursor.knobs, knobs.length - 1)];
    if (knob !== undefined) this.openPrompt('knob', { knob: knob.name, value: String(knob.value) });
  }

  private onFaultsKey(k: KeyPress): void {
    if (k.input === 'a') return this.openPrompt('fault');
    if (k.input !== 'd' && !k.del) return;
    const rules = this.faultRules();
    const r = rules[Math.min(this.state.cursor.faults, rules.length - 1)];
    const id = r?.rule.id;
    if (id === undefined) return this.setStatus(this.t('faults.none'), 'error');
    void this.run('faultRemove', this.store.client.call('faultRemove', { id }), () => this.t('result.faultRemoved', { id }));
  }

  private onCountersKey(k: KeyPress): void {
    if (k.input === 'z') {
      this.store.zeroCounters();
      this.setStatus(this.t('result.zeroed'), 'ok');
    }
  }

  private onTraceKey(k: KeyPress): void {
    if (k.input === ' ') {
      const frozen = this.state.traceFrozen === null ? this.store.recentEvents(1000) : null;
      this.set({ traceFrozen: frozen });
      this.setStatus(frozen === null ? this.t('trace.resumed') : this.t('trace.paused'));
    } else if (k.input === 't') {
      this.set({ traceConnOnly: !this.state.traceConnOnly });
    } else if (k.input === 'C') {
      void this.run('clearHistory', this.store.client.call('clearHistory'), () => this.t('result.historyCleared'));
    }
  }

  // --- prompts ------------------------------------------------------------------------------

  private openPrompt(kind: PromptKind, extra: Partial<PromptState> = {}): void {
    this.set({ prompt: { kind, value: '', error: null, ...extra } });
  }

  private onPromptKey(k: KeyPress): void {
    const p = this.state.prompt;
    if (p === null) return;
    if (k.escape) return this.set({ prompt: null });
    if (k.enter) return void this.submit(p);
    if (k.backspace || k.del) return this.set({ prompt: { ...p, value: p.value.slice(0, -1), error: null } });
    if (k.ctrl && k.input === 'u') return this.set({ prompt: { ...p, value: '', error: null } });
    if (k.ctrl || k.input === '' || k.tab || k.up || k.down) return;
    // Typed text (or a paste); control characters are left out.
    const text = [...k.input].filter((ch) => ch >= ' ' && ch !== '\x7f').join('');
    if (text !== '') this.set({ prompt: { ...p, value: p.value + text, error: null } });
  }

  private promptError(p: PromptState, error: string): void {
    this.set({ prompt: { ...p, error } });
  }

  private async submit(p: PromptState): Promise<void> {
    switch (p.kind) {
      case 'filter': {
        const f = parseFilter(p.value);
        if (!f.ok) return this.promptError(p, f.error);
        this.set({ filter: f.filter, prompt: null, scroll: { ...this.state.scroll, connections: 0 } });
        return;
      }
      case 'listen': {
        const a = parseListenInput(p.value);
        if (!a.ok) return this.promptError(p, a.error);
        this.set({ prompt: null });
        await this.run('listen', this.store.client.call('listen', a.value), (v) =>
          this.t('result.listening', { port: v.port, listener: v.listener, responder: a.value.responder ?? 'echo' }));
        return;
      }
      case 'connect': {
        const a = parseConnectInput(p.value, this.store.snapshot?.info.kernelAddr ?? '10.77.0.1');
        if (!a.ok) return this.promptError(p, a.error);
        this.set({ prompt: null });
        await this.run('connect', this.store.client.call('connect', a.value), (v) => this.t('result.connecting', { addr: a.value.addr, port: a.value.port, conn: v.conn }));
        return;
      }
      case 'send': {
        const conn = p.conn ?? -1;
        this.set({ prompt: null });
        await this.run('send', this.store.client.call('send', { conn, data: `${p.value}\n` }), (v) => this.t('result.sent', { n: v.written, conn }));
        return;
      }
      case 'knob':
      case 'knobByName': {
        let name = p.knob ?? '';
        let text = p.value;
        if (p.kind === 'knobByName') {
          const a = parseKnobAssignment(p.value);
          if (!a.ok) return this.promptError(p, a.error);
          ({ name, value: text } = a.value);
        }
        const info = this.store.knobInfo.find((k) => k.name === name);
        const v = parseKnobInput(info, text, this.state.lang, name);
        if (!v.ok) return this.promptError(p, v.message);
        this.set({ prompt: null });
        await this.run('setKnob', this.store.client.call('setKnob', { name, value: v.value }), (r) => this.t('result.knob', { name: r.name, value: r.value }));
        return;
      }
      case 'fault': {
        const f = parseFaultInput(p.value);
        if (!f.ok) return this.promptError(p, f.error);
        const r = await this.store.client.call('faultAdd', { rule: f.rule });
        if (!r.ok && r.error.code === 'EROFS') {
          this.set({ prompt: null });
          return this.setStatus(this.errorText('faultAdd', r.error), 'error');
        }
        if (!r.ok) return this.promptError(p, `${r.error.field ? `${r.error.field}: ` : ''}${r.error.message.replace(/^[\w.]+: /, '')}`);
        this.set({ prompt: null });
        this.setStatus(this.t('result.faultAdded', { id: r.value.id }), 'ok');
        return;
      }
      case 'pcapSave': {
        this.set({ prompt: null });
        await this.savePcap(p.value.trim() || this.defaultPcapName());
        return;
      }
      default: {
        const never: never = p.kind;
        throw new Error(`unknown prompt ${String(never)}`);
      }
    }
  }

  // --- confirmations ------------------------------------------------------------------------

  private askReset(): void {
    const row = this.selectedRow();
    if (row === null) return this.setStatus(this.t('result.noSelection'), 'error');
    this.set({ confirm: { kind: 'reset', conn: row.id } });
  }

  private onConfirmKey(k: KeyPress): void {
    const c = this.state.confirm;
    if (c === null) return;
    this.set({ confirm: null });
    if (k.input === 'y' || k.input === 'Y') {
      void this.run('reset', this.store.client.call('reset', { conn: c.conn }), () => this.t('result.reset', { conn: c.conn }));
    } else {
      this.setStatus(this.t('result.resetCancelled'));
    }
  }

  // --- actions ------------------------------------------------------------------------------

  private async onSelected(action: 'close' | 'shutdown'): Promise<void> {
    const row = this.selectedRow();
    if (row === null) return this.setStatus(this.t('result.noSelection'), 'error');
    const conn = row.id;
    await this.run(action, this.store.client.call(action, { conn }), () => this.t(action === 'close' ? 'result.closed' : 'result.shutdown', { conn }));
  }

  private async togglePcap(): Promise<void> {
    if (this.store.snapshot?.pcap.running) {
      await this.run('pcapStop', this.store.client.call('pcapStop'), (v) => this.t('result.pcapStopped', { packets: v.packets, bytes: v.bytes }));
    } else {
      await this.run('pcapStart', this.store.client.call('pcapStart'), () => this.t('result.pcapStarted'));
    }
  }

  private defaultPcapName(): string {
    const d = (this.opts.date ?? (() => new Date()))();
    const p2 = (n: number): string => String(n).padStart(2, '0');
    return `tcplab-${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}-${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}.pcap`;
  }

  private async savePcap(path: string): Promise<void> {
    const write = this.opts.writeFile;
    if (write === undefined) return this.setStatus(this.t('result.error', { action: 'pcapExport', message: this.t('result.noFiles') }), 'error');
    const r = await this.store.client.call('pcapExport');
    if (!r.ok) return this.setStatus(this.t('result.error', { action: 'pcapExport', message: r.error.message }), 'error');
    try {
      await write(path, Buffer.from(r.value.pcap, 'base64'));
      this.setStatus(this.t('result.pcapSaved', { path, packets: r.value.packets, bytes: r.value.bytes }), 'ok');
    } catch (err) {
      this.setStatus(this.t('result.error', { action: 'pcapExport', message: err instanceof Error ? err.message : String(err) }), 'error');
    }
  }

  /** Runs a call and reports its result (or its error, with the field at fault) in the status line. */
  private async run<T>(action: string, call: Promise<Result<T>>, ok: (value: T) => string): Promise<void> {
    const r = await call;
    if (r.ok) this.setStatus(ok(r.value), 'ok');
    else this.setStatus(this.errorText(action, r.error), 'error');
  }

  /** An error as the status line says it: a replay's refusal and a lab without time control plainly. */
  private errorText(action: string, e: ApiError): string {
    // 'EROFS' (a read-only replay) is proposed for core/api's ErrorCode (requests.md).
    if (e.code === 'EROFS') return this.t('result.readOnly', { action, message: e.message });
    if (e.code === 'ENOMETHOD' && (action === 'timeControl' || action === 'timeStep')) return this.t('result.timeUnsupported', { message: e.message });
    return this.t('result.error', { action, message: e.message });
  }
}
