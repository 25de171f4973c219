// A test double of time control and replays, to show every state on demand: timeControl and
// timeStep answered here, snapshot info.time with packets held whenever the test says, a replay
// (info.replay, EROFS for every command). It wraps the real client: other calls and the streams
// go to the real lab; the snapshot's info gets the double's parts.
import type { LabClient } from '../../core/api/client.ts';
import { contract, type Method } from '../../core/api/contract.ts';
import type { Result } from '../../core/api/errors.ts';
import type { StreamSink } from '../../core/api/lab-api.ts';
import type { HeldPacket, LabInfo, ReplayInfo, TimeStatus } from '../../core/api/snapshot.ts';
import type { SnapshotMessage } from '../../core/api/snapshot-diff.ts';

export class LabDouble {
  time: TimeStatus = { paused: false, scale: 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
  replay: ReplayInfo | null = null;
  /** Every call the TUI made, in order. */
  readonly calls: { method: string; args: unknown }[] = [];
  private sink: StreamSink<SnapshotMessage> | null = null;
  private last: { version: number; at: number; lastEventSeq: number; info: LabInfo } | null = null;

  private info(info: LabInfo): LabInfo {
    return { ...info, timeScale: this.time.scale, time: { ...this.time }, ...(this.replay !== null ? { replay: this.replay } : {}) } as LabInfo;
  }

  /** Packets "arrive" while paused. */
  hold(...packets: HeldPacket[]): void {
    this.time = { ...this.time, held: this.time.held + packets.length, next: [...this.time.next, ...packets].slice(0, 16) };
    this.push();
  }

  /** Tells the TUI (a diff carrying only the info). */
  push(): void {
    const l = this.last;
    if (l === null || this.sink === null) return;
    void this.sink({ kind: 'diff', diff: { from: l.version, version: l.version, at: l.at, lastEventSeq: l.lastEventSeq, info: this.info(l.info) } });
  }

  private answer(method: string, args: Record<string, unknown>): Result<unknown> | null {
    if (method === 'timeControl') {
      const next = { ...this.time };
      if (typeof args.paused === 'boolean') next.paused = args.paused;
      if (typeof args.scale === 'number') next.scale = args.scale;
      if (args.slowMotionMs !== undefined) next.slowMotionMs = args.slowMotionMs as number | null;
      if (!next.paused) next.held = 0;
      if (!next.paused) next.next = [];
      this.time = next;
      this.push();
      return { ok: true, value: { ...this.time } };
    }
    if (method === 'timeStep') {
      const stepped = Math.min(this.time.held, Number(args.count ?? 1));
      this.time = { ...this.time, held: this.time.held - stepped, next: this.time.next.slice(stepped) };
      this.push();
      return { ok: true, value: { ...this.time, stepped } };
    }
    if (this.replay !== null && (contract as Record<string, { kind: string }>)[method]?.kind === 'command') {
      return { ok: false, error: { code: 'EROFS', message: 'this is a replay; it cannot change' } };
    }
    return null;
  }

  wrap(client: LabClient): LabClient {
    const call = (method: Method, args?: unknown): Promise<Result<unknown>> => {
      this.calls.push({ method, args });
      const r = this.answer(method, (args ?? {}) as Record<string, unknown>);
      if (r !== null) return Promise.resolve(r);
      return (client.call as (m: Method, a?: unknown) => Promise<Result<unknown>>)(method, args);
    };
    return {
      call: call as LabClient['call'],
      subscribeSnapshots: (args, onMessage) => {
        this.sink = onMessage;
        return client.subscribeSnapshots(args, (m) => {
          if (m.kind === 'full') {
            this.last = { version: m.snapshot.version, at: m.snapshot.at, lastEventSeq: m.snapshot.lastEventSeq, info: m.snapshot.info };
            return onMessage({ kind: 'full', snapshot: { ...m.snapshot, info: this.info(m.snapshot.info) } });
          }
          const d = m.diff;
          this.last = { version: d.version, at: d.at, lastEventSeq: d.lastEventSeq, info: d.info ?? this.last?.info ?? ({} as LabInfo) };
          return onMessage({ kind: 'diff', diff: d.info === undefined ? d : { ...d, info: this.info(d.info) } });
        });
      },
      subscribeEvents: (filter, onMessage) => client.subscribeEvents(filter, onMessage),
      closed: client.closed,
      close: () => client.close(),
    };
  }
}
