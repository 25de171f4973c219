// The Electron entry (main/app.ts) run against an Electron-shaped fake (the binary is not
// available here): a window with the hardened preferences on the renderer bundle, the lab hosted
// (on a missing TUN: the simulated wire, with the reason and the setup command in the page URL;
// --netns keeps root from getting a TUN of the run's own, which test/main/lab-host.test.ts covers),
// the app page served over IPC while another frame is refused, the lab closed on quit.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { createIpcClient } from '../../core/api/client-ipc.ts';
import { buildRenderer, DIST_DIR } from '../../renderer/build.ts';
import { MemoryIpcMain, MemoryRenderer } from '../core/api/memory-ipc.ts';

type Handler = (...args: unknown[]) => void;

function fakeElectron() {
  const appHandlers = new Map<string, Handler[]>();
  const windows: { options: Record<string, unknown>; url: string | null }[] = [];
  const ipcMain = new MemoryIpcMain();
  let quit = 0;
  const app = {
    isPackaged: false,
    enableSandbox: vi.fn(),
    on(event: string, h: Handler) { appHandlers.set(event, [...(appHandlers.get(event) ?? []), h]); return app; },
    whenReady: () => Promise.resolve(),
    quit: () => { quit++; },
    exit: vi.fn(),
  };
  class BrowserWindow {
    static getAllWindows = () => windows;
    record: { options: Record<string, unknown>; url: string | null };
    constructor(options: Record<string, unknown>) { this.record = { options, url: null }; windows.push(this.record); }
    once() { return this; }
    setMenuBarVisibility() {}
    loadURL(url: string) { this.record.url = url; return Promise.resolve(); }
  }
  const session = {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn() },
    },
  };
  const emit = (event: string, ...args: unknown[]) => { for (const h of appHandlers.get(event) ?? []) h(...args); };
  return { module: { app, BrowserWindow, ipcMain, session }, windows, ipcMain, emit, quits: () => quit };
}

describe('main/app.ts with a fake Electron', () => {
  const argv = process.argv;
  afterAll(() => { process.argv = argv; });

  it('opens one hardened window on the bundle, hosts the lab, serves the page, refuses other frames, closes on quit', async () => {
    if (!existsSync(`${DIST_DIR}/index.html`)) await buildRenderer();
    const fake = fakeElectron();
    process.argv = [argv[0], 'main.mjs', '--dev', 'tlnope0', '--netns', 'tlnope-ns', '--no-socket'];
    vi.resetModules();
    vi.doMock('electron', () => fake.module);
    await import('../../main/app.ts');
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(fake.windows[0].url).not.toBeNull());
    vi.doUnmock('electron');
    const w = fake.windows[0];
    expect(fake.module.app.enableSandbox).toHaveBeenCalled();
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(String((w.options.webPreferences as { preload: string }).preload)).toMatch(/main\/dist\/preload\.cjs$/);
    const url = new URL(w.url!);
    expect(url.protocol).toBe('file:');
    expect(url.pathname).toMatch(/renderer\/dist\/index\.html$/);
    const hash = new URLSearchParams(url.hash.slice(1));
    expect(hash.get('fallback')).toContain("'tlnope0'");
    expect(hash.get('setup')).toContain('tcplab setup --dev tlnope0 --netns tlnope-ns');
    expect(hash.get('notice')).toBeNull();
    expect(fake.module.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();

    // The page (top frame at the app URL) uses the lab; another frame is refused.
    const page = createIpcClient(new MemoryRenderer(fake.ipcMain, w.url!).ipcRenderer);
    const snap = await page.call('snapshot');
    expect(snap.ok && snap.value.info.simulated).toBe(true);
    const evil = new MemoryRenderer(fake.ipcMain, w.url!);
    evil.frame = { url: 'https://evil.example/', origin: 'https://evil.example', parent: null };
    expect(await createIpcClient(evil.ipcRenderer).call('listen', { port: 80 })).toMatchObject({ ok: false, error: { code: 'EPERM' } });

    // Quit: the lab closes first, then the app quits for real.
    let prevented = false;
    fake.emit('before-quit', { preventDefault: () => { prevented = true; } });
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(fake.quits()).toBe(1));
    expect(fake.ipcMain.listenerCount('tcplab:api')).toBe(0);
  }, 30_000);
});
