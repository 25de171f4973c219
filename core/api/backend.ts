// What the Lab (core/lab) implements so that LabServer can serve it: one handler per method of
// the contract, and a source of events. Handlers get validated arguments (defaults filled in)
// and refuse a call by throwing ApiFailure (ENOCONN via noSuchConnection(id), EINVAL with a
// field, ...). They must change nothing when they refuse.
import type { ArgsOf, Method, ResultOf } from './contract.ts';
import type { LabEvent } from './events.ts';
import type { Snapshot } from './snapshot.ts';

/** Every method but `snapshot`, which LabBackend.snapshot answers (streams need it synchronously). */
export type HandledMethod = Exclude<Method, 'snapshot'>;

export type LabHandlers = {
  [M in HandledMethod]: (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
};

export interface EventSource {
  /** Calls `cb` synchronously for every new event; returns the unsubscribe function. */
  subscribe(cb: (e: LabEvent) => void): () => void;
}

export interface LabBackend {
  handlers: LabHandlers;
  /** The lab now, as plain data; cheap enough to call up to ~60 times per second. */
  snapshot(): Snapshot;
  /**
   * The lab's time now, ms. A snapshot's `at` is the time of its last change (an idle lab's
   * snapshot stays the same); a client's first snapshot carries this too, so its clock starts
   * from the lab's time, not from that change. Without it clients start from `at`.
   */
  labTime?(): number;
  events: EventSource;
}
