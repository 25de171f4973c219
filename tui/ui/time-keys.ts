// The lab-time keys: T pause / resume, n one step while paused, m slow motion, + - the scale,
// = real time. On a replay the same keys move its playback (play / pause, step an event, speed).
// Each reports its result or the lab's refusal in the status line (through the controller).
import type { LabClient } from '../../core/api/client.ts';
import type { Result } from '../../core/api/errors.ts';
import type { LabInfo, TimeStatus } from '../../core/api/snapshot.ts';
import { formatMs } from '../../core/api/views/format.ts';
import type { Params, StringKey } from '../../core/api/views/i18n.ts';
import { replayOf, timeStatusOf } from '../../core/api/views/lab-extras.ts';
import { DEFAULT_SLOW_MOTION_MS, formatScale, nextScale } from '../../core/api/views/time.ts';
import { timeControl, timeStep, type TimeControlArgs } from './lab-calls.ts';

export interface TimeKeysHost {
  client: LabClient;
  info(): LabInfo | null;
  t(key: StringKey, params?: Params): string;
  /** Runs a call and reports its result or error in the status line. */
  run<T>(action: string, call: Promise<Result<T>>, ok: (value: T) => string): Promise<void>;
}

export class TimeKeys {
  constructor(private readonly host: TimeKeysHost) {}

  /** Handles one of the time keys; false for any other key. */
  onKey(input: string): boolean {
    switch (input) {
      case 'T': void this.togglePause(); return true;
      case 'n': void this.step(); return true;
      case 'm': void this.toggleSlowMotion(); return true;
      case '+': void this.scale(1); return true;
      case '-': void this.scale(-1); return true;
      case '=': void this.set({ scale: 1 }, () => (this.replay() ? this.host.t('result.replaySpeed', { speed: 'x1' }) : this.host.t('result.timeReal'))); return true;
      default: return false;
    }
  }

  private status(): TimeStatus {
    return timeStatusOf(this.host.info());
  }

  /** A replay: its playback is what time control moves. */
  private replay(): boolean {
    return replayOf(this.host.info()) !== null;
  }

  private set(args: TimeControlArgs, ok: (v: TimeStatus) => string): Promise<void> {
    return this.host.run('timeControl', timeControl(this.host.client, args), ok);
  }

  private togglePause(): Promise<void> {
    const { t } = this.host;
    const replay = this.replay();
    if (this.status().paused) {
      return this.set({ paused: false, ...(replay ? {} : { slowMotionMs: null }) }, (v) => (replay ? t('result.replayPlaying', { speed: formatScale(v.scale) }) : t('result.timeResumed')));
    }
    return this.set({ paused: true }, () => t(replay ? 'result.replayPaused' : 'result.timePaused'));
  }

  private step(): Promise<void> {
    if (!this.status().paused) return this.togglePause();
    const { t } = this.host;
    const replay = this.replay();
    return this.host.run('timeStep', timeStep(this.host.client, 1), (v) => (replay ? t('result.replayStepped', { n: v.stepped }) : t('result.timeStepped', { n: v.stepped, held: v.held })));
  }

  private toggleSlowMotion(): Promise<void> {
    const s = this.status();
    const { t } = this.host;
    if (s.paused && s.slowMotionMs !== null) return this.set({ paused: false, slowMotionMs: null }, () => t('result.slowOff'));
    return this.set({ paused: true, slowMotionMs: DEFAULT_SLOW_MOTION_MS }, () => t('result.slowOn', { ms: formatMs(DEFAULT_SLOW_MOTION_MS) }));
  }

  private scale(dir: 1 | -1): Promise<void> {
    const scale = nextScale(this.status().scale, dir);
    const { t } = this.host;
    if (this.replay()) return this.set({ scale }, () => t('result.replaySpeed', { speed: formatScale(scale) }));
    return this.set({ scale }, () => (scale === 1 ? t('result.timeReal') : t('result.timeScale', { scale: formatScale(scale) })));
  }
}
