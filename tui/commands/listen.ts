// `tcplab listen PORT [--backlog N] [--responder echo|discard|http|chargen|manual]`: a listener on the running lab.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help listen` explains it.
import { labCommand } from './lab-command.ts';

export const listenCommand = labCommand('listen');
