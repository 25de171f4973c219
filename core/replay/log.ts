// A recorded session: the JSON event log that goes with a pcap file. It holds what the Lab API
// showed while it was recorded: every event (in order, with the lab's seq and time), the
// snapshot stream (a full snapshot, then diffs), the knobs and scenarios, and the facts of the
// lab. A replay (replay-lab.ts) serves the contract's reads from it alone, so the GUI and the
// TUI show the session without a TUN.
//
//   session.json   this log          session.pcap   the packets (LINKTYPE_RAW), when recorded
import type { KnobInfo, ScenarioInfo } from '../api/contract.ts';
import type { LabEvent } from '../api/events.ts';
import type { SnapshotMessage } from '../api/snapshot-diff.ts';
import type { LabInfo } from '../api/snapshot.ts';

export const SESSION_FORMAT = 'tcplab-session';
export const SESSION_VERSION = 1;

/** Bounds of a recording (beyond them the recorder stops adding and says so in `truncated`). */
export const MAX_EVENTS = 2_000_000;
export const MAX_FRAMES = 200_000;

export interface SessionLog {
  format: typeof SESSION_FORMAT;
  version: typeof SESSION_VERSION;
  /** Wall-clock time the recording started (ISO 8601). */
  recordedAt: string;
  /** Lab time (ms) of the first and the last thing recorded. */
  start: number;
  end: number;
  /** The lab as it was: device, addresses, time scale. */
  info: LabInfo;
  knobs: KnobInfo[];
  scenarios: ScenarioInfo[];
  /** Every event, oldest first. */
  events: LabEvent[];
  /** The snapshot stream: a full snapshot first, then diffs (or another full one after a gap). */
  frames: SnapshotMessage[];
  /** Event-stream gaps while recording (events the lab could not deliver in time). */
  gaps: { at: number; missed: number }[];
  /** The pcap file recorded with it (name relative to the log), or null. */
  pcap: { file: string; packets: number; bytes: number } | null;
  /** Set when a bound was reached: what was left out. */
  truncated: string | null;
}

/** `name.json` and `name.pcap` for a base name (a trailing .json or .pcap is dropped). */
export function sessionFiles(base: string): { json: string; pcap: string } {
  const b = base.replace(/\.(json|pcap)$/, '');
  return { json: `${b}.json`, pcap: `${b}.pcap` };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks the shape of a loaded log (enough to serve it safely); says what is wrong otherwise. */
export function parseSessionLog(text: string): Parsed<SessionLog> {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(x)) return { ok: false, error: 'not a tcplab session log (expected an object)' };
  if (x.format !== SESSION_FORMAT) return { ok: false, error: `not a tcplab session log (format is ${JSON.stringify(x.format)}, expected "${SESSION_FORMAT}")` };
  if (x.version !== SESSION_VERSION) return { ok: false, error: `session log version ${String(x.version)} is not supported (this tcplab reads version ${SESSION_VERSION})` };
  for (const k of ['events', 'frames', 'knobs', 'scenarios', 'gaps'] as const) {
    if (!Array.isArray(x[k])) return { ok: false, error: `${k}: must be an array` };
  }
  if (!isObject(x.info)) return { ok: false, error: 'info: must be an object' };
  if (typeof x.start !== 'number' || typeof x.end !== 'number') return { ok: false, error: 'start, end: must be lab times (numbers)' };
  const frames = x.frames as unknown[];
  if (frames.length === 0 || !isObject(frames[0]) || frames[0].kind !== 'full') return { ok: false, error: 'frames: must start with a full snapshot' };
  const events = x.events as unknown[];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!isObject(e) || typeof e.kind !== 'string' || typeof e.seq !== 'number' || typeof e.at !== 'number') return { ok: false, error: `events[${i}]: not an event` };
  }
  return { ok: true, value: x as unknown as SessionLog };
}
