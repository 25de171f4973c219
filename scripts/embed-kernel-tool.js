#!/usr/bin/env node
// Writes core/lab/scenarios/kernel-tool-source.ts from kernel-tool.py (the one source to edit):
// the scenarios run the tool as `python3 -c SOURCE`, so it works from a bundle (the Electron app)
// where the .py file is not next to the code. `npm run embed:kernel-tool` after editing the .py;
// test/scenarios/kernel-tool.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../core/lab/scenarios/', import.meta.url);
const py = readFileSync(new URL('kernel-tool.py', dir), 'utf8');
if (py.includes('`') || py.includes('${')) {
  console.error('kernel-tool.py contains ` or ${, which a String.raw template cannot hold: write them another way');
  process.exit(1);
}
const header = [
  "// kernel-tool.py's source, embedded so the tool runs (python3 -c) wherever the lab's code is,",
  '// also from a bundle (the Electron app) where the .py file is not next to the code.',
  '// Generated from kernel-tool.py by scripts/embed-kernel-tool.js (npm run embed:kernel-tool): edit the .py.',
].join('\n');
writeFileSync(new URL('kernel-tool-source.ts', dir), `${header}\nexport const KERNEL_TOOL_SOURCE = String.raw\`${py}\`;\n`);
