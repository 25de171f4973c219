// The app frame: the lab's identity (TUN or a clearly labelled simulated wire), the views in a
// side bar (keys 1-7), the connection detail under the table, toasts, and global keys.
import { useEffect, useState, type ReactNode } from 'react';
import type { MsgKey } from './i18n.ts';
import type { Connection } from './lab/connect.ts';
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

const ICONS: Record<View, string> = {
  connections: '⇄', listeners: '◎', counters: '∑', knobs: '⚙', faults: '⚡', pcap: '◉', console: '›_',
};

function LabBanner(): ReactNode {
  const store = useStore();
  const t = useT();
  const info = store.snapshot?.info;
  if (store.status === 'closed') return <div className="banner error" role="alert">{t('status.closed')}: {store.closedReason}</div>;
  if (!info) return <div className="banner">{t('status.connecting')}</div>;
  return (
    <div className={`lab-id ${info.simulated ? 'sim' : 'tun'}`}>
      {info.simulated
        ? <span className="pill warn strong" title={t('lab.setupHint')}>⚠ {t('lab.simulated')}</span>
        : <span className="pill ok">{t('lab.tun', { device: info.device ?? '?' })}</span>}
      <span className="muted">{t('lab.addrs', { lab: info.labAddr, kernel: info.kernelAddr })}</span>
      {info.timeScale !== 1 && <span className="pill">{t('lab.scale', { scale: info.timeScale })}</span>}
    </div>
  );
}

/** Guided scenarios (the lab's): pick one, run it, watch its step; the views show what it does. */
function Scenarios(): ReactNode {
  const store = useStore();
  const t = useT();
  const [list, setList] = useState<{ name: string; title: string }[]>([]);
  const [chosen, setChosen] = useState('');
  useEffect(() => {
    void store.call('scenarioList', {}, { quiet: true }).then((r) => { if (r.ok) setList(Array.isArray(r.value.scenarios) ? r.value.scenarios : []); });
  }, [store, store.status]);
  const sc = store.snapshot?.scenario ?? null;
  if (list.length === 0) return null;
  return (
    <div className="scenarios">
      {sc?.running ? (
        <>
          <span className="pill accent" title={sc.step}>▶ {sc.name}: {sc.step}</span>
          <button className="ghost" onClick={() => void store.call('scenarioStop')}>{t('scenario.stop')}</button>
        </>
      ) : (
        <>
          <select aria-label={t('scenario.choose')} value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">{t('scenario.choose')}</option>
            {list.map((x) => <option key={x.name} value={x.name}>{x.title}</option>)}
          </select>
          <button className="ghost" disabled={chosen === ''} onClick={() => void store.call('scenarioRun', { name: chosen })}>{t('scenario.run')}</button>
        </>
      )}
    </div>
  );
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

export function App({ shellUrl, fallback }: { shellUrl: string | null; fallback: Connection['fallback'] }): ReactNode {
  const store = useStore();
  const t = useT();
  const { view, selected, theme, lang } = store.ui;
  const [keysOpen, setKeysOpen] = useState(false);

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
        else if (store.ui.selected !== null) store.setUi({ selected: null });
        return;
      }
      if (isTyping(e)) return;
      const n = Number(e.key);
      if (n >= 1 && n <= VIEWS.length) {
        store.setUi({ view: VIEWS[n - 1] });
        e.preventDefault();
      } else if (e.key === 't') store.setUi({ theme: store.ui.theme === 'dark' ? 'light' : 'dark' });
      else if (e.key === 'l') store.setUi({ lang: store.ui.lang === 'en' ? 'zh' : 'en' });
      else if (e.key === '?') setKeysOpen((o) => !o);
      else if (e.key === '/') {
        store.setUi({ view: 'connections' });
        setTimeout(() => window.dispatchEvent(new Event('tcplab:focus-filter')), 0);
        e.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, keysOpen]);

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
        <Scenarios />
        {store.snapshot?.pcap.running && <span className="pill rec-pill">● pcap {store.snapshot.pcap.packets}</span>}
        <button className="ghost" onClick={() => setKeysOpen((o) => !o)} aria-label={t('keys.title')} title={t('keys.title')}>⌨</button>
        <button className="ghost" onClick={() => store.setUi({ lang: lang === 'en' ? 'zh' : 'en' })} title="l">{t('lang.toggle')}</button>
        <button className="ghost" onClick={() => store.setUi({ theme: theme === 'dark' ? 'light' : 'dark' })} aria-label={t('theme.toggle')} title={t('theme.toggle')}>{theme === 'dark' ? '☀' : '☾'}</button>
      </header>
      {store.snapshot?.info.simulated && (
        <div className="banner warn" role="note">
          {fallback === null ? t('lab.setupHint') : (
            <>{fallback.reason}. {fallback.command ? <>{t('lab.fix')} <code className="cmd">{fallback.command}</code></> : null}</>
          )}
        </div>
      )}
      {keysOpen && <div className="banner keys" role="note"><b>{t('keys.title')}:</b> {t('keys.help')}</div>}
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
        </main>
      </div>
      <Toasts />
    </div>
  );
}
