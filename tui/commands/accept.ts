// `tcplab accept LISTENER`: take one connection from a listener's accept queue.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help accept` explains it.
import { labCommand } from './lab-command.ts';

export const acceptCommand = labCommand('accept');
