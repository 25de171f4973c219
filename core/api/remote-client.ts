// The client end of the remote protocol: a LabClient over any carrier that moves messages
// (a WebSocket, Electron IPC). The carrier calls `receive` with each decoded message and
// `disconnected` when it goes away. Stream messages are handed to the subscriber one at a
// time and acknowledged when its callback settles; that is the server's flow control.
import * as v from 'valibot';
import type { LabClient } from './client.ts';
import type { Method } from './contract.ts';
import { fail, type Result } from './errors.ts';
import type { StreamSink, Subscription } from './lab-api.ts';
import { PROTOCOL_VERSION, serverMessageSchema, type ClientMessage, type ServerMessage, type StreamMessage } from './protocol.ts';

export interface Carrier {
  send(msg: ClientMessage): void;
  close(): void;
}

export interface RemoteClient {
  client: LabClient;
  receive(raw: unknown): void;
  disconnected(reason: string): void;
}

interface ClientSub {
  onMessage: StreamSink<StreamMessage>;
  chain: Promise<void>;
}

export function createRemoteClient(carrier: Carrier): RemoteClient {
  let nextId = 1;
  let closedReason: string | null = null;
  let resolveClosed: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (resolveClosed = resolve));
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const subs = new Map<number, ClientSub>();

  function request(msg: ClientMessage & { id: number }): Promise<Result<unknown>> {
    if (closedReason !== null) return Promise.resolve(fail('ECLOSED', `connection to the lab closed: ${closedReason}`));
    return new Promise((resolve) => {
      pending.set(msg.id, resolve);
      carrier.send(msg);
    });
  }

  async function subscribe(stream: 'snapshots' | 'events', args: unknown, onMessage: StreamSink<never>): Promise<Result<Subscription>> {
    const id = nextId++;
    subs.set(id, { onMessage: onMessage as StreamSink<StreamMessage>, chain: Promise.resolve() });
    const r = await request({ t: 'sub', id, stream, args });
    if (!r.ok) {
      subs.delete(id);
      return r;
    }
    const close = (): void => {
      if (subs.delete(id) && closedReason === null) carrier.send({ t: 'unsub', id });
    };
    return { ok: true, value: { close } };
  }

  function onStream(id: number, msg: StreamMessage): void {
    const sub = subs.get(id);
    if (sub === undefined) return;
    const ack = (): void => {
      if (closedReason === null && subs.has(id)) carrier.send({ t: 'ack', id });
    };
    // A subscriber that throws still acknowledges: its bug must not stall its own stream.
    sub.chain = sub.chain.then(() => sub.onMessage(msg)).then(ack, ack);
  }

  function disconnected(reason: string): void {
    if (closedReason !== null) return;
    closedReason = reason;
    const gone = fail('ECLOSED', `connection to the lab closed: ${reason}`);
    for (const resolve of pending.values()) resolve(gone);
    pending.clear();
    subs.clear();
    resolveClosed(reason);
  }

  function receive(raw: unknown): void {
    if (closedReason !== null) return;
    if (!v.is(serverMessageSchema, raw)) return disconnected('the lab sent a malformed message');
    const msg = raw as ServerMessage;
    switch (msg.t) {
      case 'hello':
        if (msg.protocol !== PROTOCOL_VERSION) {
          carrier.close();
          disconnected(`the lab speaks protocol ${msg.protocol}, this client ${PROTOCOL_VERSION}`);
        }
        return;
      case 'reply': {
        const resolve = pending.get(msg.id);
        pending.delete(msg.id);
        return resolve?.(msg.result);
      }
      case 'stream':
        return onStream(msg.id, msg.msg);
      case 'bye':
        carrier.close();
        return disconnected(msg.reason);
      default: {
        const never: never = msg;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  const client = {
    call: (method: Method, args?: unknown) => request({ t: 'call', id: nextId++, method, args }),
    subscribeSnapshots: (args: unknown, onMessage: StreamSink<never>) => subscribe('snapshots', args, onMessage),
    subscribeEvents: (filter: unknown, onMessage: StreamSink<never>) => subscribe('events', filter, onMessage),
    closed,
    async close() {
      if (closedReason !== null) return;
      carrier.close();
      disconnected('closed by the client');
    },
  } as unknown as LabClient;

  carrier.send({ t: 'hello', protocol: PROTOCOL_VERSION });
  return { client, receive, disconnected };
}
