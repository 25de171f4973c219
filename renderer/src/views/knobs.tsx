// Knobs: one form row per knob (Linux sysctl name, value, default, range, meaning). A value is
// checked by the lab; a refusal is shown under the field with the lab's own message.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { KnobInfo } from '../../../core/api/contract.ts';
import { knobRows, type KnobRowView } from '../../../core/api/views/knobs.ts';
import { useStore, useT } from '../hooks.ts';
import { markClass, type Mark } from '../lab/hints.ts';

function KnobRow({ k, view, hint }: { k: KnobInfo; view: KnobRowView; hint: Mark | undefined }): ReactNode {
  const store = useStore();
  const t = useT();
  const current = view.value;
  const [draft, setDraft] = useState(String(current));
  const [error, setError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  useEffect(() => { if (!dirty) setDraft(String(current)); }, [current, dirty]);
  const id = `knob-${k.name}`;

  async function apply(e?: FormEvent, value?: string): Promise<void> {
    e?.preventDefault();
    const raw = (value ?? draft).trim();
    // The lab checks the value and words the refusal; numbers go as numbers.
    const v = typeof k.default === 'number' && raw !== '' && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    const r = await store.call('setKnob', { name: k.name, value: v }, { quiet: true });
    if (r.ok) {
      setError(null);
      setDirty(false);
      store.toast('ok', t('knobs.set', { name: r.value.name, value: String(r.value.value) }));
    } else {
      setError(r.error.message);
    }
  }

  return (
    <form className={`knob ${error ? 'invalid' : ''} ${view.changed ? 'changed' : ''} ${markClass(hint)}`} data-knob={k.name} onSubmit={(e) => void apply(e)}>
      <div className="knob-name">
        <label htmlFor={id}>{hint !== undefined && <span className="hint-badge inline">{hint.key}</span>}<code>{k.name}</code></label>
        {k.linuxName && k.linuxName !== k.name && <span className="muted small">{k.linuxName}</span>}
      </div>
      <div className="knob-input">
        {k.choices ? (
          <select id={id} value={draft} onChange={(e) => { setDraft(e.target.value); setDirty(true); }}>
            {k.choices.map((c) => <option key={String(c)} value={String(c)}>{String(c)}</option>)}
          </select>
        ) : (
          <input id={id} inputMode="numeric" value={draft} aria-invalid={error !== null} aria-describedby={`${id}-msg`}
            onChange={(e) => { setDraft(e.target.value); setDirty(true); setError(null); }} />
        )}
        {k.unit && <span className="muted">{k.unit}</span>}
        <button type="submit" disabled={!dirty && error === null}>{t('knobs.apply')}</button>
        <button type="button" className="ghost" disabled={String(current) === String(k.default)}
          onClick={() => { setDraft(String(k.default)); void apply(undefined, String(k.default)); }}>{t('knobs.reset')}</button>
      </div>
      <div className="knob-doc">
        <span>{k.doc}</span>
        <span className="muted small"> · {t('knobs.default', { value: view.defaultText })}{view.range ? ` · ${view.range}` : ''}</span>
        <div id={`${id}-msg`} className="field-error" role="alert">{error}</div>
      </div>
    </form>
  );
}

export function KnobsView(): ReactNode {
  const store = useStore();
  const t = useT();
  const [knobs, setKnobs] = useState<KnobInfo[]>([]);
  const [filter, setFilter] = useState('');
  useEffect(() => {
    void store.call('getKnobs').then((r) => { if (r.ok) setKnobs(r.value.knobs); });
  }, [store]);
  const live = store.snapshot?.knobs ?? {};
  const hinted = store.hintMarks().knobs;
  const jumpSeq = store.ui.jumpSeq;
  useEffect(() => {
    if (store.ui.highlight?.kind === 'knob') setFilter('');
  }, [jumpSeq, store]);
  const views = knobRows(knobs, live);
  const byName = new Map(knobs.map((k) => [k.name, k]));
  const shown = views.filter((k) => `${k.name} ${k.linuxName} ${k.doc}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section className="page knobs" aria-label={t('view.knobs')}>
      <div className="toolbar">
        <input className="filter" type="search" placeholder="tcp_syncookies, somaxconn…" aria-label="filter knobs" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <div className="card knob-list">{shown.map((v) => { const k = byName.get(v.name); return k ? <KnobRow key={v.name} k={k} view={v} hint={hinted.get(v.name)} /> : null; })}</div>
    </section>
  );
}
