// The Electron security checklist, applied in one place: web preferences for every window
// (context isolation, sandbox, no Node in the page), the Content-Security-Policy header, no
// navigation away from the app, no new windows, no <webview>, every permission refused.
// Written over the small parts of Electron it uses, so tests can pass fakes.
import type { Event, HandlerDetails, Session, WebContents, WebPreferences } from 'electron';

/** Scripts only from the app itself, never eval; the page talks to the lab over IPC only. */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // The kernel-side shell, when offered, is a WebSocket on the loopback with its own token.
  "connect-src 'self' ws://127.0.0.1:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

/** The parts of WebContents the hardening uses. */
export interface ContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: Pick<Event, 'preventDefault'>, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Pick<Event, 'preventDefault'>) => void): unknown;
  setWindowOpenHandler(handler: (details: HandlerDetails) => { action: 'deny' }): void;
}

// Electron's own WebContents must fit.
export const realContentsFits: WebContents extends ContentsLike ? true : never = true;

/** Navigation stays on the app's page (the same URL, any hash); nothing else loads. */
export function hardenContents(contents: ContentsLike, isAppUrl: (url: string) => boolean): void {
  const stay = (event: Pick<Event, 'preventDefault'>, url: string): void => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The parts of Session the hardening uses. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (wc: WebContents, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (wc: WebContents | null, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
  };
}

export const realSessionFits: Session extends SessionLike ? true : never = true;

export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
}

/** The app page and nothing else: same file, any query or hash. */
export function appUrlMatcher(appUrl: string): (url: string) => boolean {
  const base = new URL(appUrl);
  return (url) => {
    try {
      const u = new URL(url);
      return u.protocol === base.protocol && u.host === base.host && u.pathname === base.pathname;
    } catch {
      return false;
    }
  };
}
