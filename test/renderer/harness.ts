// The browser tests' lab: a LabServer over a backend (the API's FakeLab until the real lab is
// used), served over the socket transport on 127.0.0.1 with a token, plus the renderer bundle
// (renderer/web-assets.ts), exactly as `tcplab serve --web` does. And a headless Chromium
// (Debian's /usr/bin/chromium through playwright-core) with a fresh profile.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { LabBackend } from '../../core/api/backend.ts';
import { LabServer } from '../../core/api/server.ts';
import { startSocketServer, type SocketServer } from '../../core/api/socket-server.ts';
import { buildRenderer } from '../../renderer/build.ts';
import { createWebAssetHandler } from '../../renderer/web-assets.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** A screenshot of one element (a card of the detail view, say). */
export async function shotOf(target: Locator, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await target.screenshot({ path });
  return path;
}

export async function shot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path });
  return path;
}

export interface WebLab {
  server: LabServer;
  socket: SocketServer;
  /** http://127.0.0.1:PORT/?token=... */
  url: string;
  close(): Promise<void>;
}

let built: Promise<string> | null = null;
export function ensureBundle(): Promise<string> {
  return (built ??= buildRenderer());
}

/** What `tcplab serve --web` runs: LabServer + the socket transport on 127.0.0.1 with a token + the page. */
export async function serveWebLab(backend: LabBackend, opts: { shell?: boolean } = {}): Promise<WebLab> {
  const dir = process.env.NOBUILD ? (await import('../../renderer/build.ts')).DIST_DIR : await ensureBundle();
  const server = new LabServer(backend);
  const assets = createWebAssetHandler({ dir, build: false, shell: opts.shell ?? false });
  const socket = await startSocketServer({ api: server, unixPath: null, tcp: { port: 0 }, onHttpRequest: (req, res) => assets(req, res) });
  const access = socket.tcp;
  if (access === null) throw new Error('no tcp listener');
  return {
    server,
    socket,
    url: `http://127.0.0.1:${access.port}/?token=${access.token}`,
    async close() {
      server.close();
      await socket.close();
    },
  };
}

export const ARTIFACTS = new URL('../../test-artifacts/renderer/', import.meta.url).pathname;

export interface Browsing {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors (a test expects none). */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(opts: { width?: number; height?: number; extraArgs?: string[] } = {}): Promise<Browsing> {
  const profile = await mkdtemp(join(tmpdir(), 'tcplab-chromium-'));
  // A fresh profile each time (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...(opts.extraArgs ?? [])],
    viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e.stack ?? e)));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('favicon')) errors.push(m.text()); });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until `fn` says yes, at most `ms` (real time: the page and the lab run on their own). */
export async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Retries an assertion until it passes or `ms` run out (Playwright's auto-waiting, for vitest's expect). */
export async function eventually(check: () => Promise<void>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A global key, as a user presses it outside any field (the terminal keeps its keys). */
export async function press(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

/** A view by its key (1-8), from wherever the page is (Esc first: out of a detail or a jump). */
export async function view(page: Page, key: string): Promise<void> {
  await press(page, 'Escape');
  await press(page, key);
}

/**
 * Screenshots of the page (or one element) in English and Chinese, light and dark:
 * NAME-en-light.png ... NAME-zh-dark.png. Leaves the page as it found it.
 */
export async function shotsInAllLooks(page: Page, name: string, target?: () => Locator, opts: { height?: number } = {}): Promise<string[]> {
  const out: string[] = [];
  const size = page.viewportSize();
  if (opts.height !== undefined && size !== null) await page.setViewportSize({ width: size.width, height: opts.height });
  const look = async (): Promise<{ lang: string; theme: string }> => page.evaluate(() => ({
    lang: document.documentElement.lang.startsWith('zh') ? 'zh' : 'en', theme: document.documentElement.dataset.theme ?? 'dark',
  }));
  const start = await look();
  for (const lang of ['en', 'zh']) {
    for (const theme of ['light', 'dark']) {
      let now = await look();
      if (now.lang !== lang) await press(page, 'l');
      if (now.theme !== theme) await press(page, 't');
      await until(`${lang} ${theme}`, async () => { now = await look(); return now.lang === lang && now.theme === theme; }, 10_000);
      await page.waitForTimeout(250);
      out.push(target ? await shotOf(target(), `${name}-${lang}-${theme}`) : await shot(page, `${name}-${lang}-${theme}`));
    }
  }
  const end = await look();
  if (end.lang !== start.lang) await press(page, 'l');
  if (end.theme !== start.theme) await press(page, 't');
  if (opts.height !== undefined && size !== null) await page.setViewportSize(size);
  return out;
}
