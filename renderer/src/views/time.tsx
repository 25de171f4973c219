// Lab time in the page: the controls in the top bar (pause / resume, single step, slow motion,
// the time scale), the banner that says plainly, always, when lab time is not real time (the
// shared sentence of core/api/views/time.ts: "lab time x10: timers only; the kernel runs in real
// time"), with the packets held at the gate listed while paused; and, for a replay, its banner:
// read-only, where it stands, play / pause / next event / speed.
import type { ReactNode } from 'react';
import { formatLabTime, formatMs } from '../../../core/api/views/format.ts';
import { replayOf, timeStatusOf } from '../../../core/api/views/lab-extras.ts';
import { DEFAULT_SLOW_MOTION_MS, formatScale, nextScale, replayText, timeView } from '../../../core/api/views/time.ts';
import { t as st } from '../../../core/api/views/i18n.ts';
import { useStore, useT, type T } from '../hooks.ts';
import { markClass } from '../lab/hints.ts';
import type { LabStore } from '../lab/store.ts';
import { Icon } from './icons.tsx';

/** The actions behind the buttons and the keys (T, n, m, + -, =). A replay's time control is its playback. */
export function timeActions(store: LabStore, t: T): {
  togglePause: () => Promise<void>;
  step: () => Promise<void>;
  toggleSlow: () => Promise<void>;
  scale: (dir: 1 | -1) => Promise<void>;
  real: () => Promise<void>;
} {
  const status = (): ReturnType<typeof timeStatusOf> => timeStatusOf(store.snapshot?.info ?? null);
  const replay = (): boolean => replayOf(store.snapshot?.info ?? null) !== null;
  const control = async (args: { paused?: boolean; scale?: number; slowMotionMs?: number | null }): Promise<void> => {
    await store.call('timeControl', args);
  };
  const togglePause = async (): Promise<void> => {
    const s = status();
    if (s.paused) await control({ paused: false, ...(replay() ? {} : { slowMotionMs: null }) });
    else await control({ paused: true });
  };
  return {
    togglePause,
    async step() {
      if (!status().paused) return togglePause();
      const r = await store.call('timeStep', { count: 1 });
      if (r.ok) store.toast('info', replay() ? t('replay.stepped', { n: r.value.stepped }) : t('time.stepped', { n: r.value.stepped, held: r.value.held }));
    },
    async toggleSlow() {
      if (replay()) return;
      const s = status();
      if (s.paused && s.slowMotionMs !== null) await control({ paused: false, slowMotionMs: null });
      else await control({ slowMotionMs: DEFAULT_SLOW_MOTION_MS });
    },
    async scale(dir) {
      await control({ scale: nextScale(status().scale, dir) });
    },
    async real() {
      if (replay()) await control({ scale: 1 });
      else await control({ scale: 1, paused: false, slowMotionMs: null });
    },
  };
}

/** The top bar's lab time controls (a live lab; a replay has its own in its banner). */
export function TimeControls(): ReactNode {
  const store = useStore();
  const t = useT();
  const info = store.snapshot?.info ?? null;
  if (info === null || replayOf(info) !== null) return null;
  const s = timeStatusOf(info);
  const a = timeActions(store, t);
  const slow = s.paused && s.slowMotionMs !== null;
  const manual = s.realTime === false;
  return (
    <div className={`time-controls ${markClass(store.hintMarks().time)}`} role="group" aria-label={t('time.group')} data-hint-key={store.hintMarks().time?.key}>
      <span className="time-label" title={t('time.group')}><Icon name="clock" /></span>
      <button className={`icon ${s.paused ? 'on' : ''}`} aria-pressed={s.paused} onClick={() => void a.togglePause()} title={s.paused ? t('time.resume') : t('time.pause')} aria-label={s.paused ? t('time.resume') : t('time.pause')}>
        <Icon name={s.paused ? 'play' : 'pause'} />
      </button>
      <button className="icon" disabled={!s.paused} onClick={() => void a.step()} title={t('time.step')} aria-label={t('time.step')}><Icon name="step" /></button>
      <button className={`icon ${slow ? 'on' : ''}`} aria-pressed={slow} onClick={() => void a.toggleSlow()}
        title={slow ? t('time.slowOff') : t('time.slowOn', { ms: formatMs(DEFAULT_SLOW_MOTION_MS) })} aria-label={slow ? t('time.slowOff') : t('time.slowOn', { ms: formatMs(DEFAULT_SLOW_MOTION_MS) })}><Icon name="slow" /></button>
      <span className="scale-group">
        <button className="icon" disabled={manual} onClick={() => void a.scale(-1)} title={t('time.slower')} aria-label={t('time.slower')}>−</button>
        <span className={`scale num ${s.scale !== 1 ? 'scaled' : ''}`} title={t('time.group')}>{formatScale(s.scale).replace('x', '×')}</span>
        <button className="icon" disabled={manual} onClick={() => void a.scale(1)} title={t('time.faster')} aria-label={t('time.faster')}>+</button>
      </span>
      {(s.scale !== 1 || s.paused) && <button className="icon" onClick={() => void a.real()} title={t('time.real')} aria-label={t('time.real')}>=</button>}
    </div>
  );
}

function HeldList({ store, t }: { store: LabStore; t: T }): ReactNode {
  const s = timeStatusOf(store.snapshot?.info ?? null);
  const lang = store.ui.lang;
  if (s.next.length === 0) {
    const next = s.nextTimerIn === null ? '' : t('time.nextTimer', { ms: formatMs(s.nextTimerIn) });
    return <p className="held-none">{t('time.noneHeld', { next })}</p>;
  }
  const more = s.held - s.next.length;
  return (
    <div className="held">
      <div className="held-title">{t('time.held')}</div>
      <ol className="held-list" aria-label={t('time.held')}>
        {s.next.map((p, i) => (
          <li key={`${p.at}-${i}`} className={i === 0 ? 'next' : ''} data-held={i}>
            <span className="held-at">{formatLabTime(p.at)}</span>
            <span className="held-dir" aria-hidden="true">{p.dir === 'in' ? '→' : '←'}</span>
            <span className="held-text">{p.text}</span>
          </li>
        ))}
      </ol>
      {more > 0 && <div className="muted small">{st(lang, 'time.more', { n: more })}</div>}
    </div>
  );
}

/** Always visible while lab time is not real time, or the lab is a replay. */
export function TimeBanner(): ReactNode {
  const store = useStore();
  const t = useT();
  const info = store.snapshot?.info ?? null;
  if (info === null) return null;
  const replay = replayOf(info);
  if (replay !== null) return <ReplayBanner />;
  const tv = timeView(timeStatusOf(info), store.ui.lang);
  if (tv.text === null) return null;
  const a = timeActions(store, t);
  const paused = tv.mode === 'paused' || tv.mode === 'slow';
  return (
    <div className={`banner time-banner mode-${tv.mode}`} role="status" aria-live="polite" data-time-mode={tv.mode}>
      <div className="time-line">
        <span className="time-icon"><Icon name={tv.mode === 'paused' ? 'pause' : tv.mode === 'slow' ? 'slow' : 'clock'} size={16} /></span>
        <b className="time-text">{tv.text}</b>
        <span className="spacer" />
        {paused && <button title={t('time.step')} onClick={() => void a.step()}><Icon name="step" size={12} /> {t('time.stepShort')}</button>}
        {paused && <button title={t('time.resume')} onClick={() => void a.togglePause()}><Icon name="play" size={12} /> {t('time.resumeShort')}</button>}
        <button title={t('time.real')} onClick={() => void a.real()}>= {t('time.realShort')}</button>
      </div>
      {paused && <HeldList store={store} t={t} />}
    </div>
  );
}

function ReplayBanner(): ReactNode {
  const store = useStore();
  const t = useT();
  const info = store.snapshot?.info ?? null;
  const r = replayOf(info);
  if (r === null) return null;
  const a = timeActions(store, t);
  const playing = r.playing ?? false;
  const span = r.start !== undefined && r.end !== undefined && r.end > r.start ? r.end - r.start : 0;
  const ratio = span > 0 && r.at !== undefined && r.start !== undefined ? Math.max(0, Math.min(1, (r.at - r.start) / span)) : 1;
  return (
    <div className="banner replay-banner" role="status" data-replay={playing ? 'playing' : 'still'}>
      <div className="time-line">
        <Icon name="replay" size={16} />
        <b className="time-text" title={r.file}>{replayText({ ...r, file: r.file.split('/').pop() ?? r.file }, store.ui.lang)}</b>
        <span className="spacer" />
        <button onClick={() => void a.togglePause()} aria-pressed={playing} title={playing ? t('replay.pause') : t('replay.play')}>
          <Icon name={playing ? 'pause' : 'play'} size={12} /> {playing ? t('replay.pauseShort') : t('replay.playShort')}
        </button>
        <button disabled={playing} onClick={() => void a.step()} title={t('replay.step')}><Icon name="step" size={12} /> {t('replay.stepShort')}</button>
        <span className="scale-group">
          <button className="icon" onClick={() => void a.scale(-1)} title={t('replay.slower')} aria-label={t('replay.slower')}>−</button>
          <span className="scale num">{formatScale(r.speed ?? 1).replace('x', '×')}</span>
          <button className="icon" onClick={() => void a.scale(1)} title={t('replay.faster')} aria-label={t('replay.faster')}>+</button>
        </span>
      </div>
      <div className="replay-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(ratio * 100)} aria-label="replay position">
        <div className="replay-fill" style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
      </div>
      <div className="muted small">{t('replay.note')}</div>
    </div>
  );
}
