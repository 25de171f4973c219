// `tcplab set NAME=VALUE`: change a knob of the lab.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help set` explains it.
import { labCommand } from './lab-command.ts';

export const setCommand = labCommand('set');
