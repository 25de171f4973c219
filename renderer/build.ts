// Builds the renderer bundle with esbuild: renderer/dist/{index.html, app.js, app.css}.
// Everything is bundled; the page loads nothing from anywhere else.
//   npx tsx renderer/build.ts [--dev]
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RENDERER_DIR = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = join(RENDERER_DIR, 'dist');

export async function buildRenderer(opts: { minify?: boolean; outdir?: string } = {}): Promise<string> {
  const outdir = opts.outdir ?? DIST_DIR;
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(RENDERER_DIR, 'src', 'main.tsx') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff2': 'file', '.ttf': 'file' },
    logLevel: 'warning',
  });
  await copyFile(join(RENDERER_DIR, 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await buildRenderer({ minify: !process.argv.includes('--dev') });
  process.stdout.write(`renderer built in ${dir}\n`);
}
