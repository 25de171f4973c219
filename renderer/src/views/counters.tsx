// Counters, netstat -s style (core/api/views/counters.ts): grouped with Linux's names, each with
// its value, how it moved in the last second, and how it moved since a mark (the lab's
// counterDeltas); the meaning of each known counter as a tooltip.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { counterDeltas, counterGroups } from '../../../core/api/views/counters.ts';
import { formatDelta } from '../../../core/api/views/format.ts';
import { local, t as st, type StringKey } from '../../../core/api/views/i18n.ts';
import { useStore, useT } from '../hooks.ts';
import { markClass } from '../lab/hints.ts';

export function CountersView(): ReactNode {
  const store = useStore();
  const t = useT();
  const counters = store.snapshot?.counters ?? {};
  const [filter, setFilter] = useState('');
  const [nonZero, setNonZero] = useState(false);
  const [mark, setMark] = useState<{ since: number; deltas: Record<string, number> } | null>(null);
  const prev = useRef<Record<string, number>>(counters);
  const [perSec, setPerSec] = useState<Record<string, number>>({});

  useEffect(() => {
    const timer = setInterval(() => {
      const cur = store.snapshot?.counters ?? {};
      setPerSec(counterDeltas(prev.current, cur));
      prev.current = cur;
      if (mark !== null) {
        void store.call('counterDeltas', { since: mark.since }, { quiet: true }).then((r) => {
          if (r.ok) setMark((m) => (m === null ? m : { since: m.since, deltas: r.value.deltas }));
        });
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [store, mark]);

  async function markNow(): Promise<void> {
    const r = await store.call('counterDeltas', {});
    if (r.ok) setMark({ since: r.value.at, deltas: {} });
  }

  const hinted = store.hintMarks().counters;
  // A hint jump to a counter the filters hide: clear them, so it shows.
  const jumpSeq = store.ui.jumpSeq;
  useEffect(() => {
    const h = store.ui.highlight;
    if (h?.kind !== 'counter') return;
    setFilter('');
    if ((store.snapshot?.counters[h.name] ?? 0) === 0) setNonZero(false);
  }, [jumpSeq, store]);

  const lang = store.ui.lang;
  const groups = counterGroups(counters, perSec, { nonZero, ...(filter ? { match: filter } : {}) });
  return (
    <section className="page counters" aria-label={t('view.counters')}>
      <div className="toolbar">
        <input className="filter" type="search" placeholder={t('counters.filter')} aria-label={t('counters.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        <label className="check"><input type="checkbox" checked={nonZero} onChange={(e) => setNonZero(e.target.checked)} /> {t('counters.onlyNonZero')}</label>
        <span className="spacer" />
        <button onClick={() => void markNow()}>{t('counters.mark')}</button>
      </div>
      {groups.length === 0 && <p className="empty">{st(lang, 'counters.empty')}</p>}
      <div className="counter-groups">
        {groups.map((g) => (
          <table key={g.id} className="card counter-table" data-group={g.id}>
            <caption>{st(lang, `group.${g.id}` as StringKey)}{st(lang, `group.${g.id}` as StringKey).toLowerCase() === g.id.toLowerCase() ? '' : ` (${g.id})`}</caption>
            <thead>
              <tr><th>{t('counters.name')}</th><th className="right">{t('counters.value')}</th><th className="right">{t('counters.perSec')}</th>{mark && <th className="right">{t('counters.sinceMark')}</th>}</tr>
            </thead>
            <tbody>
              {g.rows.map((r) => {
                const m = mark?.deltas[r.name] ?? 0;
                const hint = hinted.get(r.name);
                return (
                  <tr key={r.name} className={`${r.delta !== 0 ? 'moving' : ''} ${markClass(hint)}`} title={r.doc ? local(lang, r.doc) : undefined} data-counter={r.name}>
                    <td>{hint !== undefined && <span className="hint-badge inline">{hint.key}</span>}{r.name}</td>
                    <td className="num right">{r.value}</td>
                    <td className={`num right delta ${r.delta > 0 ? 'up' : ''}`}>{r.delta === 0 ? '' : formatDelta(r.delta)}</td>
                    {mark && <td className={`num right delta ${m > 0 ? 'up' : ''}`}>{m === 0 ? '' : formatDelta(m)}</td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
      </div>
    </section>
  );
}
