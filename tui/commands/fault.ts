// `tcplab fault add|rm|ls|random ...`: fault rules and random faults.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help fault` explains it.
import { labCommand } from './lab-command.ts';

export const faultCommand = labCommand('fault');
