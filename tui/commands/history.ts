// `tcplab history ID | history clear`: one connection's events as trace lines, or forget the history.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help history` explains it.
import { labCommand } from './lab-command.ts';

export const historyCommand = labCommand('history');
