// `tcplab unlisten LISTENER`: close a listener of the running lab.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help unlisten` explains it.
import { labCommand } from './lab-command.ts';

export const unlistenCommand = labCommand('unlisten');
