// `tcplab scenario ls|run NAME|stop`: guided scenarios.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help scenario` explains it.
import { labCommand } from './lab-command.ts';

export const scenarioCommand = labCommand('scenario');
