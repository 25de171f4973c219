// The lab time a UI shows countdowns against. Snapshots carry the lab time of their last change
// (an idle lab's snapshot stays the same), so a UI estimates "now" from the newest lab time it
// has seen plus the local time elapsed since, scaled by the lab's time scale. The caller passes
// its own monotonic clock (performance.now()), so this stays a pure value. While lab time stands
// still (paused, a replay not playing), so does the UI's: `follow(snapshot)` tracks that.
import type { Snapshot } from '../snapshot.ts';
import { replayOf, timeStatusOf } from './lab-extras.ts';

export class LabClock {
  private labBase = 0;
  private localBase = 0;
  private scale = 1;
  private seen = false;
  /** Lab time while it stands still (paused, or a replay that is not playing); null while it runs. */
  private frozenAt: number | null = null;

  /** Whether lab time stands still (paused, or a replay that is not playing). */
  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  /** The lab time now, as well as the UI can tell (standing still while lab time does). */
  labNow(localNow: number): number {
    return this.frozenAt ?? this.now(localNow);
  }

  /**
   * Follows the lab's time from a snapshot: its scale, whether it stands still, a replay's
   * position. `labNow`: the lab's time when the snapshot was sent, where the message says
   * (a full snapshot's `now`); the snapshot's own `at` is that of its last change.
   */
  follow(s: Snapshot, localNow: number, labNow?: number): void {
    const replay = replayOf(s.info);
    const still = replay !== null ? !(replay.playing ?? false) : timeStatusOf(s.info).paused;
    const at = replay?.at ?? Math.max(s.at, labNow ?? s.at);
    const scale = replay !== null ? replay.speed ?? 1 : s.info.timeScale;
    if (still) {
      this.frozenAt = replay !== null ? at : this.frozenAt ?? Math.max(at, this.now(localNow));
      return;
    }
    if (this.frozenAt !== null) {
      this.reset(Math.max(at, replay !== null ? at : this.frozenAt), localNow, scale);
      this.frozenAt = null;
      return;
    }
    if (replay !== null) this.reset(at, localNow, scale);
    else this.observe(at, localNow, scale);
  }

  /** A lab time seen at local time `localNow` (from a snapshot's `at` or an event's `at`). */
  observe(labAt: number, localNow: number, timeScale = this.scale): void {
    this.scale = timeScale > 0 ? timeScale : 1;
    if (!this.seen || labAt > this.now(localNow)) {
      this.labBase = labAt;
      this.localBase = localNow;
      this.seen = true;
    }
  }

  /**
   * Start again from `labAt` at `localNow`, even backwards: after lab time stood still (paused,
   * a replay between plays), the estimate must not have run on meanwhile.
   */
  reset(labAt: number, localNow: number, timeScale = this.scale): void {
    this.scale = timeScale > 0 ? timeScale : 1;
    this.labBase = labAt;
    this.localBase = localNow;
    this.seen = true;
  }

  /** The estimated lab time at local time `localNow`; never goes backwards. */
  now(localNow: number): number {
    if (!this.seen) return 0;
    return this.labBase + Math.max(0, localNow - this.localBase) * this.scale;
  }
}
