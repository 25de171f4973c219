// What the Electron preload exposes to the page (contextBridge), and how the page turns it
// back into a LabClient. The bridge is exactly the contract: one function per method, the two
// stream subscriptions and their unsubscribe; nothing else crosses.
import type { EventFilterInput, LabClient, LabMethods, SnapshotStreamInput } from './client.ts';
import { methodsOf } from './client.ts';
import { isMethod, type Method } from './contract.ts';
import { fail, ok, type Result } from './errors.ts';
import type { EventMessage } from './events.ts';
import type { StreamSink, Subscription } from './lab-api.ts';
import type { SnapshotMessage } from './snapshot-diff.ts';

export const BRIDGE_KEY = 'tcplab';

export interface LabBridge extends LabMethods {
  subscribeSnapshots(args: SnapshotStreamInput, onMessage: StreamSink<SnapshotMessage>): Promise<Result<number>>;
  subscribeEvents(filter: EventFilterInput, onMessage: StreamSink<EventMessage>): Promise<Result<number>>;
  unsubscribe(id: number): void;
}

/** Preload side: the bridge over the preload's client. */
export function bridgeFor(client: LabClient): LabBridge {
  const subs = new Map<number, Subscription>();
  let nextId = 1;
  const keep = (r: Result<Subscription>): Result<number> => {
    if (!r.ok) return r;
    const id = nextId++;
    subs.set(id, r.value);
    return ok(id);
  };
  return Object.freeze({
    ...methodsOf(client),
    subscribeSnapshots: async (args: SnapshotStreamInput, onMessage: StreamSink<SnapshotMessage>) =>
      keep(await client.subscribeSnapshots(args, (m) => onMessage(m))),
    subscribeEvents: async (filter: EventFilterInput, onMessage: StreamSink<EventMessage>) =>
      keep(await client.subscribeEvents(filter, (m) => onMessage(m))),
    unsubscribe: (id: number) => {
      subs.get(id)?.close();
      subs.delete(id);
    },
  });
}

/** Page side: a LabClient over the exposed bridge (window.tcplab). */
export function clientFromBridge(bridge: LabBridge): LabClient {
  const methods = bridge as unknown as Record<Method, (args?: unknown) => Promise<Result<unknown>>>;
  const subs = new Set<number>();
  let open = true;
  let resolveClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (resolveClosed = resolve));
  const gone = fail('ECLOSED', 'the client is closed');
  const wrap = (r: Result<number>): Result<Subscription> => {
    if (!r.ok) return r;
    subs.add(r.value);
    return ok({ close: () => { subs.delete(r.value); bridge.unsubscribe(r.value); } });
  };
  const client = {
    call: async (method: Method, args?: unknown) => {
      if (!open) return gone;
      if (!isMethod(method)) return fail('ENOMETHOD', `unknown method: ${String(method).slice(0, 64)}`, 'method');
      return methods[method](args);
    },
    subscribeSnapshots: async (args: SnapshotStreamInput, onMessage: StreamSink<SnapshotMessage>) =>
      open ? wrap(await bridge.subscribeSnapshots(args, onMessage)) : gone,
    subscribeEvents: async (filter: EventFilterInput, onMessage: StreamSink<EventMessage>) =>
      open ? wrap(await bridge.subscribeEvents(filter, onMessage)) : gone,
    closed,
    async close() {
      if (!open) return;
      open = false;
      for (const id of subs) bridge.unsubscribe(id);
      subs.clear();
      resolveClosed('closed by the client');
    },
  };
  return client as unknown as LabClient;
}
