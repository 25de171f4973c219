// The window's hardening (main/security.ts) through Electron-shaped fakes: no Node in the page,
// sandbox and context isolation on, no navigation away, no new windows, no webviews, every
// permission refused, and a CSP without unsafe-eval on every response.
import { describe, expect, it } from 'vitest';
import { APP_CSP, appUrlMatcher, hardenContents, hardenSession, webPreferences, type ContentsLike, type SessionLike } from '../../main/security.ts';

const APP = 'file:///opt/tcplab/resources/app/renderer/dist/index.html';

function fakeContents() {
  const listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  let openHandler: ((d: unknown) => { action: string }) | null = null;
  const contents = {
    on(event: string, l: (...a: unknown[]) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), l]);
      return contents;
    },
    setWindowOpenHandler(h: (d: unknown) => { action: string }) { openHandler = h; },
  };
  const fire = (event: string, ...args: unknown[]): boolean => {
    let prevented = false;
    for (const l of listeners.get(event) ?? []) l({ preventDefault: () => { prevented = true; } }, ...args);
    return prevented;
  };
  return { contents: contents as unknown as ContentsLike, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('main window security', () => {
  it('turns on context isolation and the sandbox, and keeps Node out of the page', () => {
    const p = webPreferences('/x/preload.cjs');
    expect(p).toMatchObject({
      preload: '/x/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false,
      allowRunningInsecureContent: false,
    });
  });

  it('refuses navigation away from the app page, new windows and webviews', () => {
    const f = fakeContents();
    hardenContents(f.contents, appUrlMatcher(APP));
    expect(f.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(f.fire('will-redirect', 'http://127.0.0.1:9/')).toBe(true);
    expect(f.fire('will-navigate', `${APP}#shell=x`)).toBe(false);
    expect(f.fire('will-attach-webview')).toBe(true);
    expect(f.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(f.open(APP)).toEqual({ action: 'deny' });
  });

  it('refuses every permission and sends the CSP with every response', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, p: string) => boolean) | null = null;
    let headers: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | null = null;
    const session = {
      setPermissionRequestHandler: (h: typeof request) => { request = h; },
      setPermissionCheckHandler: (h: typeof check) => { check = h; },
      webRequest: { onHeadersReceived: (h: typeof headers) => { headers = h; } },
    } as unknown as SessionLike;
    hardenSession(session);
    const granted: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) request!(null, p, (g) => granted.push(g));
    expect(granted).toEqual([false, false, false, false, false]);
    expect(check!(null, 'media')).toBe(false);
    let out: Record<string, string[]> | undefined;
    headers!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => { out = r.responseHeaders; });
    expect(out?.['X-Other']).toEqual(['1']);
    expect(out?.['Content-Security-Policy']).toEqual([APP_CSP]);
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toMatch(/unsafe-eval/);
    expect(APP_CSP).toContain("default-src 'none'");
  });

  it('matches only the app page', () => {
    const is = appUrlMatcher(APP);
    expect(is(`${APP}?a=1#b`)).toBe(true);
    expect(is('file:///opt/tcplab/resources/app/renderer/dist/other.html')).toBe(false);
    expect(is('not a url')).toBe(false);
  });
});
