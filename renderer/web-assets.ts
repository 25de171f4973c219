// Serves the renderer bundle over HTTP for `tcplab serve --web` (and the browser tests): the
// files of renderer/dist with a strict Content-Security-Policy, nothing else. The bundle is
// built with esbuild on first use when it is missing. Node side; the page itself is in src/.
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { buildRenderer, DIST_DIR } from './build.ts';

/** The CSP sent with every page: scripts only from the app, no eval, WebSocket to the same origin only. */
export const WEB_CSP = cspFor(false);

/** With a kernel shell offered (`serve --web --shell`), the page may also open a loopback WebSocket (its own token guards it). */
export function cspFor(loopbackWs: boolean): string {
  return [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  loopbackWs ? "connect-src 'self' ws://127.0.0.1:*" : "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  ].join('; ');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface WebAssetOptions {
  /** Where the bundle is; default renderer/dist. */
  dir?: string;
  /** Build the bundle if index.html is missing (default true). */
  build?: boolean;
  /** A kernel shell is offered on another loopback port (see main/kernel-shell.ts). */
  shell?: boolean;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createWebAssetHandler(opts: WebAssetOptions = {}): HttpHandler {
  const dir = opts.dir ?? DIST_DIR;
  let ready: Promise<void> | null = null;
  const ensureBuilt = (): Promise<void> =>
    (ready ??= stat(join(dir, 'index.html')).then(
      () => undefined,
      async () => {
        if (opts.build === false) throw new Error(`no renderer bundle in ${dir}`);
        await buildRenderer({ outdir: dir });
      },
    ));

  return (req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
      const file = normalize(join(dir, rel));
      if (!file.startsWith(dir + sep) || rel.includes('\0')) {
        res.writeHead(404).end();
        return;
      }
      try {
        await ensureBuilt();
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': opts.shell ? cspFor(true) : WEB_CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cross-origin-opener-policy': 'same-origin',
          'cache-control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })();
  };
}
