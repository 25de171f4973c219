// The lab time a UI shows countdowns against. Snapshots carry the lab time of their last change
// (an idle lab's snapshot stays the same), so a UI estimates "now" from the newest lab time it
// has seen plus the local time elapsed since, scaled by the lab's time scale. The caller passes
// its own monotonic clock (performance.now()), so this stays a pure value.
export class LabClock {
  private labBase = 0;
  private localBase = 0;
  private scale = 1;
  private seen = false;

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
