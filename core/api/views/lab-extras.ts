// Parts of the lab's data that came with issue 8 (scenario status and texts, time control,
// replays) under the names the views use, and three ConnectionRow fields core/api does not type
// yet (time in state, buffer sizes: the stack's row has them and the Lab passes them on). All
// of it is optional in the data, so the views also work with labs that send less.
import type { ScenarioInfo } from '../contract.ts';
import type { ConnectionRow, LabInfo, ReplayInfo, ScenarioStatus, Snapshot, TimeStatus } from '../snapshot.ts';

export type {
  HeldPacket, ReplayInfo, ScenarioCheck, ScenarioHint, ScenarioHintTarget, ScenarioSeries, ScenarioVerdict, TimeStatus,
} from '../snapshot.ts';

/** The scenario status (core/api's, with its optional parts). */
export type ScenarioStatusFull = ScenarioStatus;
/** A scenario as the lab lists it (with its texts when the lab sends them). */
export type ScenarioInfoFull = ScenarioInfo;
export type LabInfoFull = LabInfo;

export interface ConnectionRowFull extends ConnectionRow {
  /** Lab time the connection entered its current state, ms. */
  stateSince?: number;
  /** SO_SNDBUF / SO_RCVBUF in force, bytes. */
  sndBuf?: number;
  rcvBuf?: number;
}

export function scenarioStatusOf(s: Snapshot | null): ScenarioStatus | null {
  return s?.scenario ?? null;
}

export function labInfoOf(s: Snapshot | null): LabInfo | null {
  return s?.info ?? null;
}

export function rowExtras(row: ConnectionRow): ConnectionRowFull {
  return row as ConnectionRowFull;
}

/** The time status from the snapshot: `info.time` when the lab sends it, else from `info.timeScale`. */
export function timeStatusOf(info: LabInfo | null): TimeStatus {
  if (info?.time !== undefined) return info.time;
  return { paused: false, scale: info?.timeScale ?? 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
}

/** The replay being shown, or null for a live lab. */
export function replayOf(info: LabInfo | null): ReplayInfo | null {
  return info?.replay ?? null;
}
