// `tcplab time [pause|resume|step [N]|scale X|slow MS|off]`: time control of the lab side.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help time` explains it.
import { labCommand } from './lab-command.ts';

export const timeCommand = labCommand('time');
