// The typed client every UI uses, whatever the transport (local.ts, client-socket.ts,
// client-ipc.ts, client-bridge.ts). Commands and reads are `call(method, args)`; the arguments
// and the result are typed from the contract.
import type * as v from 'valibot';
import type { ArgsInput, Method, ResultOf } from './contract.ts';
import { METHODS } from './contract.ts';
import type { Result } from './errors.ts';
import type { EventMessage } from './events.ts';
import type { StreamSink, Subscription } from './lab-api.ts';
import type { streamSchemas } from './schemas.ts';
import type { SnapshotMessage } from './snapshot-diff.ts';

/** `args` may be left out when the method needs none. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type CallArgs<M extends Method> = {} extends ArgsInput<M> ? [args?: ArgsInput<M>] : [args: ArgsInput<M>];

export type SnapshotStreamInput = v.InferInput<typeof streamSchemas.snapshots>;
export type EventFilterInput = v.InferInput<typeof streamSchemas.events>;

export interface LabClient {
  call<M extends Method>(method: M, ...args: CallArgs<M>): Promise<Result<ResultOf<M>>>;
  /**
   * A full snapshot, then diffs (apply them with applySnapshotMessage or use SnapshotMirror).
   * If `onMessage` returns a promise, the next message waits for it; diffs coalesce meanwhile.
   */
  subscribeSnapshots(args: SnapshotStreamInput, onMessage: StreamSink<SnapshotMessage>): Promise<Result<Subscription>>;
  /**
   * Events matching the filter, in batches. If `onMessage` returns a promise, the lab queues
   * (bounded) until it settles; a client that falls too far behind gets a 'gap' message.
   */
  subscribeEvents(filter: EventFilterInput, onMessage: StreamSink<EventMessage>): Promise<Result<Subscription>>;
  /** Settles with the reason when the client is closed (by either side). */
  readonly closed: Promise<string>;
  close(): Promise<void>;
}

/** One function per method of the contract, e.g. `lab.listen({ port: 80 })`. */
export type LabMethods = { [M in Method]: (...args: CallArgs<M>) => Promise<Result<ResultOf<M>>> };

export function bindMethods(call: (method: Method, args?: unknown) => Promise<Result<unknown>>): LabMethods {
  const out: Record<string, (args?: unknown) => Promise<Result<unknown>>> = {};
  for (const m of METHODS) out[m] = (args?: unknown) => call(m, args);
  return out as unknown as LabMethods;
}

export function methodsOf(client: LabClient): LabMethods {
  return bindMethods((m, args) => (client.call as (m: Method, a?: unknown) => Promise<Result<unknown>>)(m, args));
}
