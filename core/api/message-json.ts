// Server messages as bytes for the WebSocket transport, with the costly part of a stream message
// (its payload: events, a snapshot, a diff) serialized and UTF-8 encoded once however many
// clients receive it. Clients following the same events at the same rate get the same batches
// (event-feed.ts aligns their windows) and the same diffs (snapshot-feed.ts diffOnce), so 20
// clients cost one JSON.stringify and one encoding per event, not 20.
// Events, snapshots and diffs are immutable once published (the lab makes new objects for new
// states; snapshot-diff.ts relies on the same).
import type { LabEvent } from './events.ts';
import type { ServerMessage, StreamMessage } from './protocol.ts';

const jsonOf = new WeakMap<object, string>();

function once(value: object): string {
  let s = jsonOf.get(value);
  if (s === undefined) {
    s = JSON.stringify(value);
    jsonOf.set(value, s);
  }
  return s;
}

/** The last few event batches encoded, to find one another client is about to send too. */
const recentBatches: { events: readonly LabEvent[]; bytes: Buffer }[] = [];
const RECENT = 4;

function sameEvents(a: readonly LabEvent[], b: readonly LabEvent[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function eventsPayload(events: readonly LabEvent[]): Buffer {
  for (const r of recentBatches) if (sameEvents(r.events, events)) return r.bytes;
  const bytes = Buffer.from(`{"kind":"events","events":[${events.map(once).join(',')}]}`);
  recentBatches.unshift({ events, bytes });
  if (recentBatches.length > RECENT) recentBatches.pop();
  return bytes;
}

const payloadOf = new WeakMap<object, Buffer>();
const gapsOf = new WeakMap<object, Map<number, Buffer>>();

function cachedPayload(key: object, text: () => string): Buffer {
  let b = payloadOf.get(key);
  if (b === undefined) {
    b = Buffer.from(text());
    payloadOf.set(key, b);
  }
  return b;
}

/** The `msg` of a stream message, as UTF-8 JSON. */
function streamPayload(m: StreamMessage): Buffer {
  switch (m.kind) {
    case 'events':
      return eventsPayload(m.events);
    case 'gap': {
      if (m.snapshot === null) return Buffer.from(`{"kind":"gap","missed":${m.missed},"snapshot":null}`);
      // Clients whose windows end together miss the same events and get the same snapshot.
      let byMissed = gapsOf.get(m.snapshot);
      if (byMissed === undefined) gapsOf.set(m.snapshot, (byMissed = new Map()));
      let b = byMissed.get(m.missed);
      if (b === undefined) {
        b = Buffer.from(`{"kind":"gap","missed":${m.missed},"snapshot":${once(m.snapshot)}}`);
        if (byMissed.size < 8) byMissed.set(m.missed, b);
      }
      return b;
    }
    case 'full':
      // One client's, once: `now` differs from client to client.
      return Buffer.from(`{"kind":"full","snapshot":${once(m.snapshot)}${m.now === undefined ? '' : `,"now":${m.now}`}}`);
    case 'diff':
      return cachedPayload(m.diff, () => `{"kind":"diff","diff":${JSON.stringify(m.diff)}}`);
    default: {
      const never: never = m;
      return Buffer.from(JSON.stringify(never));
    }
  }
}

/** The same bytes as Buffer.from(JSON.stringify(msg)), sharing the encoded payload of stream messages. */
export function serverMessageBytes(msg: ServerMessage): Buffer {
  if (msg.t !== 'stream') return Buffer.from(JSON.stringify(msg));
  return Buffer.concat([Buffer.from(`{"t":"stream","id":${msg.id},"msg":`), streamPayload(msg.msg), Buffer.from('}')]);
}

/** The same text as JSON.stringify(msg). */
export function serverMessageJson(msg: ServerMessage): string {
  return serverMessageBytes(msg).toString('utf8');
}
