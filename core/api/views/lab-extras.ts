// Lab data with a default the views share: the time status (also from a lab that sends only
// info.timeScale) and the replay being shown. The types themselves are core/api's
// (snapshot.ts, contract.ts).
import type { LabInfo, ReplayInfo, TimeStatus } from '../snapshot.ts';

/** The time status from the snapshot: `info.time` when the lab sends it, else from `info.timeScale`. */
export function timeStatusOf(info: LabInfo | null): TimeStatus {
  if (info?.time !== undefined) return info.time;
  return { paused: false, scale: info?.timeScale ?? 1, slowMotionMs: null, held: 0, next: [], nextTimerIn: null };
}

/** The replay being shown, or null for a live lab. */
export function replayOf(info: LabInfo | null): ReplayInfo | null {
  return info?.replay ?? null;
}
