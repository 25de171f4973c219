// Snapshot diffs: what changed between two snapshots, as plain data, and how to apply it.
// Rows are keyed by id and kept sorted by id; records (counters, knobs) send changed keys only;
// the small parts (info, faults, pcap, scenario) are sent whole when they changed.
import type { ConnectionRow, LabInfo, ListenerRow, PcapStatus, ScenarioStatus, Snapshot } from './snapshot.ts';
import type { FaultStatus } from './fault-schemas.ts';

export interface TableDiff<R> {
  upsert: R[];
  remove: number[];
}

export interface RecordDiff<V> {
  set: Record<string, V>;
  remove: string[];
}

export interface SnapshotDiff {
  from: number;                 // the version this diff applies to
  version: number;
  at: number;
  lastEventSeq: number;
  connections?: TableDiff<ConnectionRow>;
  listeners?: TableDiff<ListenerRow>;
  counters?: RecordDiff<number>;
  knobs?: RecordDiff<number | string>;
  info?: LabInfo;
  faults?: FaultStatus;
  pcap?: PcapStatus;
  scenario?: ScenarioStatus | null;
}

export type SnapshotMessage =
  /** `now`: the lab's time when it was sent (backend.ts labTime()); `snapshot.at` may be older. */
  | { kind: 'full'; snapshot: Snapshot; now?: number }
  | { kind: 'diff'; diff: SnapshotDiff };

const jsonCache = new WeakMap<object, string>();

function json(value: object): string {
  let s = jsonCache.get(value);
  if (s === undefined) {
    s = JSON.stringify(value);
    jsonCache.set(value, s);
  }
  return s;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return json(a) === json(b);
}

function diffTable<R extends { id: number }>(before: readonly R[], after: readonly R[]): TableDiff<R> | undefined {
  const old = new Map<number, R>();
  for (const row of before) old.set(row.id, row);
  const upsert: R[] = [];
  for (const row of after) {
    const prev = old.get(row.id);
    if (prev === undefined || !same(prev, row)) upsert.push(row);
    old.delete(row.id);
  }
  const remove = [...old.keys()];
  return upsert.length === 0 && remove.length === 0 ? undefined : { upsert, remove };
}

function diffRecord<V>(before: Record<string, V>, after: Record<string, V>): RecordDiff<V> | undefined {
  const set: Record<string, V> = {};
  let changed = false;
  for (const [k, val] of Object.entries(after)) {
    if (!Object.hasOwn(before, k) || before[k] !== val) {
      set[k] = val;
      changed = true;
    }
  }
  const remove = Object.keys(before).filter((k) => !Object.hasOwn(after, k));
  return changed || remove.length > 0 ? { set, remove } : undefined;
}

/** The diff from `a` to `b`, or null when they are the same. */
export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff | null {
  const d: SnapshotDiff = { from: a.version, version: b.version, at: b.at, lastEventSeq: b.lastEventSeq };
  let changed = a.version !== b.version || a.at !== b.at || a.lastEventSeq !== b.lastEventSeq;
  const put = <K extends keyof SnapshotDiff>(key: K, value: SnapshotDiff[K] | undefined): void => {
    if (value === undefined) return;
    d[key] = value;
    changed = true;
  };
  put('connections', diffTable(a.connections, b.connections));
  put('listeners', diffTable(a.listeners, b.listeners));
  put('counters', diffRecord(a.counters, b.counters));
  put('knobs', diffRecord(a.knobs, b.knobs));
  if (!same(a.info, b.info)) put('info', b.info);
  if (!same(a.faults, b.faults)) put('faults', b.faults);
  if (!same(a.pcap, b.pcap)) put('pcap', b.pcap);
  if (!same(a.scenario, b.scenario)) put('scenario', b.scenario);
  return changed ? d : null;
}

function applyTable<R extends { id: number }>(rows: readonly R[], diff: TableDiff<R> | undefined): R[] {
  if (diff === undefined) return rows as R[];
  const byId = new Map<number, R>();
  for (const row of rows) byId.set(row.id, row);
  for (const id of diff.remove) byId.delete(id);
  for (const row of diff.upsert) byId.set(row.id, row);
  return [...byId.values()].sort((x, y) => x.id - y.id);
}

function applyRecord<V>(rec: Record<string, V>, diff: RecordDiff<V> | undefined): Record<string, V> {
  if (diff === undefined) return rec;
  const out: Record<string, V> = { ...rec, ...diff.set };
  for (const k of diff.remove) delete out[k];
  return out;
}

/** A new snapshot: `s` with `d` applied (the inputs are not modified). */
export function applySnapshotDiff(s: Snapshot, d: SnapshotDiff): Snapshot {
  return {
    version: d.version,
    at: d.at,
    lastEventSeq: d.lastEventSeq,
    info: d.info ?? s.info,
    connections: applyTable(s.connections, d.connections),
    listeners: applyTable(s.listeners, d.listeners),
    counters: applyRecord(s.counters, d.counters),
    knobs: applyRecord(s.knobs, d.knobs),
    faults: d.faults ?? s.faults,
    pcap: d.pcap ?? s.pcap,
    scenario: d.scenario === undefined ? s.scenario : d.scenario,
  };
}

/** The client's view after a stream message; a diff needs the snapshot it was made from. */
export function applySnapshotMessage(current: Snapshot | null, msg: SnapshotMessage): Snapshot {
  switch (msg.kind) {
    case 'full':
      return msg.snapshot;
    case 'diff':
      if (current === null || current.version !== msg.diff.from) {
        throw new Error(`snapshot diff from version ${msg.diff.from} does not apply to ${current?.version ?? 'nothing'}`);
      }
      return applySnapshotDiff(current, msg.diff);
    default: {
      const never: never = msg;
      throw new Error(`unknown snapshot message ${JSON.stringify(never)}`);
    }
  }
}
