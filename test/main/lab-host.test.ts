// The desktop app's lab host through an ipcMain-shaped in-memory channel (the Electron binary is
// not available here): the app page uses the lab over IPC, a call from an unexpected frame is
// refused and reaches nothing, a missing TUN falls back to a labelled simulated wire with the
// setup command (root with nothing set up gets a namespace and TUN of the run's own instead, with
// the line that says so), and close() shuts the lab down. With --replay FILE it serves a recorded session
// read-only (the desktop app's way to review a recording without a TUN).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import { SessionRecorder } from '../../core/replay/recorder.ts';
import { parseDesktopArgs } from '../../main/args.ts';
import { createIpcClient } from '../../core/api/client-ipc.ts';
import { LabSetupError } from '../../core/lab/errors.ts';
import { createLab } from '../../core/lab/create.ts';
import { isRoot } from '../../core/link/netns.ts';
import { ManualClock } from '../../core/stack/clock.ts';
import { hostLab, hostReplay, openLab } from '../../main/lab-host.ts';
import { MemoryIpcMain, MemoryRenderer, type FrameShape } from '../core/api/memory-ipc.ts';

const APP_URL = 'file:///opt/tcplab/resources/app/renderer/dist/index.html';
const refused = { ok: false, error: { code: 'EPERM', message: 'this frame may not use the lab' } };

async function host() {
  const ipcMain = new MemoryIpcMain();
  const h = await hostLab({ appUrl: APP_URL, ipcMain, simulated: true, socketPath: null, lab: { clock: new ManualClock() } });
  return { ipcMain, h };
}

describe('the lab host (main/lab-host.ts)', () => {
  it('serves the app page over IPC', async () => {
    const { ipcMain, h } = await host();
    const client = createIpcClient(new MemoryRenderer(ipcMain, `${APP_URL}#fallback=x`).ipcRenderer);
    const r = await client.call('listen', { port: 80, responder: 'http' });
    expect(r.ok).toBe(true);
    expect(h.lab.snapshot().listeners.map((l) => l.port)).toEqual([80]);
    const snap = await client.call('snapshot');
    expect(snap.ok && snap.value.info.simulated).toBe(true);
    await h.close();
  });

  for (const [what, frame] of [
    ['a page from another origin', { url: 'https://evil.example/', origin: 'https://evil.example', parent: null }],
    ['a file outside the app', { url: 'file:///tmp/evil.html', origin: 'file://', parent: null }],
    ['a subframe of the app page', { url: APP_URL, origin: 'file://', parent: { url: APP_URL, origin: 'file://', parent: null } }],
    ['an app URL in a frame whose origin is a web site', { url: APP_URL, origin: 'https://evil.example', parent: null }],
    ['a frame that is gone', null],
  ] as const) {
    it(`refuses a call from ${what}, and the lab sees nothing`, async () => {
      const { ipcMain, h } = await host();
      const r = new MemoryRenderer(ipcMain, APP_URL);
      r.frame = frame as FrameShape | null;
      const client = createIpcClient(r.ipcRenderer);
      expect(await client.call('listen', { port: 81 })).toEqual(refused);
      expect(await client.call('reset', { conn: 1 })).toEqual(refused);
      expect(await client.subscribeEvents({}, () => {})).toEqual(refused);
      expect(h.lab.snapshot().listeners).toEqual([]);
      await h.close();
    });
  }

  it('falls back to a simulated wire, with the reason and the setup command, when the TUN is missing', async () => {
    const { lab, ephemeral, fallback } = await openLab({
      device: 'tlnope0',
      makeLab: (o) => {
        if (!o.simulated) throw new LabSetupError("the TUN device 'tlnope0' does not exist", 'sudo tcplab setup --dev tlnope0 --user me');
        return createLab({ ...o, clock: new ManualClock() });
      },
    });
    expect(lab.info.simulated).toBe(true);
    expect(fallback).toEqual({ reason: "the TUN device 'tlnope0' does not exist", command: 'sudo tcplab setup --dev tlnope0 --user me' });
    expect(ephemeral).toBeNull();
    lab.close();
  });

  it('does not hide other failures behind the fallback', async () => {
    await expect(openLab({ makeLab: () => { throw new Error('boom'); } })).rejects.toThrow('boom');
  });

  it.skipIf(!isRoot)('as root with nothing set up: a namespace and TUN of its own, said in one line, deleted on close', async () => {
    const ipcMain = new MemoryIpcMain();
    const h = await hostLab({ appUrl: APP_URL, ipcMain, device: 'tlnope1', socketPath: null });
    const ns = `tcplab-${process.pid}`;
    try {
      expect(h.fallback).toBeNull();
      expect(h.ephemeral?.ns).toBe(ns);
      expect(h.notice).toBe(h.ephemeral?.notice);
      expect(h.notice).toContain(`ip netns exec ${ns} curl http://10.77.0.2/`);
      expect(existsSync(`/run/netns/${ns}`)).toBe(true);
      const snap = await createIpcClient(new MemoryRenderer(ipcMain, APP_URL).ipcRenderer).call('snapshot');
      expect(snap.ok && snap.value.info).toMatchObject({ simulated: false, device: `tl${process.pid}`, netns: ns });
    } finally {
      await h.close();
    }
    expect(existsSync(`/run/netns/${ns}`)).toBe(false);
  });

  it('close() stops serving IPC and closes the lab, once', async () => {
    const { ipcMain, h } = await host();
    await Promise.all([h.close(), h.close()]);
    expect(h.lab.isClosed).toBe(true);
    expect(ipcMain.listenerCount('tcplab:api')).toBe(0);
  });

  it('--replay FILE: serves a recorded session to the app page, read-only (EROFS), without a TUN', async () => {
    expect(parseDesktopArgs(['--replay', '/tmp/s.json', '--no-shell'])).toMatchObject({ replay: '/tmp/s.json', shell: false });
    expect(parseDesktopArgs(['--replay=/tmp/s.json']).replay).toBe('/tmp/s.json');
    const dir = mkdtempSync(join(tmpdir(), 'tl-host-replay-'));
    try {
      // A short session from a simulated lab, recorded through the Lab API as `tcplab record` does.
      const lab = createLab({ simulated: true, seed: 5 });
      const server = new LabServer(lab);
      const client = createLocalClient(server);
      const rec = await SessionRecorder.start(client, { pcap: false });
      await client.call('listen', { port: 80, responder: 'http' });
      await new Promise((r) => setTimeout(r, 250));
      const { log } = await rec.stop();
      await client.close();
      server.close();
      lab.close();
      writeFileSync(join(dir, 'session.json'), JSON.stringify(log));

      const ipcMain = new MemoryIpcMain();
      const h = await hostReplay({ file: join(dir, 'session.json'), appUrl: APP_URL, ipcMain, socketPath: null });
      const page = createIpcClient(new MemoryRenderer(ipcMain, APP_URL).ipcRenderer);
      const snap = await page.call('snapshot');
      expect(snap.ok && snap.value.info.replay?.file).toBe(join(dir, 'session.json'));
      expect(snap.ok && snap.value.listeners.map((l) => l.port)).toEqual([80]);
      expect(await page.call('listen', { port: 81 })).toMatchObject({ ok: false, error: { code: 'EROFS' } });
      expect(h.fallback).toBeNull();
      expect(h.notice).toBeNull();
      await h.close();
      expect(ipcMain.listenerCount('tcplab:api')).toBe(0);
      await expect(hostReplay({ file: join(dir, 'missing.json'), appUrl: APP_URL, ipcMain, socketPath: null })).rejects.toThrow(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
