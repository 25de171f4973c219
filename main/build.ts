// Bundles the desktop app with esbuild: the main process (ESM, Node) and the sandboxed preload
// (CommonJS, as sandboxed preloads must be), next to the renderer bundle. Electron itself stays
// external. `npx tsx main/build.ts`
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer } from '../renderer/build.ts';

export const MAIN_DIR = dirname(fileURLToPath(import.meta.url));
export const MAIN_DIST = join(MAIN_DIR, 'dist');

export async function buildDesktop(opts: { minify?: boolean; outdir?: string; renderer?: boolean } = {}): Promise<{ main: string; preload: string }> {
  if (opts.renderer !== false) await buildRenderer({ minify: opts.minify ?? true });
  const outdir = opts.outdir ?? MAIN_DIST;
  const common = { bundle: true, platform: 'node' as const, target: 'node20', minify: opts.minify ?? false, logLevel: 'warning' as const, legalComments: 'none' as const };
  const main = join(outdir, 'main.mjs');
  const preload = join(outdir, 'preload.cjs');
  await build({
    ...common,
    entryPoints: [join(MAIN_DIR, 'app.ts')],
    outfile: main,
    format: 'esm',
    external: ['electron', 'bufferutil', 'utf-8-validate', '*.node'],
    // CommonJS dependencies (ws) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __tcplabCreateRequire } from 'node:module'; const require = __tcplabCreateRequire(import.meta.url);" },
  });
  await build({ ...common, entryPoints: [join(MAIN_DIR, 'preload.ts')], outfile: preload, format: 'cjs', external: ['electron'] });
  return { main, preload };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildDesktop();
  process.stdout.write(`desktop app built: ${out.main}, ${out.preload}\n`);
}
