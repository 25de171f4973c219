// The desktop app's lab host through an ipcMain-shaped in-memory channel (the Electron binary is
// not available here): the app page uses the lab over IPC, a call from an unexpected frame is
// refused and reaches nothing, a missing TUN falls back to a labelled simulated wire with the
// setup command, and close() shuts the lab down.
import { describe, expect, it } from 'vitest';
import { createIpcClient } from '../../core/api/client-ipc.ts';
import { LabSetupError } from '../../core/lab/errors.ts';
import { createLab } from '../../core/lab/create.ts';
import { ManualClock } from '../../core/stack/clock.ts';
import { hostLab, openLab } from '../../main/lab-host.ts';
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

  it('falls back to a simulated wire, with the reason and the setup command, when the TUN is missing', () => {
    const { lab, fallback } = openLab({
      device: 'tlnope0',
      makeLab: (o) => {
        if (!o.simulated) throw new LabSetupError("the TUN device 'tlnope0' does not exist", 'sudo tcplab setup --dev tlnope0 --user me');
        return createLab({ ...o, clock: new ManualClock() });
      },
    });
    expect(lab.info.simulated).toBe(true);
    expect(fallback).toEqual({ reason: "the TUN device 'tlnope0' does not exist", command: 'sudo tcplab setup --dev tlnope0 --user me' });
    lab.close();
  });

  it('does not hide other failures behind the fallback', () => {
    expect(() => openLab({ makeLab: () => { throw new Error('boom'); } })).toThrow('boom');
  });

  it('close() stops serving IPC and closes the lab, once', async () => {
    const { ipcMain, h } = await host();
    await Promise.all([h.close(), h.close()]);
    expect(h.lab.isClosed).toBe(true);
    expect(ipcMain.listenerCount('tcplab:api')).toBe(0);
  });
});
