import { readFileSync } from 'node:fs';
import type { Command } from './command.ts';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the tcplab version',
  async run() {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`tcplab ${pkg.version}\n`);
    return 0;
  },
};
