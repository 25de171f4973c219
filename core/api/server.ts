// LabServer: the contract served over a LabBackend (the Lab). It validates every call before
// the Lab sees it, refuses unknown methods, turns thrown refusals into Results, and runs the
// streams: coalesced snapshot diffs at each client's rate, filtered event batches with
// bounded per-client queues and the gap protocol. Transports talk to it through LabApi.
import { contract, isMethod, streams } from './contract.ts';
import type { LabBackend } from './backend.ts';
import { errorFromThrown, fail, ok, type Result } from './errors.ts';
import { EVENT_FEED_DEFAULTS, EventFeed, type EventFeedOptions } from './event-feed.ts';
import type { EventMessage, LabEvent } from './events.ts';
import type { LabApi, StreamSink, Subscription } from './lab-api.ts';
import { SNAPSHOT_RATE_MAX, validate } from './schemas.ts';
import type { Snapshot } from './snapshot.ts';
import type { SnapshotMessage } from './snapshot-diff.ts';
import { SnapshotFeed } from './snapshot-feed.ts';
import { realTimers, type Timers } from './timers.ts';

export interface LabServerOptions {
  timers?: Timers;
  events?: Partial<EventFeedOptions>;
}

export class LabServer implements LabApi {
  private readonly timers: Timers;
  private readonly eventOpts: EventFeedOptions;
  private readonly snapshotFeeds = new Set<SnapshotFeed>();
  private readonly eventFeeds = new Set<EventFeed>();
  private unsubscribeLab: (() => void) | null = null;
  /** Event feeds that take events now. */
  private accepting = 0;
  private cached: { at: number; snapshot: Snapshot } | null = null;

  constructor(private readonly backend: LabBackend, opts: LabServerOptions = {}) {
    this.timers = opts.timers ?? realTimers;
    this.eventOpts = { ...EVENT_FEED_DEFAULTS, ...opts.events };
  }

  async call(method: unknown, args: unknown): Promise<Result<unknown>> {
    if (!isMethod(method)) {
      return fail('ENOMETHOD', `unknown method: ${String(method).slice(0, 64)}`, 'method');
    }
    const parsed = validate(contract[method].args, args);
    if (!parsed.ok) return parsed;
    try {
      if (method === 'snapshot') return ok(this.backend.snapshot());
      const handler = this.backend.handlers[method] as (a: unknown) => unknown;
      return ok(await handler(parsed.value));
    } catch (err) {
      return { ok: false, error: errorFromThrown(err) };
    }
  }

  subscribeSnapshots(args: unknown, sink: StreamSink<SnapshotMessage>): Result<Subscription> {
    const parsed = validate(streams.snapshots.args, args);
    if (!parsed.ok) return parsed;
    const labNow = this.backend.labTime?.bind(this.backend);
    const feed = new SnapshotFeed(parsed.value.rate, sink, () => this.latestSnapshot(), this.timers, labNow);
    this.snapshotFeeds.add(feed);
    return ok({ close: () => { feed.close(); this.snapshotFeeds.delete(feed); } });
  }

  subscribeEvents(filter: unknown, sink: StreamSink<EventMessage>): Result<Subscription> {
    const parsed = validate(streams.events.args, filter);
    if (!parsed.ok) return parsed;
    // Gaps of aligned windows share one snapshot (and message-json.ts one encoding of it).
    const feed = new EventFeed(parsed.value, sink, () => this.latestSnapshot(), this.timers, this.eventOpts, (accepting) => {
      this.accepting += accepting ? 1 : -1;
      this.listenToLab();
    });
    this.eventFeeds.add(feed);
    this.accepting++;
    this.listenToLab();
    return ok({
      close: () => {
        if (!this.eventFeeds.delete(feed)) return;
        if (feed.accepting) this.accepting--;
        feed.close();
        this.listenToLab();
      },
    });
  }

  /**
   * Listens to the lab's events only while some client can take them: while every client is
   * over its rate or behind, the lab builds no event objects (feeds count what they miss by seq).
   */
  private listenToLab(): void {
    if (this.accepting > 0) this.unsubscribeLab ??= this.backend.events.subscribe((e) => this.fanOut(e));
    else this.stopEvents();
  }

  /** Ends every stream (transports close their clients themselves). */
  close(): void {
    for (const f of this.snapshotFeeds) f.close();
    for (const f of this.eventFeeds) f.close();
    this.snapshotFeeds.clear();
    this.eventFeeds.clear();
    this.accepting = 0;
    this.stopEvents();
  }

  private fanOut(e: LabEvent): void {
    for (const feed of this.eventFeeds) feed.push(e);
  }

  private stopEvents(): void {
    this.unsubscribeLab?.();
    this.unsubscribeLab = null;
  }

  /** One snapshot shared by all stream clients within half the fastest interval. */
  private latestSnapshot(): Snapshot {
    const now = this.timers.now();
    if (this.cached === null || now - this.cached.at >= 500 / SNAPSHOT_RATE_MAX) {
      this.cached = { at: now, snapshot: this.backend.snapshot() };
    }
    return this.cached.snapshot;
  }
}
