// `tcplab close ID`: close a connection gracefully (FIN).
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help close` explains it.
import { labCommand } from './lab-command.ts';

export const closeCommand = labCommand('close');
