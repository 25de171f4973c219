// Recording a session from any Lab API client (the CLI over the socket, a test in process):
// the event stream and the snapshot stream as they come, the pcap (started here unless a
// recording already runs), and at the end the knobs and scenarios. stop() gives the log and
// the pcap bytes; nothing here writes files.
import type { LabClient } from '../api/client.ts';
import type { EventMessage, LabEvent } from '../api/events.ts';
import type { Subscription } from '../api/lab-api.ts';
import type { SnapshotMessage } from '../api/snapshot-diff.ts';
import type { Snapshot } from '../api/snapshot.ts';
import { MAX_EVENTS, MAX_FRAMES, SESSION_FORMAT, SESSION_VERSION, type SessionLog } from './log.ts';

export interface RecorderOptions {
  /** Snapshot frames per second (default 10, at most 30). */
  snapshotRate?: number;
  /** Record the packets too (default true). */
  pcap?: boolean;
}

export interface Recording {
  log: SessionLog;
  /** The pcap file's bytes, or null when packets were not recorded. */
  pcap: Uint8Array | null;
}

export class SessionRecorder {
  private readonly events: LabEvent[] = [];
  private readonly frames: SnapshotMessage[] = [];
  private readonly gaps: { at: number; missed: number }[] = [];
  private subs: Subscription[] = [];
  private truncated: string | null = null;
  private lastAt: number;
  private ownPcap = false;

  private constructor(private readonly client: LabClient, private readonly first: Snapshot, private readonly recordedAt: string) {
    this.lastAt = first.at;
  }

  /** Start recording what `client`'s lab shows from now on. */
  static async start(client: LabClient, opts: RecorderOptions = {}): Promise<SessionRecorder> {
    const snap = await client.call('snapshot');
    if (!snap.ok) throw new Error(`cannot read the lab: ${snap.error.message}`);
    const rec = new SessionRecorder(client, snap.value, new Date().toISOString());
    if (opts.pcap !== false) {
      const started = await client.call('pcapStart', { ring: true });
      // EBUSY: a recording already runs; the export at the end then holds what it has.
      rec.ownPcap = started.ok;
    }
    const ev = await client.subscribeEvents({ maxRate: 100_000 }, (msg) => rec.onEvents(msg));
    if (!ev.ok) throw new Error(`cannot follow the lab's events: ${ev.error.message}`);
    const sn = await client.subscribeSnapshots({ rate: opts.snapshotRate ?? 10 }, (msg) => rec.onFrame(msg));
    if (!sn.ok) {
      ev.value.close();
      throw new Error(`cannot follow the lab's snapshots: ${sn.error.message}`);
    }
    rec.subs = [ev.value, sn.value];
    return rec;
  }

  get eventCount(): number {
    return this.events.length;
  }

  private onEvents(msg: EventMessage): void {
    if (msg.kind === 'gap') {
      // A recorder asks for gaps with their snapshot (the default).
      if (msg.snapshot === null) return;
      this.gaps.push({ at: msg.snapshot.at, missed: msg.missed });
      this.onFrame({ kind: 'full', snapshot: msg.snapshot });
      return;
    }
    for (const e of msg.events) {
      if (this.events.length >= MAX_EVENTS) {
        this.truncated ??= `more than ${MAX_EVENTS} events: the rest were left out`;
        return;
      }
      this.events.push(e);
      this.lastAt = Math.max(this.lastAt, e.at);
    }
  }

  private onFrame(msg: SnapshotMessage): void {
    if (this.frames.length >= MAX_FRAMES) {
      this.truncated ??= `more than ${MAX_FRAMES} snapshot frames: the rest were left out`;
      return;
    }
    // A diff must follow the frame it was made from; after a gap the stream restarts with a full one.
    this.frames.push(msg);
    this.lastAt = Math.max(this.lastAt, msg.kind === 'full' ? msg.snapshot.at : msg.diff.at);
  }

  /** Stop and hand over the session (after the event stream has caught up with the lab). */
  async stop(): Promise<Recording> {
    const now = await this.client.call('snapshot');
    if (now.ok) {
      const want = now.value.lastEventSeq;
      for (let i = 0; i < 100 && (this.events.at(-1)?.seq ?? 0) < want && this.truncated === null; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    for (const s of this.subs) s.close();
    this.subs = [];
    const end = await this.client.call('snapshot');
    if (end.ok) {
      this.frames.push({ kind: 'full', snapshot: end.value });
      this.lastAt = Math.max(this.lastAt, end.value.at);
    }
    const knobs = await this.client.call('getKnobs');
    const scenarios = await this.client.call('scenarioList');
    let pcap: Uint8Array | null = null;
    let pcapInfo: SessionLog['pcap'] = null;
    if (this.ownPcap) await this.client.call('pcapStop');
    const exported = await this.client.call('pcapExport');
    if (exported.ok && exported.value.packets > 0) {
      pcap = Buffer.from(exported.value.pcap, 'base64');
      pcapInfo = { file: '', packets: exported.value.packets, bytes: exported.value.bytes };
    }
    const frames = this.frames[0]?.kind === 'full' ? this.frames : [{ kind: 'full' as const, snapshot: this.first }, ...this.frames];
    const log: SessionLog = {
      format: SESSION_FORMAT, version: SESSION_VERSION,
      recordedAt: this.recordedAt,
      // A snapshot's time is its last change: an idle lab's can be long before the recording started.
      start: this.events[0]?.at ?? this.first.at,
      end: this.lastAt,
      info: (end.ok ? end.value : this.first).info,
      knobs: knobs.ok ? knobs.value.knobs : [],
      scenarios: scenarios.ok ? scenarios.value.scenarios : [],
      events: this.events,
      frames,
      gaps: this.gaps,
      pcap: pcapInfo,
      truncated: this.truncated,
    };
    return { log, pcap };
  }
}
