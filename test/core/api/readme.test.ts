// core/api/README.md documents every method of the contract (and no other).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { METHODS } from '../../../core/api/contract.ts';

it('the README table lists exactly the contract\'s methods', () => {
  const readme = readFileSync(new URL('../../../core/api/README.md', import.meta.url), 'utf8');
  const listed = [...readme.matchAll(/^\| `(\w+)` \| (?:command|read) \|/gm)].map((m) => m[1]);
  expect(listed.sort()).toEqual([...METHODS].sort());
});
