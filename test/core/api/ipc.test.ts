// The contract suite over Electron IPC: page -> window.tcplab (the preload's bridge) ->
// ipcRenderer -> an in-memory ipcMain-shaped channel -> main/ipc-server.ts -> LabServer.
// Plus the sender-frame checks and the exact shape of what the preload exposes.
import { describe, expect, it } from 'vitest';
import { clientFromBridge } from '../../../core/api/bridge.ts';
import { METHODS } from '../../../core/api/contract.ts';
import { createIpcClient } from '../../../core/api/client-ipc.ts';
import { IPC_CHANNEL } from '../../../core/api/protocol.ts';
import { serveIpc, trustedUrlFor } from '../../../main/ipc-server.ts';
import { makeLab, transportSuite } from './contract-suite.ts';
import { APP_URL, loadPreload } from './transports.ts';
import { frameAt, MemoryIpcMain, MemoryRenderer } from './memory-ipc.ts';

transportSuite('Electron IPC (preload bridge, in-memory ipcMain)');

describe('the preload', () => {
  it('exposes exactly the contract: one function per method, the two streams and unsubscribe', async () => {
    const bridge = await loadPreload(new MemoryRenderer(new MemoryIpcMain(), APP_URL));
    expect(Object.keys(bridge).sort()).toEqual([...METHODS, 'subscribeEvents', 'subscribeSnapshots', 'unsubscribe'].sort());
    expect(Object.values(bridge).every((f) => typeof f === 'function')).toBe(true);
    expect(Object.isFrozen(bridge)).toBe(true);
  });
});

describe('IPC sender-frame checks', () => {
  async function setup() {
    const { fake, server } = makeLab({});
    const ipcMain = new MemoryIpcMain();
    const ipc = serveIpc(ipcMain, server, { isTrustedUrl: trustedUrlFor(APP_URL) });
    return { fake, server, ipcMain, ipc };
  }

  const refused = { ok: false, error: { code: 'EPERM', message: 'this frame may not use the lab' } };

  for (const [what, frame] of [
    ['a page from another origin', frameAt('https://evil.example/')],
    ['a file outside the app', frameAt('file:///tmp/evil.html')],
    ['a path that climbs out of the app', frameAt('file:///opt/tcplab/resources/app/renderer/../../../../../tmp/x.html')],
    ['a subframe of the app page', frameAt(APP_URL, frameAt(APP_URL))],
    ['an app URL in a frame whose origin is another', { url: APP_URL, origin: 'https://evil.example', parent: null }],
  ] as const) {
    it(`refuses ${what}, and the lab sees nothing`, async () => {
      const { fake, ipcMain, ipc } = await setup();
      const r = new MemoryRenderer(ipcMain, APP_URL);
      r.frame = frame;
      const client = createIpcClient(r.ipcRenderer);
      expect(await client.call('listen', { port: 80 })).toEqual(refused);
      expect(await client.subscribeEvents({}, () => {})).toEqual(refused);
      expect(fake.snapshot().listeners).toEqual([]);
      expect(fake.subscriberCount).toBe(0);
      ipc.close();
    });
  }

  it('refuses a message whose sender frame is gone (null)', async () => {
    const { fake, ipcMain, ipc } = await setup();
    const r = new MemoryRenderer(ipcMain, APP_URL);
    r.frame = null;
    const client = createIpcClient(r.ipcRenderer);
    expect(await client.call('listen', { port: 80 })).toEqual(refused);
    expect(fake.snapshot().listeners).toEqual([]);
    ipc.close();
  });

  it('serves the app page while refusing another frame at the same time', async () => {
    const { fake, ipcMain, ipc } = await setup();
    const good = createIpcClient(new MemoryRenderer(ipcMain, APP_URL).ipcRenderer);
    const evil = new MemoryRenderer(ipcMain, APP_URL);
    evil.frame = frameAt('https://evil.example/');
    const bad = createIpcClient(evil.ipcRenderer);
    expect(await bad.call('reset', { conn: 1 })).toEqual(refused);
    expect(await good.call('listen', { port: 80 })).toMatchObject({ ok: true });
    expect(fake.snapshot().listeners).toHaveLength(1);
    ipc.close();
  });

  it('drops a page\'s subscriptions when it reloads (a new preload says hello)', async () => {
    const { fake, ipcMain, ipc } = await setup();
    const r = new MemoryRenderer(ipcMain, APP_URL);
    const first = clientFromBridge(await loadPreload(r));
    expect(await first.subscribeEvents({}, () => {})).toMatchObject({ ok: true });
    expect(fake.subscriberCount).toBe(1);
    const reloaded = clientFromBridge(await loadPreload(r));
    expect(await reloaded.call('faultList')).toMatchObject({ ok: true });
    expect(fake.subscriberCount).toBe(0);
    ipc.close();
  });

  it('ends a renderer session when its webContents is destroyed, and stops listening on close', async () => {
    const { fake, ipcMain, ipc } = await setup();
    const r = new MemoryRenderer(ipcMain, APP_URL);
    const client = createIpcClient(r.ipcRenderer);
    expect(await client.subscribeEvents({}, () => {})).toMatchObject({ ok: true });
    expect(fake.subscriberCount).toBe(1);
    r.destroy();
    expect(fake.subscriberCount).toBe(0);
    ipc.close();
    expect(ipcMain.listenerCount(IPC_CHANNEL)).toBe(0);
  });
});

describe('trustedUrlFor', () => {
  it('trusts files under the app directory for a file: app', () => {
    const trusted = trustedUrlFor(APP_URL);
    expect(trusted(APP_URL)).toBe(true);
    expect(trusted('file:///opt/tcplab/resources/app/renderer/other.html#x')).toBe(true);
    expect(trusted('file:///opt/tcplab/resources/app/')).toBe(false);
    expect(trusted('file:///opt/tcplab/resources/app/renderer-evil/index.html')).toBe(false);
    expect(trusted('not a url')).toBe(false);
  });

  it('trusts the same origin for an http app (the dev server)', () => {
    const trusted = trustedUrlFor('http://localhost:5173/index.html');
    expect(trusted('http://localhost:5173/other')).toBe(true);
    expect(trusted('http://localhost:5174/')).toBe(false);
    expect(trusted('http://127.0.0.1:5173/')).toBe(false);
  });
});
