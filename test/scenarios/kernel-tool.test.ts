// kernel-tool.py runs from its embedded copy (python3 -c): the two must be the same text, and
// the tool must work that way (no namespace needed for this: loopback only).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { KERNEL_TOOL_SOURCE } from '../../core/lab/scenarios/kernel-tool-source.ts';

it('the embedded source is kernel-tool.py, unchanged', () => {
  const py = readFileSync(new URL('../../core/lab/scenarios/kernel-tool.py', import.meta.url), 'utf8');
  expect(KERNEL_TOOL_SOURCE === py, 'kernel-tool-source.ts is out of date: npm run embed:kernel-tool').toBe(true);
});

it('runs as python3 -c: help, and a step that fails by errno name', () => {
  expect(execFileSync('python3', ['-c', KERNEL_TOOL_SOURCE, '--help'], { encoding: 'utf8' })).toMatch(/kernel-tool\.py STEP \[STEP \.\.\.\]/);
  const r = spawnSync('python3', ['-c', KERNEL_TOOL_SOURCE, 'timeout=2', 'connect=127.0.0.1:1'], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(out[1]).toMatchObject({ step: 'connect', ok: false, error: 'ECONNREFUSED' });
  expect(out.at(-1)).toMatchObject({ done: true, ok: false });
});
