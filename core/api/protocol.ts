// The message protocol of the remote transports (WebSocket and Electron IPC): JSON-shaped
// messages carrying the contract's calls and streams. One protocol, two carriers.
import * as v from 'valibot';
import type { Result } from './errors.ts';
import type { EventMessage } from './events.ts';
import type { SnapshotMessage } from './snapshot-diff.ts';

export const PROTOCOL_VERSION = 1;
/** The one Electron IPC channel the API uses, both ways. */
export const IPC_CHANNEL = 'tcplab:api';

const msgId = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

export const clientMessageSchema = v.variant('t', [
  v.strictObject({ t: v.literal('hello'), protocol: v.number() }),
  v.strictObject({ t: v.literal('call'), id: msgId, method: v.pipe(v.string(), v.maxLength(64)), args: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('sub'), id: msgId, stream: v.pipe(v.string(), v.maxLength(64)), args: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('unsub'), id: msgId }),
  v.strictObject({ t: v.literal('ack'), id: msgId }),
]);

export type ClientMessage = v.InferOutput<typeof clientMessageSchema>;

export type StreamMessage = SnapshotMessage | EventMessage;

export type ServerMessage =
  | { t: 'hello'; protocol: number }
  | { t: 'reply'; id: number; result: Result<unknown> }
  | { t: 'stream'; id: number; msg: StreamMessage }
  | { t: 'bye'; reason: string };

/** Checks the shape only; loose objects, so the payloads pass through whole. */
export const serverMessageSchema = v.variant('t', [
  v.looseObject({ t: v.literal('hello'), protocol: v.number() }),
  v.looseObject({ t: v.literal('reply'), id: msgId, result: v.variant('ok', [
    v.looseObject({ ok: v.literal(true), value: v.unknown() }),
    v.looseObject({ ok: v.literal(false), error: v.looseObject({ code: v.string(), message: v.string(), field: v.optional(v.string()) }) }),
  ]) }),
  v.looseObject({ t: v.literal('stream'), id: msgId, msg: v.looseObject({ kind: v.string() }) }),
  v.looseObject({ t: v.literal('bye'), reason: v.string() }),
]);
