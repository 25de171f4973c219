// The server end of one remote client (a WebSocket connection or an Electron renderer): it
// turns protocol messages into LabApi calls and subscriptions, and stream deliveries into
// messages that the client acknowledges. Bounded: calls in flight and subscriptions per client.
import * as v from 'valibot';
import { isStream } from './contract.ts';
import { fail, type Result } from './errors.ts';
import type { LabApi, StreamSink, Subscription } from './lab-api.ts';
import { clientMessageSchema, PROTOCOL_VERSION, type ClientMessage, type ServerMessage, type StreamMessage } from './protocol.ts';

export const MAX_CALLS_IN_FLIGHT = 256;
export const MAX_SUBSCRIPTIONS = 32;

interface SessionSub {
  sub: Subscription;
  acks: (() => void)[];
}

export class ApiSession {
  private readonly subs = new Map<number, SessionSub>();
  private callsInFlight = 0;
  private closed = false;

  /** `fatal` is called when the client broke the protocol; the transport then disconnects it. */
  constructor(
    private readonly api: LabApi,
    private readonly send: (msg: ServerMessage) => void,
    private readonly fatal: (reason: string) => void,
  ) {}

  receive(raw: unknown): void {
    if (this.closed) return;
    const parsed = v.safeParse(clientMessageSchema, raw);
    if (!parsed.success) {
      this.bye('malformed message');
      return;
    }
    this.dispatch(parsed.output);
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private dispatch(msg: ClientMessage): void {
    switch (msg.t) {
      case 'hello':
        if (msg.protocol !== PROTOCOL_VERSION) return this.bye(`protocol ${msg.protocol} is not ${PROTOCOL_VERSION}`);
        this.reset();
        return this.send({ t: 'hello', protocol: PROTOCOL_VERSION });
      case 'call':
        return this.call(msg.id, msg.method, msg.args);
      case 'sub':
        return this.reply(msg.id, this.subscribe(msg.id, msg.stream, msg.args));
      case 'unsub':
        return this.unsubscribe(msg.id);
      case 'ack':
        this.subs.get(msg.id)?.acks.shift()?.();
        return;
      default: {
        const never: never = msg;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  private call(id: number, method: string, args: unknown): void {
    if (this.callsInFlight >= MAX_CALLS_IN_FLIGHT) {
      return this.reply(id, fail('EBUSY', `more than ${MAX_CALLS_IN_FLIGHT} calls in flight`));
    }
    this.callsInFlight++;
    const done = (result: Result<unknown>): void => {
      this.callsInFlight--;
      this.reply(id, result);
    };
    this.api.call(method, args).then(done, (err: unknown) => done(fail('EINTERNAL', String(err))));
  }

  private subscribe(id: number, stream: string, args: unknown): Result<unknown> {
    if (!isStream(stream)) return fail('EINVAL', `stream: no such stream: ${stream}`, 'stream');
    if (this.subs.has(id)) return fail('EPROTO', `subscription id ${id} is in use`);
    if (this.subs.size >= MAX_SUBSCRIPTIONS) return fail('EBUSY', `more than ${MAX_SUBSCRIPTIONS} subscriptions`);
    const entry: SessionSub = { sub: { close() {} }, acks: [] };
    const sink: StreamSink<StreamMessage> = (m) => this.deliver(id, entry, m);
    const r = stream === 'snapshots' ? this.api.subscribeSnapshots(args, sink) : this.api.subscribeEvents(args, sink);
    if (!r.ok) return r;
    entry.sub = r.value;
    this.subs.set(id, entry);
    return { ok: true, value: {} };
  }

  /** Sends one stream message; settles when the client acknowledges it. */
  private deliver(id: number, entry: SessionSub, msg: StreamMessage): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      entry.acks.push(resolve);
      this.send({ t: 'stream', id, msg });
    });
  }

  private unsubscribe(id: number): void {
    const entry = this.subs.get(id);
    if (entry === undefined) return;
    this.subs.delete(id);
    entry.sub.close();
    for (const ack of entry.acks.splice(0)) ack();
  }

  private reset(): void {
    for (const id of [...this.subs.keys()]) this.unsubscribe(id);
  }

  private reply(id: number, result: Result<unknown>): void {
    if (!this.closed) this.send({ t: 'reply', id, result });
  }

  private bye(reason: string): void {
    this.send({ t: 'bye', reason });
    this.close();
    this.fatal(reason);
  }
}
