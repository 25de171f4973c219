// Record and replay end to end: `tcplab record FILE --scenario handshake` against a lab on a
// real TUN (own namespace) served on a Unix socket, then `tcplab replay FILE` served on another
// socket without any TUN, read by a socket client as the TUI and GUI read a lab.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket } from '../../core/api/client-socket.ts';
import type { LabClient } from '../../core/api/client.ts';
import { LabServer } from '../../core/api/server.ts';
import { startSocketServer, type SocketServer } from '../../core/api/socket-server.ts';
import { createLab } from '../../core/lab/create.ts';
import type { Lab } from '../../core/lab/lab.ts';
import { record } from '../../tui/commands/record.ts';
import { startReplay, type ReplayDaemon } from '../../tui/commands/replay.ts';
import { createTestNet, isRoot, type TestNet } from '../interop/netns.ts';

describe.skipIf(!isRoot)('record a scenario on a real TUN, replay it without one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-rec-'));
  let net: TestNet;
  let lab: Lab;
  let server: LabServer;
  let sockets: SocketServer;
  let replay: ReplayDaemon | null = null;
  let client: LabClient | null = null;
  const out: string[] = [];

  beforeAll(async () => {
    net = await createTestNet();
    lab = createLab({ link: net.tun ?? undefined, device: net.dev, netns: net.ns });
    server = new LabServer(lab);
    sockets = await startSocketServer({ api: server, unixPath: join(dir, 'lab.sock') });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await replay?.close();
    await sockets?.close();
    server?.close();
    lab?.close();
    await net?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tcplab record --scenario handshake writes the event log and the pcap', async () => {
    const code = await record([join(dir, 'session'), '--scenario', 'handshake', '--lab', join(dir, 'lab.sock')], {
      out: (s) => out.push(s), err: (s) => out.push(s), env: {},
      connect: (t) => connectSocket(t),
      interrupted: () => new AbortController().signal,
    });
    expect(code, out.join('')).toBe(0);
    expect(existsSync(join(dir, 'session.json'))).toBe(true);
    const pcap = readFileSync(join(dir, 'session.pcap'));
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.length).toBeGreaterThan(24 + 6 * 56);
    expect(out.join('')).toMatch(/recorded \d+ events/);
  }, 60_000);

  it('tcplab replay serves it read-only: the scenario\'s checks, the connections, their histories, the pcap', async () => {
    replay = await startReplay({ file: join(dir, 'session.json'), socket: join(dir, 'replay.sock'), web: null, play: false, speed: 1 });
    client = await connectSocket({ path: join(dir, 'replay.sock') });
    const snap = await client.call('snapshot');
    if (!snap.ok) throw new Error(snap.error.message);
    expect(snap.value.info).toMatchObject({ device: net.dev, replay: { playing: false } });
    const sc = snap.value.scenario as (typeof snap.value.scenario & { verdict?: string; checks?: { pass: boolean }[] }) | null;
    expect(sc).toMatchObject({ name: 'handshake', running: false, verdict: 'pass' });
    expect(sc?.checks?.length).toBeGreaterThan(5);
    const segs = await client.call('segmentLog', { limit: 1000 });
    if (!segs.ok) throw new Error(segs.error.message);
    const syn = segs.value.segments.find((e) => e.segment.flags === 'S' && e.dir === 'in');
    expect(syn).toBeDefined();
    const hist = await client.call('connectionHistory', { conn: syn?.conn ?? -1 });
    expect(hist.ok && hist.value.events.some((e) => e.kind === 'state' && e.to === 'ESTABLISHED')).toBe(true);
    expect(await client.call('listen', { port: 9999 })).toMatchObject({ ok: false, error: { code: 'EROFS' } });
    const pcap = await client.call('pcapExport');
    expect(pcap.ok && pcap.value.packets).toBeGreaterThan(6);
  }, 30_000);
});
