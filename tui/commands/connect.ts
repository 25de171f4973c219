// `tcplab connect ADDR PORT [--local-port N] [--responder R]`: open a connection from the lab.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help connect` explains it.
import { labCommand } from './lab-command.ts';

export const connectCommand = labCommand('connect');
