// `tcplab pcap start|stop|save [FILE]`: record packets and save them as a pcap file.
// Parsed by the shared command language (core/api/command-line.ts); `tcplab help pcap` explains it.
import { labCommand } from './lab-command.ts';

export const pcapCommand = labCommand('pcap');
