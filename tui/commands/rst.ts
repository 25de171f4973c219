// `tcplab rst ID`: abort a connection with RST now.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help rst` explains it.
import { labCommand } from './lab-command.ts';

export const rstCommand = labCommand('rst');
