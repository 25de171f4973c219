// The Electron main process: one hardened window on the renderer bundle, the lab hosted beside
// it (TUN, for root with nothing set up one of this run's own, or a labelled simulated wire; or a
// recorded session with --replay FILE, read-only), served over IPC and the Unix socket; a clean
// shutdown on quit. Bundled by main/build.ts into main/dist/main.mjs; `tcplab start` launches it
// (main/launch.ts) when a display and the Electron runtime are present.
import { app, BrowserWindow, ipcMain, session, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hostLab, hostReplay, type Hosted } from './lab-host.ts';
import { parseDesktopArgs } from './args.ts';
import { appUrlMatcher, hardenContents, hardenSession, webPreferences } from './security.ts';
import { startKernelShell, type KernelShell } from './kernel-shell.ts';

const here = dirname(fileURLToPath(import.meta.url));
// main/dist/main.mjs when bundled (the app), main/app.ts when run from source (tests).
const root = basename(here) === 'dist' ? join(here, '..', '..') : join(here, '..');
const indexHtml = join(root, 'renderer', 'dist', 'index.html');
const preload = join(root, 'main', 'dist', 'preload.cjs');
const appUrl = pathToFileURL(indexHtml).href;

let host: Hosted | null = null;
let shell: KernelShell | null = null;
let quitting = false;

function pageUrl(h: Hosted, sh: KernelShell | null): string {
  const hash = new URLSearchParams();
  if (h.fallback !== null) {
    hash.set('fallback', h.fallback.reason);
    if (h.fallback.command !== null) hash.set('setup', h.fallback.command);
  }
  if (h.notice !== null) hash.set('notice', h.notice);
  if (sh !== null) hash.set('shell', sh.url);
  const tail = hash.toString();
  return tail === '' ? appUrl : `${appUrl}#${tail}`;
}

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'tcplab',
    backgroundColor: '#0b0f14',
    show: false,
    webPreferences: webPreferences(preload),
  });
  win.once('ready-to-show', () => win.show());
  win.setMenuBarVisibility(false);
  await win.loadURL(pageUrl(host as Hosted, shell));
}

async function start(): Promise<void> {
  const args = parseDesktopArgs(process.argv.slice(app.isPackaged ? 1 : 2));
  if (!existsSync(indexHtml)) throw new Error(`the renderer bundle is missing (${indexHtml}); run: npx tsx renderer/build.ts`);
  const isApp = appUrlMatcher(appUrl);
  hardenSession(session.defaultSession);
  app.on('web-contents-created', (_e, contents: WebContents) => hardenContents(contents, isApp));
  if (args.replay !== undefined) {
    // A recording: no TUN, no kernel shell; the page labels it read-only.
    host = await hostReplay({ file: args.replay, socketPath: args.socketPath, appUrl, ipcMain });
    if (host.socketError !== null) process.stderr.write(`tcplab: not serving the Unix socket: ${host.socketError}\n`);
    await createWindow();
    app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) void createWindow(); });
    return;
  }
  const lab = await hostLab({ ...args, appUrl, ipcMain });
  host = lab;
  if (lab.fallback !== null) process.stderr.write(`tcplab: ${lab.fallback.reason}; running on a simulated wire${lab.fallback.command ? ` (fix: ${lab.fallback.command})` : ''}\n`);
  if (lab.notice !== null) process.stderr.write(`${lab.notice}\n`);
  if (lab.socketError !== null) process.stderr.write(`tcplab: not serving the Unix socket: ${lab.socketError}\n`);
  if (args.shell && lab.fallback === null) {
    // An ephemeral device has no `tcplab setup` record: its namespace is the shell's.
    const where = lab.ephemeral !== null ? { netnsPath: `/run/netns/${lab.ephemeral.ns}` } : { device: lab.lab.info.device ?? undefined };
    shell = await startKernelShell(where).catch((err: unknown) => {
      process.stderr.write(`tcplab: no kernel shell: ${err instanceof Error ? err.message : String(err)}\n`);
      return null;
    });
  }
  await createWindow();
  app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) void createWindow(); });
}

app.enableSandbox();
app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (quitting || (host === null && shell === null)) return;
  // Close the lab (releases the TUN, removes the socket) before the process goes.
  event.preventDefault();
  quitting = true;
  void Promise.allSettled([shell?.close(), host?.close()]).finally(() => app.quit());
});

app.whenReady().then(start).catch((err: unknown) => {
  process.stderr.write(`tcplab: ${err instanceof Error ? err.message : String(err)}\n`);
  app.exit(1);
});
