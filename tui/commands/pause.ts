// `tcplab pause LISTENER`: stop accepting on a listener (its accept queue fills).
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help pause` explains it.
import { labCommand } from './lab-command.ts';

export const pauseCommand = labCommand('pause');
