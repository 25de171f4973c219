// The page's copy of the lab: the snapshot kept current from the stream, a bounded ring of
// recent events (the live trace, the detail views), short histories for the sparklines, and
// the UI's own state (view, selection, language, theme, the hint jumped to). Components read it
// with useStore. Lab time is followed as the lab says it runs: it stands still while the lab is
// paused (or a replay is not playing), so countdowns stop with it.
import type { LabClient } from '../../../core/api/client.ts';
import type { Method, ResultOf, ScenarioInfo } from '../../../core/api/contract.ts';
import type { ApiError, Result } from '../../../core/api/errors.ts';
import type { LabEvent } from '../../../core/api/events.ts';
import { eventConn } from '../../../core/api/events.ts';
import type { ConnectionRow, ScenarioHintTarget, Snapshot } from '../../../core/api/snapshot.ts';
import { applySnapshotDiff, applySnapshotMessage, type SnapshotDiff, type SnapshotMessage } from '../../../core/api/snapshot-diff.ts';
import { translate, type Lang } from '../i18n.ts';
import { LabClock } from '../../../core/api/views/clock.ts';
import type { ViewContext } from '../../../core/api/views/columns.ts';
import { replayOf } from '../../../core/api/views/lab-extras.ts';
import { hintViews, type HintView } from '../../../core/api/views/scenario.ts';
import { hintMarks, type HintMarks } from './hints.ts';

export type View = 'connections' | 'listeners' | 'counters' | 'knobs' | 'faults' | 'pcap' | 'console' | 'scenarios';
export const VIEWS: View[] = ['connections', 'listeners', 'counters', 'knobs', 'faults', 'pcap', 'console', 'scenarios'];
export type Theme = 'dark' | 'light';

export const EVENT_RING = 20_000;
export const SPARK_POINTS = 90;
/** Last rows of connections that have gone, kept for their detail (a hint may point at one). */
export const GONE_ROWS = 2000;

export interface QueueHistory {
  syn: number[];
  accept: number[];
  drops: number[];
}

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export interface UiState {
  view: View;
  selected: number | null;          // connection shown in the detail pane
  lang: Lang;
  theme: Theme;
  toasts: Toast[];
  /** The hint target the user jumped to last: drawn highlighted until another is chosen or Esc. */
  highlight: ScenarioHintTarget | null;
  /** Grows with every jump (the page scrolls the highlighted element into view once per jump). */
  jumpSeq: number;
}

type Listener = () => void;

export class LabStore {
  snapshot: Snapshot | null = null;
  status: 'connecting' | 'open' | 'closed' = 'connecting';
  closedReason = '';
  events: LabEvent[] = [];
  eventsMissed = 0;
  /** Per listener id: SYN / accept queue lengths and drops, one point per snapshot. */
  readonly queueHistory = new Map<number, QueueHistory>();
  /** performance.now() when each connection's row last changed (for local countdowns). */
  readonly rowStamp = new Map<number, number>();
  /** The last row seen of each connection that has gone (bounded), so the detail pane can still show it. */
  readonly goneRows = new Map<number, ConnectionRow>();
  /** Connections never seen in a snapshot whose rows were rebuilt from their history (lab/ghost-row.ts). */
  readonly ghosts = new Set<number>();
  /** The lab's guided scenarios (scenarioList), loaded once connected. */
  scenarios: ScenarioInfo[] = [];
  /**
   * Grows when the event stream goes back (a replay started over): what was seen is the future
   * again, so views that keep a connection's history fetch it anew.
   */
  epoch = 0;
  private newestSeq = 0;
  ui: UiState;
  /** The lab time now, estimated from the newest lab time seen, standing still while lab time does (countdowns run against it). */
  readonly clock = new LabClock();
  /** Grows with every change; components compare it to decide whether to re-render. */
  version = 0;
  private readonly listeners = new Set<Listener>();
  private readonly eventListeners = new Set<(batch: LabEvent[]) => void>();
  private nextToast = 1;
  private pending = false;

  constructor(public client: LabClient | null, ui?: Partial<UiState>) {
    this.ui = { view: 'connections', selected: null, lang: 'en', theme: 'dark', toasts: [], highlight: null, jumpSeq: 0, ...ui };
  }

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  onEvents(l: (batch: LabEvent[]) => void): () => void {
    this.eventListeners.add(l);
    return () => this.eventListeners.delete(l);
  }

  getVersion = (): number => this.version;

  /** Notifies once per animation frame at most, however many messages arrived. */
  changed(): void {
    this.version++;
    if (this.pending) return;
    this.pending = true;
    const flush = (): void => {
      this.pending = false;
      for (const l of this.listeners) l();
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
    else queueMicrotask(flush);
  }

  setUi(patch: Partial<UiState>): void {
    this.ui = { ...this.ui, ...patch };
    this.changed();
  }

  /** Asks the lab for a full snapshot again (set by startStreams). */
  resync: (() => void) | null = null;

  applySnapshot(msg: SnapshotMessage): void {
    const before = this.snapshot;
    if (msg.kind === 'diff' && (before === null || before.version !== msg.diff.from)) {
      // A diff from another version than ours: our copy is stale; start again from a full snapshot.
      this.resync?.();
      return;
    }
    this.snapshot = msg.kind === 'diff' && before !== null ? applyDiffFast(before, msg.diff) : applySnapshotMessage(this.snapshot, msg);
    this.stampRows(before, msg);
    this.clock.follow(this.snapshot, performance.now(), msg.kind === 'full' ? msg.now : undefined);
    // A scenario starts: the highlight of an earlier one's hint goes.
    const sc = this.snapshot.scenario;
    if (sc?.running === true && !(before?.scenario?.running === true && before.scenario.name === sc.name) && this.ui.highlight !== null) {
      this.ui = { ...this.ui, highlight: null };
    }
    this.status = 'open';
    for (const l of this.snapshot.listeners) {
      let h = this.queueHistory.get(l.id);
      if (h === undefined) this.queueHistory.set(l.id, (h = { syn: [], accept: [], drops: [] }));
      push(h.syn, l.synQueue);
      push(h.accept, l.acceptQueue);
      push(h.drops, (l.drops?.syn ?? 0) + (l.drops?.accept ?? 0));
    }
    for (const id of this.queueHistory.keys()) {
      if (!this.snapshot.listeners.some((l) => l.id === id)) this.queueHistory.delete(id);
    }
    this.changed();
  }

  private stampRows(before: Snapshot | null, msg: SnapshotMessage): void {
    const now = performance.now();
    if (msg.kind === 'full') {
      for (const r of msg.snapshot.connections) this.rowStamp.set(r.id, now);
    } else if (msg.diff.connections !== undefined) {
      for (const r of msg.diff.connections.upsert) this.rowStamp.set(r.id, now);
      for (const id of msg.diff.connections.remove) this.rowStamp.delete(id);
    }
    if (before === null) return;
    // Keep the last row of each connection that goes away (the detail and hints may want it).
    const removed = msg.kind === 'diff' ? msg.diff.connections?.remove ?? [] : goneIds(before, this.snapshot);
    for (const id of removed) {
      const i = indexOf(before.connections, id);
      if (i >= 0) this.goneRows.set(id, before.connections[i]);
    }
    if (this.goneRows.size > GONE_ROWS) {
      for (const id of this.goneRows.keys()) {
        if (this.goneRows.size <= GONE_ROWS) break;
        if (id !== this.ui.selected) {
          this.goneRows.delete(id);
          this.ghosts.delete(id);
        }
      }
    }
  }

  /** The lab time now, as well as the page can tell (standing still while lab time does). */
  labNow(): number {
    return this.clock.labNow(performance.now());
  }

  /** The running (or last) scenario's hints, with their keys, in the page's language. */
  hints(): HintView[] {
    const hints = this.snapshot?.scenario?.hints;
    if (hints === undefined || hints.length === 0) return [];
    if (this.hintsMemo?.hints !== hints || this.hintsMemo.lang !== this.ui.lang) this.hintsMemo = { hints, lang: this.ui.lang, views: hintViews(hints, this.ui.lang) };
    return this.hintsMemo.views;
  }

  private hintsMemo: { hints: unknown; lang: Lang; views: HintView[] } | null = null;
  private marksMemo: { hints: HintView[]; highlight: ScenarioHintTarget | null; marks: HintMarks } | null = null;

  /** What the current hints point at (with their keys), and which one the user jumped to. */
  hintMarks(): HintMarks {
    const hints = this.hints();
    const { highlight } = this.ui;
    const m = this.marksMemo;
    if (m !== null && m.hints === hints && m.highlight === highlight) return m.marks;
    const marks = hintMarks(hints, highlight);
    this.marksMemo = { hints, highlight, marks };
    return marks;
  }

  /** The selected connection's row: live, or the last seen if it has gone. */
  rowOf(id: number): { row: ConnectionRow; gone: boolean } | null {
    const live = this.snapshot?.connections.find((r) => r.id === id);
    if (live !== undefined) return { row: live, gone: false };
    const last = this.goneRows.get(id);
    return last === undefined ? null : { row: last, gone: true };
  }

  addEvents(batch: LabEvent[]): void {
    for (const e of batch) {
      if (e.seq <= this.newestSeq) {
        // Events going back: a replay started over. What was seen is the future now.
        this.events = [];
        this.epoch++;
      }
      this.newestSeq = e.seq;
      this.events.push(e);
    }
    if (batch.length > 0 && !this.clock.frozen && replayOf(this.snapshot?.info ?? null) === null) {
      this.clock.observe(batch[batch.length - 1].at, performance.now(), this.snapshot?.info.timeScale);
    }
    if (this.events.length > EVENT_RING) this.events.splice(0, this.events.length - EVENT_RING);
    for (const l of this.eventListeners) l(batch);
    this.changed();
  }

  /**
   * The event stream fell behind: `missed` events are gone. Its snapshot is not taken: the
   * snapshot stream owns the store's copy (its next diff is made from the version it sent us).
   */
  gap(missed: number): void {
    this.eventsMissed += missed;
    this.changed();
  }

  /** What the shared column formatters need: language, lab time now, the snapshot's time. */
  viewContext(): ViewContext {
    return { lang: this.ui.lang, now: this.labNow(), snapshotAt: this.snapshot?.at ?? 0 };
  }

  /** The event with this seq, if the page still has it. */
  findEvent(seq: number): LabEvent | null {
    let lo = 0;
    let hi = this.events.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.events[mid].seq;
      if (v === seq) return this.events[mid];
      if (v < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  async loadScenarios(): Promise<void> {
    const r = await this.call('scenarioList', {}, { quiet: true });
    if (r.ok && Array.isArray(r.value.scenarios)) {
      this.scenarios = r.value.scenarios;
      this.changed();
    }
  }

  eventsOf(conn: number): LabEvent[] {
    return this.events.filter((e) => eventConn(e) === conn);
  }

  disconnected(reason: string): void {
    this.status = 'closed';
    this.closedReason = reason;
    this.changed();
  }

  toast(kind: Toast['kind'], text: string): void {
    const t = { id: this.nextToast++, kind, text };
    this.setUi({ toasts: [...this.ui.toasts.slice(-3), t] });
    setTimeout(() => this.setUi({ toasts: this.ui.toasts.filter((x) => x.id !== t.id) }), kind === 'error' ? 8000 : 4000);
  }

  /** Calls the lab; a refusal is returned (for forms) and, unless quiet, shown as a toast. */
  async call<M extends Method>(method: M, args?: unknown, opts: { quiet?: boolean } = {}): Promise<Result<ResultOf<M>>> {
    if (this.client === null) return { ok: false, error: { code: 'ECLOSED', message: 'not connected to a lab' } };
    const call = this.client.call as (m: Method, a?: unknown) => Promise<Result<ResultOf<M>>>;
    const r = await call(method, args);
    if (!r.ok && !opts.quiet) {
      // A replay refuses every command: say so plainly, with the lab's own words.
      this.toast('error', r.error.code === 'EROFS' ? translate(this.ui.lang, 'replay.refused', { message: r.error.message }) : describeError(r.error));
    }
    return r;
  }
}

export function describeError(e: ApiError): string {
  return `${e.code}: ${e.message}`;
}

/**
 * applySnapshotDiff (core/api) without its rebuild and sort of every row: rows stay sorted by id,
 * so an update replaces a row in place, a new id (nearly always the highest) is inserted where
 * it belongs, and removals filter once. The same result, in O(rows) copying instead of
 * O(rows log rows) per diff: with 10,000 connections this is what keeps frames short.
 */
export function applyDiffFast(s: Snapshot, d: SnapshotDiff): Snapshot {
  const out = applySnapshotDiff({ ...s, connections: [] }, { ...d, connections: undefined });
  out.connections = d.connections === undefined ? s.connections : patchRows(s.connections, d.connections.upsert, d.connections.remove);
  return out;
}

function indexOf(rows: readonly ConnectionRow[], id: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = rows[mid].id;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

export function patchRows(rows: readonly ConnectionRow[], upsert: readonly ConnectionRow[], remove: readonly number[]): ConnectionRow[] {
  let out = rows.slice();
  const added: ConnectionRow[] = [];
  for (const r of upsert) {
    const i = indexOf(out, r.id);
    if (i >= 0) out[i] = r;
    else added.push(r);
  }
  if (remove.length > 0) {
    const gone = new Set(remove);
    out = out.filter((r) => !gone.has(r.id));
  }
  for (const r of added.sort((a, b) => a.id - b.id)) {
    const i = indexOf(out, r.id);
    if (i >= 0) out[i] = r;
    else out.splice(-(i + 1), 0, r);
  }
  return out;
}

/** Ids in `before` that are not in `after` (both sorted by id). */
function goneIds(before: Snapshot, after: Snapshot | null): number[] {
  if (after === null) return [];
  const out: number[] = [];
  for (const r of before.connections) if (indexOf(after.connections, r.id) < 0) out.push(r.id);
  return out;
}

function push(a: number[], v: number): void {
  a.push(v);
  if (a.length > SPARK_POINTS) a.shift();
}

/** Starts the streams of a connected client into the store. */
export async function startStreams(store: LabStore, client: LabClient): Promise<void> {
  store.client = client;
  void client.closed.then((reason) => store.disconnected(reason));
  let snaps = await client.subscribeSnapshots({ rate: 20 }, (msg) => store.applySnapshot(msg));
  if (!snaps.ok) throw new Error(describeError(snaps.error));
  let resyncing = false;
  store.resync = () => {
    if (resyncing || !snaps.ok) return;
    resyncing = true;
    snaps.value.close();
    void client.subscribeSnapshots({ rate: 20 }, (msg) => store.applySnapshot(msg)).then((r) => {
      snaps = r;
      resyncing = false;
    });
  };
  // Gaps without a snapshot: the snapshot stream keeps the page's current.
  const events = await client.subscribeEvents({ gapSnapshot: false }, (msg) => {
    if (msg.kind === 'events') store.addEvents(msg.events);
    else store.gap(msg.missed);
  });
  if (!events.ok) throw new Error(describeError(events.error));
  void store.loadScenarios();
}
