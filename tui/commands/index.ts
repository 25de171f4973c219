import type { Command } from './command.ts';
import { versionCommand } from './version.ts';
import { setupCommand } from './setup.ts';
import { teardownCommand } from './teardown.ts';
import { packetdrillCommand } from './packetdrill.ts';

/** Every subcommand, in the order `tcplab help` lists them. */
export const commands: Command[] = [versionCommand, setupCommand, teardownCommand, packetdrillCommand];
