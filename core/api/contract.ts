// The one contract of the Lab API: every method with its argument schema (schemas.ts) and
// its result type, plus the two streams. Transports, validation, the CLI and the Electron
// preload all derive from this table; nothing else lists the methods.
import type * as v from 'valibot';
import { argSchemas, streamSchemas } from './schemas.ts';
import type { FaultStatus } from './fault-schemas.ts';
import type { LabEvent, SegmentEvent } from './events.ts';
import type { Snapshot, TimeStatus } from './snapshot.ts';

export type Empty = Record<string, never>;

export interface KnobInfo {
  name: string;
  linuxName?: string;
  value: number | string;
  default: number | string;
  min?: number;
  max?: number;
  choices?: readonly (number | string)[];
  unit?: string;
  doc: string;
}

export interface ScenarioInfo {
  name: string;
  title: string;
  titleZh?: string;
  summary?: string;
  summaryZh?: string;
  /** 'kernel': only on a TUN with the kernel as peer (refused on the simulated wire). */
  needs?: 'kernel' | 'any';
  /** What the teaching material says, what Linux does, where they differ. */
  explain?: { en: string; zh: string };
}

/** Types only: `result: returns<T>()` records T in the table at no runtime cost. */
const returns = <T>(): T => undefined as T;

type Kind = 'command' | 'read';
const command = 'command' satisfies Kind;
const read = 'read' satisfies Kind;

export const contract = {
  // --- commands ---
  listen: { kind: command, args: argSchemas.listen, result: returns<{ listener: number; port: number }>(), doc: 'Listen on a port with a responder (echo, discard, http, chargen, manual).' },
  unlisten: { kind: command, args: argSchemas.unlisten, result: returns<Empty>(), doc: 'Close a listener (connections still in its accept queue are reset).' },
  connect: { kind: command, args: argSchemas.connect, result: returns<{ conn: number }>(), doc: 'Open a connection from the lab to addr:port.' },
  send: { kind: command, args: argSchemas.send, result: returns<{ written: number }>(), doc: 'Send data (utf8 or base64) on a connection; answers the bytes taken into the send buffer.' },
  shutdown: { kind: command, args: argSchemas.shutdown, result: returns<Empty>(), doc: 'Half-close: send FIN after queued data, keep receiving.' },
  close: { kind: command, args: argSchemas.close, result: returns<Empty>(), doc: 'Graceful close (FIN).' },
  reset: { kind: command, args: argSchemas.reset, result: returns<Empty>(), doc: 'Abort with RST now.' },
  accept: { kind: command, args: argSchemas.accept, result: returns<{ conn: number | null }>(), doc: 'Take one connection from a listener\'s accept queue (null when it is empty).' },
  pauseAccept: { kind: command, args: argSchemas.pauseAccept, result: returns<Empty>(), doc: 'Stop accepting on a listener, so its accept queue fills.' },
  resumeAccept: { kind: command, args: argSchemas.resumeAccept, result: returns<Empty>(), doc: 'Resume accepting on a listener.' },
  setKnob: { kind: command, args: argSchemas.setKnob, result: returns<{ name: string; value: number | string }>(), doc: 'Change a knob (Linux sysctl names); refused with a message when out of range.' },
  getKnobs: { kind: read, args: argSchemas.getKnobs, result: returns<{ knobs: KnobInfo[] }>(), doc: 'Every knob with its value, default, range and meaning.' },
  faultAdd: { kind: command, args: argSchemas.faultAdd, result: returns<{ id: string }>(), doc: 'Add a fault rule: drop, delay, duplicate, corrupt or reorder the packets it matches.' },
  faultRemove: { kind: command, args: argSchemas.faultRemove, result: returns<Empty>(), doc: 'Remove a fault rule.' },
  faultRandom: { kind: command, args: argSchemas.faultRandom, result: returns<Empty>(), doc: 'Set seeded random loss, duplication, corruption, reordering and delay (null stops them).' },
  faultList: { kind: read, args: argSchemas.faultList, result: returns<FaultStatus>(), doc: 'The fault rules and random faults in force, with how often each fired.' },
  pcapStart: { kind: command, args: argSchemas.pcapStart, result: returns<Empty>(), doc: 'Start recording packets (bounded: a ring of packets or a size limit).' },
  pcapStop: { kind: command, args: argSchemas.pcapStop, result: returns<{ packets: number; bytes: number }>(), doc: 'Stop recording.' },
  pcapExport: { kind: read, args: argSchemas.pcapExport, result: returns<{ pcap: string; packets: number; bytes: number }>(), doc: 'The recording as a pcap file (LINKTYPE_RAW), base64.' },
  scenarioList: { kind: read, args: argSchemas.scenarioList, result: returns<{ scenarios: ScenarioInfo[] }>(), doc: 'The guided scenarios that can be run.' },
  scenarioRun: { kind: command, args: argSchemas.scenarioRun, result: returns<Empty>(), doc: 'Run a guided scenario.' },
  scenarioStop: { kind: command, args: argSchemas.scenarioStop, result: returns<Empty>(), doc: 'Stop the running scenario.' },
  clearHistory: { kind: command, args: argSchemas.clearHistory, result: returns<Empty>(), doc: 'Forget the event history (connections stay).' },
  timeControl: { kind: command, args: argSchemas.timeControl, result: returns<TimeStatus>(), doc: 'Pause or resume the lab side, slow motion (one held packet every N ms), or scale lab time (its timers only; the kernel is not affected).' },
  timeStep: { kind: command, args: argSchemas.timeStep, result: returns<TimeStatus & { stepped: number }>(), doc: 'While paused: the next thing the lab side would do (the oldest held packet, else its next timer), N times.' },
  // --- reads ---
  snapshot: { kind: read, args: argSchemas.snapshot, result: returns<Snapshot>(), doc: 'The whole lab now: connections, listeners, counters, knobs, faults.' },
  connectionHistory: { kind: read, args: argSchemas.connectionHistory, result: returns<{ conn: number; events: LabEvent[] }>(), doc: 'One connection\'s transitions, segments and timers, oldest first.' },
  segmentLog: { kind: read, args: argSchemas.segmentLog, result: returns<{ segments: SegmentEvent[]; lastSeq: number }>(), doc: 'Segments in and out (for ladder diagrams), oldest first.' },
  counterDeltas: { kind: read, args: argSchemas.counterDeltas, result: returns<{ since: number; at: number; deltas: Record<string, number> }>(), doc: 'How each counter moved since an earlier lab time (netstat -s / nstat style).' },
} as const;

export const streams = {
  snapshots: { args: streamSchemas.snapshots, doc: 'A full snapshot, then coalesced diffs at the chosen rate (default 10/s, at most 30/s).' },
  events: { args: streamSchemas.events, doc: 'Events matching a filter, in batches; a gap message when the client fell behind.' },
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type StreamName = keyof typeof streams;
/** Arguments as the caller writes them (defaults may be left out). */
export type ArgsInput<M extends Method> = v.InferInput<Contract[M]['args']>;
/** Arguments as the Lab receives them (validated, defaults filled in). */
export type ArgsOf<M extends Method> = v.InferOutput<Contract[M]['args']>;
export type ResultOf<M extends Method> = Contract[M]['result'];

export const METHODS = Object.keys(contract) as Method[];

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

export function isStream(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.hasOwn(streams, name);
}
