// Lab time as every UI says it: real time, paused (with the packets held), slow motion, or
// scaled. Only the lab side's clock changes (its timers, fault delays, scenario waits); the
// kernel on the other side of the TUN runs in real time, and the text says so plainly.
import { formatMs } from './format.ts';
import { t, type Lang } from './i18n.ts';
import type { HeldPacket, ReplayInfo, TimeStatus } from '../snapshot.ts';
import type { Role } from './state-roles.ts';

export type TimeMode = 'real' | 'paused' | 'slow' | 'scaled';

export interface TimeView {
  mode: TimeMode;
  scale: number;
  /** 'x10', 'x0.5'. */
  scaleText: string;
  held: number;
  next: HeldPacket[];
  /** The sentence to show while time is not real (null in real time). */
  text: string | null;
  /** A few cells for narrow places: '‖ 3 held', 'x10', '▶ 500ms'. */
  short: string;
  role: Role;
}

/** The steps `+` and `-` move through. */
export const SCALE_STEPS = [0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 100, 300, 1000] as const;

/** Slow motion's default: one held packet every this many ms. */
export const DEFAULT_SLOW_MOTION_MS = 500;

export function formatScale(scale: number): string {
  const s = scale >= 1 ? String(Math.round(scale * 100) / 100) : String(Math.round(scale * 1000) / 1000);
  return `x${s}`;
}

/** The next scale step up (dir 1) or down (dir -1) from `scale`. */
export function nextScale(scale: number, dir: 1 | -1): number {
  if (dir > 0) return SCALE_STEPS.find((s) => s > scale + 1e-9) ?? SCALE_STEPS[SCALE_STEPS.length - 1];
  return [...SCALE_STEPS].reverse().find((s) => s < scale - 1e-9) ?? SCALE_STEPS[0];
}

export function timeView(status: TimeStatus, lang: Lang): TimeView {
  const scaleText = formatScale(status.scale);
  const base = { scale: status.scale, scaleText, held: status.held, next: status.next };
  if (status.paused && status.slowMotionMs !== null) {
    return {
      ...base, mode: 'slow', role: 'warn', short: `▶ ${formatMs(status.slowMotionMs)}`,
      text: t(lang, 'time.slow', { ms: formatMs(status.slowMotionMs), held: status.held }),
    };
  }
  if (status.paused) {
    return {
      ...base, mode: 'paused', role: 'warn', short: `‖ ${t(lang, 'time.heldShort', { n: status.held })}`,
      text: t(lang, 'time.paused', { held: status.held }) + (status.scale !== 1 ? ` (${scaleText})` : ''),
    };
  }
  if (status.scale !== 1) {
    return { ...base, mode: 'scaled', role: 'warn', short: scaleText, text: t(lang, 'time.scaled', { scale: scaleText }) };
  }
  return { ...base, mode: 'real', role: 'muted', short: '', text: null };
}

/** A replay as the banner says it: 'replay: FILE, read-only · at 0.120 of 0.400 s · playing x2'. */
export function replayText(r: ReplayInfo, lang: Lang): string {
  const parts = [t(lang, 'app.replay', { file: r.file })];
  if (r.at !== undefined && r.start !== undefined && r.end !== undefined) {
    parts.push(t(lang, 'replay.at', { at: ((r.at - r.start) / 1000).toFixed(3), end: ((r.end - r.start) / 1000).toFixed(3) }));
  }
  if (r.playing !== undefined) parts.push(r.playing ? t(lang, 'replay.playing', { speed: formatScale(r.speed ?? 1) }) : t(lang, 'replay.paused'));
  return parts.join(' · ');
}
