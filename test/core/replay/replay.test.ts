// Record and replay (issue 8): a session recorded from a lab through the Lab API (in process,
// simulated wire) round-trips through JSON, and a ReplayLab serves the contract's reads from
// the log alone: the final snapshot, connection histories, segment logs, counter deltas, the
// pcap; commands are refused; play() delivers the events again in order.
import { describe, expect, it } from 'vitest';
import { createLocalClient } from '../../../core/api/local.ts';
import type { LabEvent } from '../../../core/api/events.ts';
import { LabServer } from '../../../core/api/server.ts';
import { createLab } from '../../../core/lab/create.ts';
import { parseSessionLog, sessionFiles, type SessionLog } from '../../../core/replay/log.ts';
import { SessionRecorder } from '../../../core/replay/recorder.ts';
import { ReplayLab } from '../../../core/replay/replay-lab.ts';
import { ManualClock } from '../../../core/stack/clock.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function recordSession(): Promise<{ log: SessionLog; pcap: Uint8Array | null; conn: number }> {
  const lab = createLab({ simulated: true, seed: 11 });
  const server = new LabServer(lab);
  const client = createLocalClient(server);
  try {
    const rec = await SessionRecorder.start(client);
    const c = await client.call('connect', { addr: '10.77.0.1', port: 80, responder: 'manual' });
    if (!c.ok) throw new Error(c.error.message);
    const conn = c.value.conn;
    for (let i = 0; i < 100 && lab.snapshot().connections.find((r) => r.id === conn)?.state !== 'ESTABLISHED'; i++) await sleep(5);
    await client.call('send', { conn, data: 'GET / HTTP/1.0\r\n\r\n' });
    await sleep(150);
    await client.call('close', { conn });
    await sleep(250);
    const { log, pcap } = await rec.stop();
    return { log, pcap, conn };
  } finally {
    await client.close();
    server.close();
    lab.close();
  }
}

describe('record and replay', () => {
  it('records events, snapshot frames and packets, and the log round-trips through JSON', async () => {
    const { log, pcap, conn } = await recordSession();
    expect(log.format).toBe('tcplab-session');
    expect(log.events.some((e) => e.kind === 'state' && e.conn === conn && e.to === 'ESTABLISHED')).toBe(true);
    expect(log.frames[0].kind).toBe('full');
    expect(log.frames.length).toBeGreaterThan(1);
    expect(log.pcap?.packets).toBeGreaterThanOrEqual(6);
    expect(pcap !== null && Buffer.from(pcap).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(log.knobs.some((k) => k.name === 'msl')).toBe(true);
    expect(log.scenarios.map((s) => s.name)).toContain('handshake');
    const again = parseSessionLog(JSON.stringify(log));
    expect(again.ok).toBe(true);
    expect(parseSessionLog('{"format":"other"}')).toEqual({ ok: false, error: 'not a tcplab session log (format is "other", expected "tcplab-session")' });
    expect(parseSessionLog('nope').ok).toBe(false);
    expect(sessionFiles('x/s.json')).toEqual({ json: 'x/s.json', pcap: 'x/s.pcap' });
  });

  it('a replay serves the reads from the log alone and refuses commands', async () => {
    const { log, pcap, conn } = await recordSession();
    const parsed = parseSessionLog(JSON.stringify(log));
    if (!parsed.ok) throw new Error(parsed.error);
    const replay = new ReplayLab(parsed.value, { file: 's.json', pcap });
    const server = new LabServer(replay);
    const client = createLocalClient(server);
    try {
      const snap = await client.call('snapshot');
      expect(snap.ok && snap.value.info).toMatchObject({ replay: { file: 's.json', playing: false } });
      const last = log.frames.at(-1);
      expect(snap.ok && last?.kind === 'full' && snap.value.connections).toEqual(last?.kind === 'full' ? last.snapshot.connections : null);
      const hist = await client.call('connectionHistory', { conn });
      expect(hist.ok && hist.value.events.filter((e) => e.kind === 'state').map((e) => (e as { to: string }).to).slice(0, 3))
        .toEqual(['SYN-SENT', 'ESTABLISHED', 'CLOSE-WAIT']);
      const segs = await client.call('segmentLog', { conn });
      expect(segs.ok && segs.value.segments[0].segment.flags).toBe('S');
      const deltas = await client.call('counterDeltas', {});
      expect(deltas.ok && deltas.value.deltas.ActiveOpens).toBe(1);
      const refused = await client.call('connect', { addr: '10.77.0.1', port: 80 });
      expect(refused).toMatchObject({ ok: false, error: { code: 'EROFS' } });
      expect(refused.ok === false && refused.error.message).toMatch(/replay of s\.json .*cannot change anything/);
      const exported = await client.call('pcapExport');
      expect(exported.ok && exported.value.packets).toBe(log.pcap?.packets);
      expect((await client.call('getKnobs')).ok).toBe(true);
      expect(await client.call('connectionHistory', { conn: 999 })).toMatchObject({ ok: false, error: { code: 'ENOCONN' } });
    } finally {
      await client.close();
      server.close();
      replay.close();
    }
  });

  it('plays the session again from its start, in order, and steps event by event', async () => {
    const { log } = await recordSession();
    const clock = new ManualClock(0);
    let tick: (() => void) | null = null;
    const replay = new ReplayLab(log, { now: () => clock.now(), setInterval: (fn) => (tick = fn), clearInterval: () => (tick = null) });
    const seen: LabEvent[] = [];
    replay.events.subscribe((e) => seen.push(e));
    replay.play(1);
    expect(replay.info.playing).toBe(true);
    expect(replay.snapshot().connections).toHaveLength(0);
    for (let i = 0; i < 10_000 && tick !== null; i++) {
      clock.advance(50);
      (tick as () => void)();
    }
    expect(replay.info.playing).toBe(false);
    expect(seen.map((e) => e.seq)).toEqual(log.events.map((e) => e.seq));
    replay.seek(log.start);
    seen.length = 0;
    expect(replay.step(3)).toBe(3);
    expect(seen).toHaveLength(3);
    expect(() => replay.play(0)).toThrow(/speed/);
    replay.close();
  });
});
