// The page's copy of the lab (renderer/src/lab/store.ts): diffs patched in place give exactly
// what core/api's applySnapshotDiff gives; a diff from another version asks for a full snapshot
// again instead of failing; an event gap never replaces the snapshot stream's copy; the last rows
// of connections that go are kept; lab time stands still while the lab is paused; a replay that
// starts over empties the event ring; a scenario that starts clears an old highlight.
import { describe, expect, it } from 'vitest';
import type { ConnectionRow, Snapshot } from '../../core/api/snapshot.ts';
import { applySnapshotDiff, diffSnapshots } from '../../core/api/snapshot-diff.ts';
import { realTimers } from '../../core/api/timers.ts';
import { LabStore, applyDiffFast, patchRows } from '../../renderer/src/lab/store.ts';
import { FakeLab } from '../core/api/fake-lab.ts';

function lab(): FakeLab {
  const l = new FakeLab(realTimers);
  const { listener } = l.handlers.listen({ port: 80, backlog: 8, responder: 'echo' }) as { listener: number };
  for (let i = 0; i < 6; i++) l.incoming(listener);
  return l;
}

const row = (id: number): ConnectionRow => ({ id } as ConnectionRow);

describe('LabStore', () => {
  it('patches rows in place, keeping them sorted by id', () => {
    const rows = [1, 3, 5, 7].map(row);
    const out = patchRows(rows, [row(4), { ...row(5), state: 'CLOSE-WAIT' } as ConnectionRow, row(9), row(0)], [3]);
    expect(out.map((r) => r.id)).toEqual([0, 1, 4, 5, 7, 9]);
    expect(out[3].state).toBe('CLOSE-WAIT');
    expect(rows.map((r) => r.id)).toEqual([1, 3, 5, 7]);
  });

  it('applies diffs exactly as applySnapshotDiff does', () => {
    const l = lab();
    const a = structuredClone(l.snapshot());
    l.handlers.reset({ conn: 2 });
    l.handlers.connect({ addr: '10.77.0.1', port: 8080, responder: 'manual' });
    l.churn();
    const b = structuredClone(l.snapshot());
    const d = diffSnapshots(a, b);
    expect(d).not.toBeNull();
    expect(applyDiffFast(a, d!)).toEqual(applySnapshotDiff(a, d!));
  });

  it('resyncs on a diff from another version, and keeps its copy on an event gap', () => {
    const l = lab();
    const store = new LabStore(null);
    let resyncs = 0;
    store.resync = () => { resyncs++; };
    const s1: Snapshot = structuredClone(l.snapshot());
    store.applySnapshot({ kind: 'full', snapshot: s1 });
    l.churn();
    const s2 = structuredClone(l.snapshot());
    const d = diffSnapshots(s1, s2)!;
    expect(() => store.applySnapshot({ kind: 'diff', diff: { ...d, from: d.from - 1 } })).not.toThrow();
    expect(resyncs).toBe(1);
    expect(store.snapshot?.version).toBe(s1.version);
    store.gap(17);
    expect(store.eventsMissed).toBe(17);
    expect(store.snapshot?.version).toBe(s1.version);
    store.applySnapshot({ kind: 'diff', diff: d });
    expect(store.snapshot?.version).toBe(s2.version);
  });

  it('keeps the last row of each connection that goes, and the event ring starts over when a replay does', () => {
    const l = lab();
    const store = new LabStore(null);
    const s1 = structuredClone(l.snapshot());
    store.applySnapshot({ kind: 'full', snapshot: s1 });
    l.handlers.reset({ conn: 2 });
    l.churn();
    const s2 = structuredClone(l.snapshot());
    store.applySnapshot({ kind: 'diff', diff: diffSnapshots(s1, s2)! });
    expect(s2.connections.some((r) => r.id === 2)).toBe(false);
    expect(store.rowOf(2)).toMatchObject({ gone: true, row: { id: 2 } });
    const ev = (seq: number) => ({ seq, at: seq, kind: 'lab', topic: 'knob', message: 'x' }) as const;
    store.addEvents([ev(5), ev(6), ev(7)]);
    expect(store.epoch).toBe(0);
    store.addEvents([ev(1), ev(2)]);
    expect(store.epoch).toBe(1);
    expect(store.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(store.findEvent(2)?.seq).toBe(2);
    expect(store.findEvent(6)).toBeNull();
  });

  it('lab time stands still while the lab is paused, and a starting scenario clears the highlight', async () => {
    const l = lab();
    const store = new LabStore(null, { highlight: { kind: 'knob', name: 'msl' } });
    const base = structuredClone(l.snapshot());
    const paused: Snapshot = { ...base, version: base.version + 1, at: 1000, info: { ...base.info, time: { paused: true, scale: 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null } } };
    store.applySnapshot({ kind: 'full', snapshot: paused });
    const t0 = store.labNow();
    await new Promise((r) => setTimeout(r, 60));
    expect(store.labNow()).toBe(t0);
    const running: Snapshot = { ...paused, version: paused.version + 1, info: { ...paused.info, time: { ...paused.info.time!, paused: false } }, scenario: { name: 'close', running: true, step: 'start' } };
    store.applySnapshot({ kind: 'full', snapshot: running });
    await new Promise((r) => setTimeout(r, 60));
    expect(store.labNow()).toBeGreaterThan(t0);
    expect(store.ui.highlight).toBeNull();
  });
});
