// Builds the renderer bundle with esbuild: renderer/dist/{index.html, app.js, app.css}.
// Everything is bundled; the page loads nothing from anywhere else.
//   npx tsx renderer/build.ts [--dev]
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RENDERER_DIR = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = join(RENDERER_DIR, 'dist');

/**
 * Builds into a private directory, then renames each file into place: a page being served (or
 * a test running in parallel) never reads a half-written bundle.
 */
export async function buildRenderer(opts: { minify?: boolean; outdir?: string } = {}): Promise<string> {
  const final = opts.outdir ?? DIST_DIR;
  // Inside the output directory (same filesystem for rename; ignored by git and lint with it).
  const outdir = join(final, `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(outdir, { recursive: true });
  try {
    await bundle(outdir, opts.minify ?? true);
    await mkdir(final, { recursive: true });
    for (const f of await readdir(outdir)) await rename(join(outdir, f), join(final, f));
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
  return final;
}

async function bundle(outdir: string, minify: boolean): Promise<void> {
  await build({
    entryPoints: { app: join(RENDERER_DIR, 'src', 'main.tsx') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff2': 'file', '.ttf': 'file' },
    logLevel: 'warning',
  });
  await copyFile(join(RENDERER_DIR, 'index.html'), join(outdir, 'index.html'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await buildRenderer({ minify: !process.argv.includes('--dev') });
  process.stdout.write(`renderer built in ${dir}\n`);
}
