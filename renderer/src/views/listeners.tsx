// Listeners: each with live gauges for its SYN (half-open) queue and accept (full) queue,
// used/limit, drops and SYN cookies, sparklines of the recent history, the oldest half-open
// requests with their SYN-ACK retries, and the actions pause/resume/accept/stop.
import { useState, type FormEvent, type ReactNode } from 'react';
import { RESPONDERS } from '../../../core/api/names.ts';
import { listenerViews, type Gauge, type ListenerView } from '../../../core/api/views/gauges.ts';
import { t as st } from '../../../core/api/views/i18n.ts';
import { useStore, useT } from '../hooks.ts';
import { markClass } from '../lab/hints.ts';

export function Sparkline({ points, limit, label }: { points: number[]; limit: number; label: string }): ReactNode {
  const W = 180;
  const H = 36;
  const max = Math.max(limit, ...points, 1);
  const n = Math.max(points.length, 2);
  const xy = points.map((p, i) => `${((i / (n - 1)) * W).toFixed(1)},${(H - 2 - (p / max) * (H - 4)).toFixed(1)}`);
  const limitY = H - 2 - (limit / max) * (H - 4);
  return (
    <svg className="spark" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <line className="spark-limit" x1={0} x2={W} y1={limitY} y2={limitY} />
      {points.length > 1 && <polygon className="spark-area" points={`0,${H} ${xy.join(' ')} ${(((points.length - 1) / (n - 1)) * W).toFixed(1)},${H}`} />}
      {points.length > 1 && <polyline className="spark-line" points={xy.join(' ')} />}
    </svg>
  );
}

function QueueGauge({ g, drops, history, kind, hinted, dropsHinted }: { g: Gauge; drops: number; history: number[]; kind: 'syn' | 'accept'; hinted: boolean; dropsHinted: boolean }): ReactNode {
  const store = useStore();
  const t = useT();
  const title = st(store.ui.lang, g.label);
  return (
    <div className={`queue ${kind} level-${g.level} ${hinted ? 'hint-cell' : ''}`} data-queue={kind}>
      <div className="queue-head">
        <span>{title}</span>
        <span className="num big">{g.used}<span className="muted">/{g.limit}</span></span>
      </div>
      <div className="gauge-track" role="meter" aria-label={title} aria-valuemin={0} aria-valuemax={g.limit} aria-valuenow={g.used}>
        <div className="gauge-fill" style={{ width: `${(g.ratio * 100).toFixed(1)}%` }} />
      </div>
      <div className="queue-foot">
        <Sparkline points={history} limit={g.limit} label={`${title} history`} />
        <span className={`drops ${drops > 0 ? 'has' : ''} ${dropsHinted ? 'hint-cell' : ''}`}>{t('listen.drops')} <b className="num">{drops}</b></span>
      </div>
    </div>
  );
}

function ListenerCard({ l }: { l: ListenerView }): ReactNode {
  const store = useStore();
  const t = useT();
  const h = store.queueHistory.get(l.id) ?? { syn: [], accept: [], drops: [] };
  const mark = store.hintMarks().listeners.get(l.id);
  const field = mark?.field;
  return (
    <article className={`card listener ${markClass(mark)}`} aria-label={`listener ${l.id} port ${l.port}`} data-listener={l.id}>
      {mark !== undefined && <span className="hint-badge card-badge">{mark.key}</span>}
      <header className="listener-head">
        <h3><span className="state role-listen"><span className="glyph" aria-hidden="true">L</span>LISTEN</span> {l.endpoint}</h3>
        <span className="pill">#{l.id}</span>
        <span className="pill">{l.responder}</span>
        <span className="pill">backlog {l.backlog}</span>
        {l.paused && <span className="pill warn">{t('listen.paused')}</span>}
        <span className="spacer" />
        {l.paused
          ? <button onClick={() => void store.call('resumeAccept', { listener: l.id })}>{t('listen.resume')}</button>
          : <button onClick={() => void store.call('pauseAccept', { listener: l.id })}>{t('listen.pause')}</button>}
        <button onClick={() => void store.call('accept', { listener: l.id })}>{t('listen.accept1')}</button>
        <button className="danger" onClick={() => void store.call('unlisten', { listener: l.id })}>{t('listen.unlisten')}</button>
      </header>
      <div className="queues">
        <QueueGauge g={l.syn} drops={l.synDrops} history={h.syn} kind="syn" hinted={field === 'synQueue'} dropsHinted={field === 'drops'} />
        <QueueGauge g={l.accept} drops={l.acceptDrops} history={h.accept} kind="accept" hinted={field === 'acceptQueue'} dropsHinted={field === 'drops'} />
      </div>
      <p className={`muted small cookies ${field === 'cookies' ? 'hint-cell' : ''}`}>{t('listen.cookies', l.cookies)}</p>
      {l.halfOpen.length > 0 && (
        <table className={`half-open ${field === 'halfOpen' ? 'hint-cell' : ''}`}>
          <caption>{t('listen.halfOpen')}</caption>
          <tbody>
            {l.halfOpen.map((h2) => (
              <tr key={h2.peer}>
                <td className="num">{h2.peer}</td>
                <td className="num">{h2.age}</td>
                <td>{t('listen.retry', { n: h2.synAckRetries, ms: h2.nextRetry || '—' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

/** Open a listener, or a connection from the lab: the lab checks the values and says what is wrong. */
function OpenForms(): ReactNode {
  const store = useStore();
  const t = useT();
  const [port, setPort] = useState('80');
  const [backlog, setBacklog] = useState('128');
  const [responder, setResponder] = useState<string>('http');
  const [addr, setAddr] = useState(store.snapshot?.info.kernelAddr ?? '10.77.0.1');
  const [rport, setRport] = useState('8080');
  const [error, setError] = useState<string | null>(null);
  const n = (s: string): number | string => (/^\d+$/.test(s.trim()) ? Number(s) : s.trim());
  async function listen(e: FormEvent): Promise<void> {
    e.preventDefault();
    const r = await store.call('listen', { port: n(port), backlog: n(backlog), responder }, { quiet: true });
    setError(r.ok ? null : `${r.error.field ?? ''}: ${r.error.message}`);
  }
  async function connect(e: FormEvent): Promise<void> {
    e.preventDefault();
    const r = await store.call('connect', { addr: addr.trim(), port: n(rport), responder: 'manual' }, { quiet: true });
    setError(r.ok ? null : `${r.error.field ?? ''}: ${r.error.message}`);
    if (r.ok) store.setUi({ view: 'connections', selected: r.value.conn });
  }
  return (
    <div className="card open-forms">
      <form className="form-row" onSubmit={(e) => void listen(e)}>
        <label>{t('listen.port')}<input inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} /></label>
        <label>backlog<input inputMode="numeric" value={backlog} onChange={(e) => setBacklog(e.target.value)} /></label>
        <label>{t('listen.responder')}
          <select value={responder} onChange={(e) => setResponder(e.target.value)}>
            {RESPONDERS.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit" className="solid">{t('listen.listen')}</button>
      </form>
      <form className="form-row" onSubmit={(e) => void connect(e)}>
        <label>{t('listen.peer')}<input value={addr} onChange={(e) => setAddr(e.target.value)} /></label>
        <label>{t('listen.port')}<input inputMode="numeric" value={rport} onChange={(e) => setRport(e.target.value)} /></label>
        <button type="submit">{t('listen.connect')}</button>
      </form>
      <div className="field-error" role="alert">{error}</div>
    </div>
  );
}

export function ListenersView(): ReactNode {
  const store = useStore();
  const t = useT();
  const ls = listenerViews(store.snapshot?.listeners ?? []);
  return (
    <section className="page listeners" aria-label={t('view.listeners')}>
      <OpenForms />
      {ls.length === 0 ? <p className="empty">{t('listen.none')}</p> : ls.map((l) => <ListenerCard key={l.id} l={l} />)}
    </section>
  );
}
