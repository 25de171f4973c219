// The server side of the contract, as transports see it: untrusted method names and arguments
// in, Results out, and two streams. LabServer (server.ts) implements it over a LabBackend.
import type { Result } from './errors.ts';
import type { EventMessage } from './events.ts';
import type { SnapshotMessage } from './snapshot-diff.ts';

/**
 * Where a stream delivers. Returning a promise means "busy until it settles": the server keeps
 * at most a few deliveries unsettled per client and, past that, queues (bounded) or coalesces.
 */
export type StreamSink<T> = (message: T) => void | Promise<void>;

export interface Subscription {
  close(): void;
}

export interface LabApi {
  call(method: unknown, args: unknown): Promise<Result<unknown>>;
  subscribeSnapshots(args: unknown, sink: StreamSink<SnapshotMessage>): Result<Subscription>;
  subscribeEvents(filter: unknown, sink: StreamSink<EventMessage>): Result<Subscription>;
}
