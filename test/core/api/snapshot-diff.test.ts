// Snapshot diffs: applying diff(a, b) to a gives b, for seeded random changes of every part.
import { describe, expect, it } from 'vitest';
import type { ConnectionRow, ListenerRow, Snapshot } from '../../../core/api/snapshot.ts';
import { applySnapshotDiff, applySnapshotMessage, diffSnapshots } from '../../../core/api/snapshot-diff.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function conn(id: number, recvQ: number): ConnectionRow {
  return {
    id, state: 'ESTABLISHED', local: '10.77.0.2:80', remote: `10.77.0.1:${40000 + id}`, localAddr: '10.77.0.2', localPort: 80,
    remoteAddr: '10.77.0.1', remotePort: 40000 + id, recvQ, sendQ: 0, timer: null, rto: 200, rtt: 1, rttvar: 1, cwnd: 10,
    cwndBytes: 14600, ssthresh: null, mss: 1460, sndWscale: 7, rcvWscale: 7, sndUna: 1, sndNxt: 1, sndWnd: 1, rcvNxt: 1,
    rcvWnd: 1, iss: 0, irs: 0, retransmits: 0, listener: null, orphan: false, accepted: true, responder: 'echo',
    stateSince: 0, sndBuf: 16384, rcvBuf: 131072, urgentPointer: null,
  };
}

function listener(id: number, acceptQueue: number): ListenerRow {
  return {
    id, state: 'LISTEN', local: `10.77.0.2:${id}`, localAddr: '10.77.0.2', port: id, backlog: 8, acceptQueue, acceptQueueLimit: 8,
    synQueue: 0, synQueueLimit: 1024, responder: 'manual', paused: false,
  };
}

function base(): Snapshot {
  return {
    version: 1, at: 0, lastEventSeq: 0,
    info: { device: 'tcplab0', simulated: false, labAddr: '10.77.0.2', kernelAddr: '10.77.0.1', timeScale: 1 },
    connections: [1, 2, 3].map((i) => conn(i, 0)),
    listeners: [listener(80, 0)],
    counters: { InSegs: 0, OutSegs: 0 },
    knobs: { somaxconn: 4096, isn_clock: '64ns' },
    faults: { rules: [], random: null, held: 0, counts: { dropped: 0, delayed: 0, duplicated: 0, corrupted: 0, reordered: 0 } },
    pcap: { running: false, packets: 0, bytes: 0, maxPackets: 0, maxBytes: 0 },
    scenario: null,
  };
}

function mutate(s: Snapshot, r: () => number, step: number): Snapshot {
  const next: Snapshot = structuredClone(s);
  next.version = s.version + 1;
  next.at = s.at + 10;
  const pick = Math.floor(r() * 9);
  let nextId = Math.max(0, ...next.connections.map((c) => c.id)) + 1;
  switch (pick) {
    case 0: next.connections.push(conn(nextId++, 0)); break;
    case 1: if (next.connections.length > 0) next.connections.splice(Math.floor(r() * next.connections.length), 1); break;
    case 2: for (const c of next.connections) if (r() < 0.5) c.recvQ = Math.floor(r() * 100); break;
    case 3: next.listeners.push(listener(1000 + step, 1)); break;
    case 4: next.counters.InSegs += 1; next.counters[`New${step}`] = step; break;
    case 5: delete next.counters.OutSegs; next.knobs.somaxconn = step; break;
    case 6: next.pcap = { ...next.pcap, running: !next.pcap.running, packets: step }; break;
    case 7: next.scenario = next.scenario ? null : { name: 'handshake', running: true, step: `${step}` }; break;
    case 8: next.lastEventSeq += 5; break;
  }
  return next;
}

describe('snapshot diffs', () => {
  it('is null between equal snapshots', () => {
    const a = base();
    expect(diffSnapshots(a, structuredClone(a))).toBeNull();
  });

  it('carries only what changed', () => {
    const a = base();
    const b = structuredClone(a);
    b.version = 2;
    b.connections[1].recvQ = 5;
    b.counters.InSegs = 3;
    expect(diffSnapshots(a, b)).toEqual({
      from: 1, version: 2, at: 0, lastEventSeq: 0,
      connections: { upsert: [b.connections[1]], remove: [] },
      counters: { set: { InSegs: 3 }, remove: [] },
    });
  });

  it('applied to a gives b, over 500 seeded random changes', () => {
    const r = rng(42);
    let mirror = base();
    let lab = base();
    for (let step = 0; step < 500; step++) {
      lab = mutate(lab, r, step);
      if (r() < 0.3) continue; // the client skipped this tick: the next diff covers both
      const d = diffSnapshots(mirror, lab);
      mirror = d === null ? mirror : applySnapshotMessage(mirror, { kind: 'diff', diff: d });
      expect(mirror).toEqual(lab);
    }
  });

  it('refuses a diff made from another version', () => {
    const a = base();
    const b = { ...structuredClone(a), version: 2, at: 5 };
    const d = diffSnapshots(a, b)!;
    expect(() => applySnapshotMessage({ ...a, version: 7 }, { kind: 'diff', diff: d })).toThrow(/from version 1 does not apply to 7/);
    expect(() => applySnapshotMessage(null, { kind: 'diff', diff: d })).toThrow();
  });

  it('does not modify its inputs', () => {
    const a = base();
    const frozen = structuredClone(a);
    const b = mutate(a, rng(1), 0);
    applySnapshotDiff(a, diffSnapshots(a, b)!);
    expect(a).toEqual(frozen);
  });
});
