// The desktop bundles (main/build.ts): the main process as ESM with Electron left external, and
// the sandboxed preload as one CommonJS file whose only require is 'electron' (a sandboxed
// preload can load nothing else).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDesktop } from '../../main/build.ts';

describe('desktop bundles', () => {
  it('bundle main and a self-contained sandboxed preload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tcplab-desktop-'));
    try {
      const out = await buildDesktop({ outdir: dir, renderer: false });
      const preload = await readFile(out.preload, 'utf8');
      const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect([...new Set(requires)]).toEqual(['electron']);
      expect(preload).toContain('exposeInMainWorld');
      const main = await readFile(out.main, 'utf8');
      expect(main).toMatch(/from "electron"/);
      expect(main).toContain('createRequire');
      expect(main).toContain('contextIsolation: true');
      expect(main).toContain('sandbox: true');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
