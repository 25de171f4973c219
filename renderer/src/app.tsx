// The app frame: the lab's identity (TUN, a clearly labelled simulated wire, or a read-only
// replay), lab time controls and the banner that says when lab time is not real time, the
// views in a side bar (keys 1-8), the connection detail under the table, the running
// scenario's step and hints on every view, toasts, and global keys.
import { useEffect, useState, type ReactNode } from 'react';
import { replayOf } from '../../core/api/views/lab-extras.ts';
import { scenarioPanel } from '../../core/api/views/scenario.ts';
import type { MsgKey } from './i18n.ts';
import type { HostInfo } from './lab/connect.ts';
import { useStore, useT } from './hooks.ts';
import { VIEWS, type View } from './lab/store.ts';
import { ConnectionsTable } from './views/connections.tsx';
import { ConsoleView } from './views/console.tsx';
import { CountersView } from './views/counters.tsx';
import { ConnectionDetail } from './views/detail.tsx';
import { FaultsView } from './views/faults.tsx';
import { KnobsView } from './views/knobs.tsx';
import { ListenersView } from './views/listeners.tsx';
import { PcapView } from './views/pcap.tsx';
import { nextHint, ScenarioStrip, ScenariosView, useHintJump } from './views/scenarios.tsx';
import { TimeBanner, TimeControls, timeActions } from './views/time.tsx';
import { roleClass } from './model/roles.ts';
import { Icon } from './views/icons.tsx';

const ICONS: Record<View, string> = {
  connections: '⇄', listeners: '◎', counters: '∑', knobs: '⚙', faults: '⚡', pcap: '◉', console: '›_', scenarios: '✦',
};

function LabBanner(): ReactNode {
  const store = useStore();
  const t = useT();
  const info = store.snapshot?.info;
  if (store.status === 'closed') return <div className="banner error" role="alert">{t('status.closed')}: {store.closedReason}</div>;
  if (!info) return <div className="banner">{t('status.connecting')}</div>;
  const replay = replayOf(info);
  return (
    <div className={`lab-id ${info.simulated ? 'sim' : 'tun'}`}>
      {replay !== null && <span className="pill replay-pill strong" title={t('replay.note')}><Icon name="replay" size={12} /> replay · {t('replay.readOnly')}</span>}
      {info.simulated
        ? <span className="pill warn strong" title={t('lab.setupHint')}>⚠ {t('lab.simulated')}</span>
        : <span className="pill ok">{t('lab.tun', { device: info.device ?? '?' })}</span>}
      <span className="muted addrs">{t('lab.addrs', { lab: info.labAddr, kernel: info.kernelAddr })}</span>
    </div>
  );
}

/** The running (or last) scenario in the top bar: its name and how it stands; a click shows it. */
function ScenarioPill(): ReactNode {
  const store = useStore();
  const t = useT();
  const p = scenarioPanel(store.snapshot?.scenario ?? null, store.ui.lang);
  if (p === null) return null;
  return (
    <span className="scenario-pill">
      <button className={`pill ${roleClass(p.verdictRole)}`} data-verdict={p.verdict ?? (p.running ? 'running' : 'ended')}
        title={p.step} onClick={() => store.setUi({ view: 'scenarios' })}>
        {p.name} {p.verdictShort}
      </button>
      {p.running && <button className="ghost mini" onClick={() => void store.call('scenarioStop')}>{t('scenario.stop')}</button>}
    </span>
  );
}

/** Scrolls the element a hint jump highlighted into view, once per jump (it may take a few frames to appear). */
function useScrollToHighlight(jumpSeq: number): void {
  useEffect(() => {
    if (jumpSeq === 0) return;
    let tries = 0;
    let raf = 0;
    const look = (): void => {
      const el = document.querySelector('.hint-jump');
      if (el !== null) {
        el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'smooth' });
        return;
      }
      if (++tries < 120) raf = requestAnimationFrame(look);
    };
    raf = requestAnimationFrame(look);
    return () => cancelAnimationFrame(raf);
  }, [jumpSeq]);
}

function Toasts(): ReactNode {
  const store = useStore();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {store.ui.toasts.map((x) => <div key={x.id} className={`toast ${x.kind}`}>{x.text}</div>)}
    </div>
  );
}

function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  if (el === null) return false;
  return el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable || el.closest('.xterm') !== null;
}

export function App({ shellUrl, fallback, notice }: HostInfo): ReactNode {
  const store = useStore();
  const t = useT();
  const { view, selected, theme, lang } = store.ui;
  const [keysOpen, setKeysOpen] = useState(false);
  const jump = useHintJump();
  useScrollToHighlight(store.ui.jumpSeq);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    localStorage.setItem('tcplab.ui', JSON.stringify({ theme, lang }));
  }, [theme, lang]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.metaKey || e.ctrlKey) return;
      if (e.key === 'Escape') {
        if (keysOpen) setKeysOpen(false);
        else if (store.ui.highlight !== null) store.setUi({ highlight: null });
        else if (store.ui.selected !== null) store.setUi({ selected: null });
        return;
      }
      if (isTyping(e)) return;
      const time = timeActions(store, t);
      const n = Number(e.key);
      if (n >= 1 && n <= VIEWS.length) {
        store.setUi({ view: VIEWS[n - 1] });
        e.preventDefault();
      } else if (e.key === 't') store.setUi({ theme: store.ui.theme === 'dark' ? 'light' : 'dark' });
      else if (e.key === 'l') store.setUi({ lang: store.ui.lang === 'en' ? 'zh' : 'en' });
      else if (e.key === '?') setKeysOpen((o) => !o);
      else if (e.key === 'T') void time.togglePause();
      else if (e.key === 'n') void time.step();
      else if (e.key === 'm') void time.toggleSlow();
      else if (e.key === '+') void time.scale(1);
      else if (e.key === '-') void time.scale(-1);
      else if (e.key === '=') void time.real();
      else if (e.key === '>') {
        const h = nextHint(store);
        if (h !== null) jump(h);
      }
      else if (e.key === '/') {
        store.setUi({ view: 'connections' });
        setTimeout(() => window.dispatchEvent(new Event('tcplab:focus-filter')), 0);
        e.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, keysOpen, t, jump]);

  const counts: Partial<Record<View, number>> = {
    connections: store.snapshot?.connections.length,
    listeners: store.snapshot?.listeners.length,
    faults: store.snapshot?.faults.rules.length || undefined,
  };

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand"><span className="logo" aria-hidden="true">⇌</span> tcplab</div>
        <LabBanner />
        <span className="spacer" />
        <ScenarioPill />
        <TimeControls />
        {store.snapshot?.pcap.running && replayOf(store.snapshot.info) === null && <span className="pill rec-pill">● pcap {store.snapshot.pcap.packets}</span>}
        <button className="ghost" onClick={() => setKeysOpen((o) => !o)} aria-label={t('keys.title')} title={t('keys.title')}>⌨</button>
        <button className="ghost" onClick={() => store.setUi({ lang: lang === 'en' ? 'zh' : 'en' })} title="l">{t('lang.toggle')}</button>
        <button className="ghost" onClick={() => store.setUi({ theme: theme === 'dark' ? 'light' : 'dark' })} aria-label={t('theme.toggle')} title={t('theme.toggle')}>{theme === 'dark' ? '☀' : '☾'}</button>
      </header>
      {store.snapshot?.info.simulated && replayOf(store.snapshot.info) === null && (
        <div className="banner warn" role="note">
          {fallback === null ? t('lab.setupHint') : (
            <>{fallback.reason}. {fallback.command ? <>{t('lab.fix')} <code className="cmd">{fallback.command}</code></> : null}</>
          )}
        </div>
      )}
      {notice !== null && <div className="banner" role="note" data-notice="ephemeral">{notice}</div>}
      <TimeBanner />
      <ScenarioStrip />
      {keysOpen && <div className="banner keys" role="note"><b>{t('keys.title')}:</b> {t('keys.help')}<br />{t('keys.time')}</div>}
      <div className="body">
        <nav className="sidebar" aria-label="views">
          {VIEWS.map((v, i) => (
            <button key={v} className={`nav ${view === v ? 'active' : ''}`} aria-current={view === v ? 'page' : undefined} onClick={() => store.setUi({ view: v })}>
              <span className="nav-icon" aria-hidden="true">{ICONS[v]}</span>
              <span className="nav-label">{t(`view.${v}` as MsgKey)}</span>
              {counts[v] !== undefined && <span className="nav-count">{counts[v]}</span>}
              <kbd>{i + 1}</kbd>
            </button>
          ))}
        </nav>
        <main className={`main view-${view}`}>
          {view === 'connections' && (
            <div className={`conn-split ${selected !== null ? 'with-detail' : ''}`}>
              <ConnectionsTable compact={selected !== null} />
              {selected !== null && <ConnectionDetail key={selected} conn={selected} />}
            </div>
          )}
          {view === 'listeners' && <ListenersView />}
          {view === 'counters' && <CountersView />}
          {view === 'knobs' && <KnobsView />}
          {view === 'faults' && <FaultsView />}
          {view === 'pcap' && <PcapView />}
          {view === 'console' && <ConsoleView shellUrl={shellUrl} />}
          {view === 'scenarios' && <ScenariosView />}
        </main>
      </div>
      <Toasts />
    </div>
  );
}
