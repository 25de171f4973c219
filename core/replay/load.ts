// A recorded session from its files: FILE.json (or FILE given without .json) and the pcap beside
// it, as a ReplayLab. `tcplab replay` and the desktop app's --replay load it the same way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseSessionLog, sessionFiles } from './log.ts';
import { ReplayLab } from './replay-lab.ts';

/** The session's log and pcap; throws an Error saying what is wrong (unreadable, not a session log). */
export function loadReplay(file: string): ReplayLab {
  const files = sessionFiles(file);
  const jsonPath = existsSync(file) && file.endsWith('.json') ? file : files.json;
  let text: string;
  try {
    text = readFileSync(jsonPath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${jsonPath}: ${(e as Error).message}`);
  }
  const parsed = parseSessionLog(text);
  if (!parsed.ok) throw new Error(`${jsonPath}: ${parsed.error}`);
  const log = parsed.value;
  const pcapPath = log.pcap !== null && log.pcap.file !== '' ? join(dirname(jsonPath), log.pcap.file) : files.pcap;
  return new ReplayLab(log, { file: jsonPath, pcap: existsSync(pcapPath) ? readFileSync(pcapPath) : null });
}
