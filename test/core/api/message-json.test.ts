// serverMessageJson: the same text as JSON.stringify, with events and snapshots serialized once.
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../core/api/events.ts';
import { serverMessageBytes, serverMessageJson } from '../../../core/api/message-json.ts';
import type { ServerMessage } from '../../../core/api/protocol.ts';
import { FakeLab } from './fake-lab.ts';
import { ManualTimers } from './manual-timers.ts';

describe('serverMessageJson', () => {
  const lab = new FakeLab(new ManualTimers());
  const snapshot = lab.snapshot();
  const events: LabEvent[] = [
    { kind: 'state', seq: 1, at: 0.5, conn: 3, from: 'CLOSED', to: 'SYN-SENT', cause: 'user connect' },
    { kind: 'lab', seq: 2, at: 1, topic: 'knob', message: 'a "quoted" \\ knob\n', conn: null },
    { kind: 'drop', seq: 3, at: 2, reason: 'bad checksum' },
  ];
  const messages: ServerMessage[] = [
    { t: 'hello', protocol: 1 },
    { t: 'reply', id: 7, result: { ok: true, value: { conn: 3 } } },
    { t: 'stream', id: 1, msg: { kind: 'events', events } },
    { t: 'stream', id: 1, msg: { kind: 'events', events: [] } },
    { t: 'stream', id: 2, msg: { kind: 'gap', missed: 12, snapshot } },
    { t: 'stream', id: 3, msg: { kind: 'full', snapshot } },
    { t: 'stream', id: 3, msg: { kind: 'diff', diff: { version: 2, at: 5, lastEventSeq: 3 } as never } },
    { t: 'bye', reason: 'done' },
  ];
  for (const msg of messages) {
    it(`${msg.t}${msg.t === 'stream' ? ` ${msg.msg.kind}` : ''} is JSON.stringify's text`, () => {
      expect(serverMessageJson(msg)).toBe(JSON.stringify(msg));
      expect(serverMessageJson(msg)).toBe(JSON.stringify(msg)); // again, from the cache
      expect(serverMessageBytes(msg).equals(Buffer.from(JSON.stringify(msg)))).toBe(true);
    });
  }

  it('shares one encoded batch between clients sending the same events (another subscription id, another array)', () => {
    const a = serverMessageBytes({ t: 'stream', id: 1, msg: { kind: 'events', events } });
    const b = serverMessageBytes({ t: 'stream', id: 9, msg: { kind: 'events', events: [...events] } });
    expect(b.toString()).toBe(a.toString().replace('"id":1', '"id":9'));
    const other = serverMessageBytes({ t: 'stream', id: 9, msg: { kind: 'events', events: events.slice(1) } });
    expect(JSON.parse(other.toString())).toEqual({ t: 'stream', id: 9, msg: { kind: 'events', events: events.slice(1) } });
  });
});
