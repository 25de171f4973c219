// Parts of the lab's data the views use before core/api types them: the scenario status and
// list texts, time control, replays, and three ConnectionRow fields (time in state, buffer
// sizes). The shapes are the ones proposed in /work/team/requests.md (scenarios engineer,
// issue 8; TUI engineer); the lab already sends some of them. Everything here is read
// defensively, as optional, so the views work with labs that send them and with those that do
// not; once core/api has the types, these become plain aliases of them.
import type { ScenarioInfo } from '../contract.ts';
import type { ConnectionRow, LabInfo, ScenarioStatus, Snapshot } from '../snapshot.ts';

/** Where a UI should look while a scenario runs: highlight that row / gauge / counter / knob / ladder row. */
export type ScenarioHintTarget =
  | { kind: 'connection'; conn: number; field?: string }
  | { kind: 'listener'; listener: number; field?: 'acceptQueue' | 'synQueue' | 'drops' | 'cookies' | 'halfOpen' }
  | { kind: 'counter'; name: string }
  | { kind: 'knob'; name: string }
  | { kind: 'segment'; seq: number }
  | { kind: 'fault'; rule: string }
  | { kind: 'time' };

export interface ScenarioHint {
  target: ScenarioHintTarget;
  text: string;
  zh: string;
}

export interface ScenarioCheck {
  what: string;
  zh: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export type ScenarioVerdict = 'pass' | 'fail' | 'refused' | 'stopped' | 'error';

/** Data to plot (the isn scenario: [lab ms, sequence number] per clock). */
export interface ScenarioSeries {
  name: string;
  unit: string;
  points: [number, number][];
}

export interface ScenarioStatusFull extends ScenarioStatus {
  stepZh?: string;
  hints?: ScenarioHint[];
  checks?: ScenarioCheck[];
  verdict?: ScenarioVerdict | null;
  series?: ScenarioSeries[];
}

export interface ScenarioInfoFull extends ScenarioInfo {
  titleZh?: string;
  summary?: string;
  summaryZh?: string;
  needs?: 'kernel' | 'any';
  explain?: { en: string; zh: string };
}

/** A packet held while lab time is paused. */
export interface HeldPacket {
  dir: 'in' | 'out';
  /** Lab time it arrived, ms. */
  at: number;
  /** tcpdump-like one-liner. */
  text: string;
}

export interface TimeStatus {
  paused: boolean;
  /** Lab time per real time (1 = real time); timers only, the kernel is not affected. */
  scale: number;
  /** Slow motion: one held packet every this many ms (null: off). */
  slowMotionMs: number | null;
  /** Packets held now. */
  held: number;
  /** The first held packets (at most 16). */
  next: HeldPacket[];
  /** Lab ms until the stack's next timer, or null. */
  nextTimerIn: number | null;
}

export interface ReplayInfo {
  /** The recording being shown. */
  file: string;
  recordedAt?: string;
  /** The session's lab-time range, and where the replay stands in it (ms). */
  start?: number;
  end?: number;
  at?: number;
  /** Playing it again (else showing it as it stands). */
  playing?: boolean;
  speed?: number;
}

export interface LabInfoFull extends LabInfo {
  time?: TimeStatus;
  netns?: string | null;
  replay?: ReplayInfo | null;
}

export interface ConnectionRowFull extends ConnectionRow {
  /** Lab time the connection entered its current state, ms. */
  stateSince?: number;
  /** SO_SNDBUF / SO_RCVBUF in force, bytes. */
  sndBuf?: number;
  rcvBuf?: number;
}

export function scenarioStatusOf(s: Snapshot | null): ScenarioStatusFull | null {
  return (s?.scenario ?? null) as ScenarioStatusFull | null;
}

export function labInfoOf(s: Snapshot | null): LabInfoFull | null {
  return (s?.info ?? null) as LabInfoFull | null;
}

export function rowExtras(row: ConnectionRow): ConnectionRowFull {
  return row as ConnectionRowFull;
}

/** The time status from the snapshot: `info.time` when the lab sends it, else from `info.timeScale`. */
export function timeStatusOf(info: LabInfo | null): TimeStatus {
  const full = info as LabInfoFull | null;
  if (full?.time !== undefined) return full.time;
  return { paused: false, scale: info?.timeScale ?? 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
}

/** The replay being shown, or null for a live lab. */
export function replayOf(info: LabInfo | null): ReplayInfo | null {
  return (info as LabInfoFull | null)?.replay ?? null;
}
