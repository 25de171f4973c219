// `tcplab resume LISTENER`: accept again on a listener.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help resume` explains it.
import { labCommand } from './lab-command.ts';

export const resumeCommand = labCommand('resume');
