// One connection in depth: state timeline, ladder diagram, buffers and windows, timers with
// countdowns, the sequence space on the 32-bit circle, and the tcp_info numbers. The shared view
// models (core/api/views) compute what is shown; this draws it.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ErrorEvent, LabEvent, SegmentEvent, StateEvent } from '../../../core/api/events.ts';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';
import { bufferGauges, type Gauge } from '../../../core/api/views/gauges.ts';
import { t as st } from '../../../core/api/views/i18n.ts';
import { timerCountdowns } from '../../../core/api/views/timers.ts';
import { useStore, useT, useTick } from '../hooks.ts';
import type { FieldMark } from '../lab/hints.ts';
import { StateBadge } from './connections.tsx';
import { Ladder } from './ladder.tsx';
import { SeqSpace } from './seqspace.tsx';
import { Timeline } from './timeline.tsx';

const HISTORY_LIMIT = 2000;

/** The connection's history from the lab, then the live events after it. */
function useConnectionEvents(conn: number): LabEvent[] {
  const store = useStore();
  const [history, setHistory] = useState<{ conn: number; events: LabEvent[] } | null>(null);
  useEffect(() => {
    let live = true;
    void store.call('connectionHistory', { conn, limit: HISTORY_LIMIT }, { quiet: true }).then((r) => {
      if (live) setHistory({ conn, events: r.ok ? r.value.events : [] });
    });
    return () => { live = false; };
  }, [conn, store, store.epoch]);
  const recent = store.eventsOf(conn);
  const lastRecent = recent.length > 0 ? recent[recent.length - 1].seq : -1;
  return useMemo(() => {
    const base = history?.conn === conn ? history.events : [];
    const lastSeq = base.length > 0 ? base[base.length - 1].seq : -1;
    return [...base, ...recent.filter((e) => e.seq > lastSeq)];
  }, [history, conn, recent.length, lastRecent]); // recent is a new array each render; its length and last seq are what matter
}

export function ConnectionDetail({ conn }: { conn: number }): ReactNode {
  const store = useStore();
  const t = useT();
  const found = store.rowOf(conn);
  const events = useConnectionEvents(conn);
  const [relative, setRelative] = useState(true);
  useTick(250);
  if (found === null) return null;
  const { row: lastRow, gone } = found;
  // A gone connection's last row still says the state it had; its history says how it ended.
  const states = events.filter((e): e is StateEvent => e.kind === 'state');
  const row = gone && states.length > 0 ? { ...lastRow, state: states[states.length - 1].to } : lastRow;
  const ctx = store.viewContext();
  const segments = events.filter((e): e is SegmentEvent => e.kind === 'segment');
  const errors = events.filter((e): e is ErrorEvent => e.kind === 'error');
  const error = errors.length > 0 ? errors[errors.length - 1].code : null;
  const marks = store.hintMarks();
  const hint = marks.conns.get(conn);
  const area = hintArea(hint);
  const jumpCls = (a: ReturnType<typeof hintArea>): string => (area === a ? `hint-cell ${hint?.jump ? 'hint-jump' : ''}` : '');
  // A row rebuilt from the history has no live numbers: only the timeline, the ladder and the ISNs.
  const ghost = store.ghosts.has(conn);

  return (
    <section className="detail" aria-label={t('detail.title', { id: conn })}>
      <header className="detail-head">
        <h2>{t('detail.title', { id: conn })}</h2>
        <StateBadge state={row.state} />
        <code className="tuple">{row.local} ⇄ {row.remote}</code>
        {error && <span className="err-badge">{error}</span>}
        <span className="spacer" />
        <label className="check"><input type="checkbox" checked={relative} onChange={(e) => setRelative(e.target.checked)} /> {st(ctx.lang, 'ladder.relative')}</label>
        {!gone && <SendBox conn={conn} />}
        {!gone && <button onClick={() => void store.call('shutdown', { conn })} title="shutdown(SHUT_WR): FIN after queued data, keep receiving">{t('conn.shutdown')}</button>}
        {!gone && <button onClick={() => void store.call('close', { conn })}>{t('conn.close')}</button>}
        <button className="icon" aria-label={t('detail.close')} title={t('detail.close')} onClick={() => store.setUi({ selected: null })}>✕</button>
      </header>
      {gone && <p className="note">{t(ghost ? 'detail.ghost' : 'detail.gone')}</p>}
      <div className="detail-grid">
        <div className="card span2">
          <h3>{t('detail.timeline')}</h3>
          <Timeline events={events} now={gone ? (events[events.length - 1]?.at ?? ctx.now) : ctx.now} />
        </div>
        <div className="card ladder-card">
          <h3>{t('detail.ladder')}</h3>
          <Ladder segments={segments} row={row} relative={relative} marks={marks.segments} />
        </div>
        <div className="side-col">
          {!ghost && (
            <>
              <div className={`card ${jumpCls('buffers')}`}>
                <h3>{t('detail.buffers')}</h3>
                <Gauges gauges={bufferGauges(row, store.snapshot?.knobs ?? {})} />
              </div>
              <div className={`card ${jumpCls('timers')}`}>
                <h3>{t('detail.timers')}</h3>
                <Timers row={row} events={events} />
              </div>
              <div className={`card ${jumpCls('seqspace')}`}>
                <h3>{t('detail.seqspace')}</h3>
                <SeqSpace row={row} />
              </div>
            </>
          )}
          <div className="card">
            <h3>{t('detail.info')}</h3>
            <Info row={row} field={area === 'info' ? infoKey(hint?.field) : null} jump={hint?.jump ?? false} ghost={ghost} />
          </div>
        </div>
      </div>
    </section>
  );
}

/** Send text on the connection (\r and \n escapes allowed, as in the console's `send`). */
function SendBox({ conn }: { conn: number }): ReactNode {
  const store = useStore();
  const t = useT();
  const [text, setText] = useState('');
  return (
    <form className="send-box" onSubmit={(e) => {
      e.preventDefault();
      const data = text.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
      void store.call('send', { conn, data }).then((r) => { if (r.ok) { store.toast('ok', t('ok.sent', { n: r.value.written, id: conn })); setText(''); } });
    }}>
      <input aria-label={t('conn.sendLabel')} placeholder={t('conn.sendLabel')} value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" disabled={text === ''}>{t('conn.send')}</button>
    </form>
  );
}

export function GaugeBar({ g, label }: { g: Gauge; label: string }): ReactNode {
  return (
    <div className={`gauge level-${g.level}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={g.limit} aria-valuenow={g.used}>
      <div className="gauge-label"><span>{label}</span><span className="num">{g.text}</span></div>
      <div className="gauge-track"><div className="gauge-fill" style={{ width: `${(g.ratio * 100).toFixed(1)}%` }} /></div>
    </div>
  );
}

function Gauges({ gauges }: { gauges: Gauge[] }): ReactNode {
  const store = useStore();
  return <div className="gauges">{gauges.map((g) => <GaugeBar key={g.id} g={g} label={st(store.ui.lang, g.label)} />)}</div>;
}

function Timers({ row, events }: { row: ConnectionRow; events: LabEvent[] }): ReactNode {
  const store = useStore();
  const ctx = store.viewContext();
  const list = timerCountdowns({ row, events, now: ctx.now, snapshotAt: ctx.snapshotAt, knobs: store.snapshot?.knobs });
  return (
    <ul className="timers">
      {list.map((x) => {
        const total = x.deadline === null ? 1 : Math.max(1, x.deadline - (row.timer?.name === x.name ? x.deadline - row.timer.expiresIn : ctx.snapshotAt));
        const ratio = x.leftMs === null ? 0 : Math.max(0, Math.min(1, x.leftMs / total));
        return (
          <li key={x.name} className={x.running ? 'running' : 'off'} data-timer={x.name}>
            <span className="timer-name">{st(ctx.lang, x.label)}</span>
            <span className={`countdown num ${x.overdue ? 'overdue' : ''}`}>{x.running ? x.text : st(ctx.lang, 'timer.off')}</span>
            <span className="muted small">{x.retries > 0 ? st(ctx.lang, 'timer.retries', { n: x.retries }) : x.last ?? ''}</span>
            <div className="gauge-track thin"><div className="gauge-fill timer" style={{ width: `${(ratio * 100).toFixed(1)}%` }} /></div>
          </li>
        );
      })}
    </ul>
  );
}

/** Where in the detail a hinted connection field is shown. */
function hintArea(hint: FieldMark | undefined): 'timers' | 'seqspace' | 'buffers' | 'info' | null {
  const field = hint?.field;
  switch (field) {
    case undefined: return null;
    case 'timer': return 'timers';
    case 'sndUna': case 'sndNxt': case 'rcvNxt': case 'sndWnd': case 'rcvWnd': return 'seqspace';
    case 'sendQ': case 'recvQ': case 'sndBuf': case 'rcvBuf': return 'buffers';
    default: return infoKey(field) === null ? null : 'info';
  }
}

const INFO_KEYS: Record<string, string> = {
  rto: 'rto', rtt: 'rtt', rttvar: 'rtt', mss: 'mss', cwnd: 'cwnd', cwndBytes: 'cwnd', ssthresh: 'ssthresh', sndWscale: 'wscale', rcvWscale: 'wscale',
  iss: 'ISS', irs: 'IRS', retransmits: 'retrans', listener: 'listener', responder: 'responder', orphan: 'orphan',
};

function infoKey(field: string | undefined): string | null {
  return field === undefined ? null : INFO_KEYS[field] ?? null;
}

function Info({ row, field, jump, ghost }: { row: ConnectionRow; field: string | null; jump: boolean; ghost: boolean }): ReactNode {
  const pairs: [string, string][] = [
    ['rto', `${Math.round(row.rto)} ms`],
    ['rtt', `${row.rtt}/${row.rttvar} ms`],
    ['mss', String(row.mss)],
    ['cwnd', `${row.cwnd} (${row.cwndBytes} B)`],
    ['ssthresh', row.ssthresh === null ? '∞' : String(row.ssthresh)],
    ['wscale', `${row.sndWscale},${row.rcvWscale}`],
    ['ISS', String(row.iss >>> 0)],
    ['IRS', String(row.irs >>> 0)],
    ['retrans', String(row.retransmits)],
    ['listener', row.listener === null ? 'active open' : `#${row.listener}${row.accepted ? ' (accepted)' : ' (in accept queue)'}`],
    ['responder', row.responder ?? '—'],
    ['orphan', row.orphan ? 'yes' : 'no'],
  ];
  if (ghost) pairs.splice(0, pairs.length, ['ISS', String(row.iss >>> 0)], ['IRS', String(row.irs >>> 0)]);
  if (!ghost) pairs.push(['sndbuf / rcvbuf', `${row.sndBuf} / ${row.rcvBuf}`]);
  if (row.urgentPointer !== null) pairs.push(['urgent ptr', String(row.urgentPointer)]);
  return (
    <dl className="info">
      {pairs.map(([k, v]) => (
        <div key={k} className={field === k ? `hint-cell ${jump ? 'hint-jump' : ''}` : ''} data-info={k}><dt>{k}</dt><dd className="num">{v}</dd></div>
      ))}
    </dl>
  );
}
