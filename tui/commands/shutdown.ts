// `tcplab shutdown ID`: half-close a connection (FIN after queued data).
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help shutdown` explains it.
import { labCommand } from './lab-command.ts';

export const shutdownCommand = labCommand('shutdown');
