import type { Command } from './command.ts';
import { versionCommand } from './version.ts';

/** Every subcommand, in the order `tcplab help` lists them. */
export const commands: Command[] = [versionCommand];
