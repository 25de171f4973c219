// What a scenario saw: every lab event from its start (kept here, so the checks do not depend on
// the lab's bounded history), with the queries the checks ask: a connection's segments and
// states, the connection on a pair of ports, the times between events.
import type { LabEvent, SegmentEvent, StateEvent } from '../../api/events.ts';
import type { TcpState } from '../../api/names.ts';

const MAX_EVENTS = 200_000;

export class Observer {
  readonly events: LabEvent[] = [];
  private readonly listeners = new Set<() => void>();
  dropped = 0;

  add(e: LabEvent): void {
    if (this.events.length < MAX_EVENTS) this.events.push(e);
    else this.dropped++;
    for (const l of [...this.listeners]) l();
  }

  /** Called after every new event; returns the unsubscribe function. */
  onEvent(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Events after the one with seq `since` (0: all). */
  since(since: number): LabEvent[] {
    return since === 0 ? this.events : this.events.filter((e) => e.seq > since);
  }

  get lastSeq(): number {
    return this.events.length === 0 ? 0 : this.events[this.events.length - 1].seq;
  }

  segments(conn?: number | null, since = 0): SegmentEvent[] {
    return this.since(since).filter((e): e is SegmentEvent => e.kind === 'segment' && (conn === undefined || e.conn === conn));
  }

  states(conn: number): StateEvent[] {
    return this.events.filter((e): e is StateEvent => e.kind === 'state' && e.conn === conn);
  }

  /** The states a connection went through, in order, starting with its first (e.g. SYN-SENT). */
  path(conn: number): TcpState[] {
    return this.states(conn).map((s) => s.to);
  }

  /** Lab time at which `conn` entered `state` (the first time), or null. */
  enteredAt(conn: number, state: TcpState): number | null {
    return this.states(conn).find((s) => s.to === state)?.at ?? null;
  }

  /** The connection a segment between these ports belongs to (the newest one), or null. */
  connByPorts(labPort: number, kernelPort: number, since = 0): number | null {
    let found: number | null = null;
    for (const e of this.since(since)) {
      if (e.kind !== 'segment' || e.conn === null) continue;
      const s = e.segment;
      const lab = e.dir === 'in' ? s.dstPort : s.srcPort;
      const ker = e.dir === 'in' ? s.srcPort : s.dstPort;
      if (lab === labPort && ker === kernelPort) found = e.conn;
    }
    return found;
  }

  /** Connections that were opened (left CLOSED) after `since`. */
  opened(since = 0): number[] {
    const out: number[] = [];
    for (const e of this.since(since)) if (e.kind === 'state' && e.from === 'CLOSED' && !out.includes(e.conn)) out.push(e.conn);
    return out;
  }

  /** Lab notes and fault events are not tied to a connection: all of one kind. */
  ofKind<K extends LabEvent['kind']>(kind: K, since = 0): Extract<LabEvent, { kind: K }>[] {
    return this.since(since).filter((e): e is Extract<LabEvent, { kind: K }> => e.kind === kind);
  }
}

/** 'S', 'S.', 'F.' ... has these flag letters (all of them). */
export function hasFlags(e: SegmentEvent, letters: string): boolean {
  const f = e.segment.flags;
  for (const c of letters) if (!f.includes(c)) return false;
  return true;
}

/** Exactly these tcpdump flags. */
export function isFlags(e: SegmentEvent, flags: string): boolean {
  return e.segment.flags === flags;
}

/** Differences between consecutive times, ms. */
export function gaps(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i] - times[i - 1]);
  return out;
}

/** (a - b) mod 2^32, as a signed 32-bit difference (like the kernel's before()/after()). */
export function seqDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

export function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n < 10 ? 1 : 0)} ms`;
}

/** Bytes of new data in these segments (retransmitted or duplicate bytes counted once). */
export function newBytes(segs: readonly SegmentEvent[]): number {
  let top: number | null = null;
  let n = 0;
  for (const e of segs) {
    if (e.segment.len === 0) continue;
    const end = (e.segment.seq + e.segment.len) >>> 0;
    if (top === null) {
      n += e.segment.len;
      top = end;
    } else if (seqDiff(end, top) > 0) {
      n += Math.min(e.segment.len, seqDiff(end, top));
      top = end;
    }
  }
  return n;
}
