// Lab time: the clock of the lab side (its stack, fault injector, scenario waits), which may run
// faster or slower than real time (a scale), stand still (paused), or jump forward to the next
// deadline (single step). The kernel on the other side of the TUN is not affected: only the
// lab's timers move differently, and every UI says so (snapshot info.timeScale / info.time).
//
//   lab ms = anchorLab + (real ms - anchorReal) * scale      (running)
//   lab ms = anchorLab                                        (paused)
//
// Every change re-anchors, so lab time is continuous and never goes back. The timers the
// Runtime arms (TimerApi) wait (deadline - now) / scale real milliseconds and arm nothing while
// paused; on every change the owner re-arms them (onChange).
import type { Clock } from '../stack/clock.ts';
import type { TimerApi } from '../stack/runtime.ts';

export const MIN_SCALE = 0.01;
export const MAX_SCALE = 1000;

interface Pending { cb: () => void; armed: ReturnType<typeof setTimeout> | null }

export class LabTime implements Clock {
  private anchorLab: number;
  private anchorReal: number;
  private _scale = 1;
  private _paused = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly real: Clock = { now: () => performance.now() }) {
    this.anchorReal = real.now();
    this.anchorLab = this.anchorReal;
  }

  now(): number {
    if (this._paused) return this.anchorLab;
    return this.anchorLab + (this.real.now() - this.anchorReal) * this._scale;
  }

  get scale(): number {
    return this._scale;
  }

  get paused(): boolean {
    return this._paused;
  }

  private reanchor(): void {
    this.anchorLab = this.now();
    this.anchorReal = this.real.now();
  }

  setScale(scale: number): void {
    if (!Number.isFinite(scale) || scale < MIN_SCALE || scale > MAX_SCALE) throw new RangeError(`time scale must be from ${MIN_SCALE} to ${MAX_SCALE}, not ${scale}`);
    if (scale === this._scale) return;
    this.reanchor();
    this._scale = scale;
    this.changed();
  }

  pause(): void {
    if (this._paused) return;
    this.reanchor();
    this._paused = true;
    this.changed();
  }

  resume(): void {
    if (!this._paused) return;
    this.anchorReal = this.real.now();
    this._paused = false;
    this.changed();
  }

  /** While paused: move lab time forward to `t` (a single step to the next deadline). */
  jumpTo(t: number): void {
    if (!this._paused) throw new Error('lab time jumps only while paused');
    if (t > this.anchorLab) this.anchorLab = t;
  }

  /** Called after every change of scale or pause (the owner re-arms its real timers). */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void {
    for (const cb of [...this.listeners]) cb();
  }

  /** Real-time timers for lab-time delays: ms / scale of real time; nothing is armed while paused. */
  readonly timers: TimerApi = {
    setTimeout: (cb, ms) => {
      const p: Pending = { cb, armed: null };
      if (!this._paused) p.armed = setTimeout(cb, Math.max(0, ms / this._scale));
      return p;
    },
    clearTimeout: (h) => {
      const p = h as Pending;
      if (p.armed !== null) clearTimeout(p.armed);
      p.armed = null;
    },
  };
}
