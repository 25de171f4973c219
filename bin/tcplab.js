#!/usr/bin/env node
// The tcplab command. Runs the TypeScript sources through tsx, so a checkout works without a build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../tui/cli.ts');
process.exitCode = await main(process.argv.slice(2));
