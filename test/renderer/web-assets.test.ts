// The bundle server of `tcplab serve --web`: files of the bundle with a strict CSP, nothing else.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebAssetHandler, WEB_CSP } from '../../renderer/web-assets.ts';

describe('web assets', () => {
  let dir: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'tcplab-assets-'));
    dir = join(root, 'dist');
    await mkdir(dir);
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'app.js'), 'console.log(1)');
    await writeFile(join(root, 'secret.txt'), 'no');
    const handler = createWebAssetHandler({ dir, build: false });
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('serves the page with a CSP that forbids eval and remote scripts', async () => {
    const res = await fetch(`${base}/?token=abc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(WEB_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves bundle files with their types', async () => {
    const res = await fetch(`${base}/app.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
  });

  it('never serves files outside the bundle, and refuses other methods', async () => {
    expect((await fetch(`${base}/../secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});
