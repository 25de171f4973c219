// `tcplab send [-E | --base64] ID DATA...`: send data on a connection of the lab.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help send` explains it.
import { labCommand } from './lab-command.ts';

export const sendCommand = labCommand('send');
