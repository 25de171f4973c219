// Fault rules: a form that builds a rule in the injector's language (direction, flags, port,
// which match, how many, probability, action), the rules in force with how often each fired,
// and the totals. The lab validates; its message is shown next to the form.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { FaultRuleSpec } from '../../../core/api/fault-schemas.ts';
import { useStore, useT } from '../hooks.ts';
import { markClass } from '../lab/hints.ts';

type Action = 'drop' | 'delay' | 'duplicate' | 'corrupt' | 'reorder';

export function describeRule(r: FaultRuleSpec): string {
  const parts: string[] = [];
  if (r.dir && r.dir !== 'any') parts.push(r.dir === 'in' ? 'kernel → lab' : 'lab → kernel');
  if (r.flags) parts.push(`flags [${Array.isArray(r.flags) ? r.flags.join('|') : r.flags}]`);
  if (r.port !== undefined) parts.push(`port ${r.port}`);
  if (r.srcPort !== undefined) parts.push(`sport ${r.srcPort}`);
  if (r.dstPort !== undefined) parts.push(`dport ${r.dstPort}`);
  if (r.payload) parts.push(r.payload === 'data' ? 'with data' : 'no data');
  if (r.nth !== undefined) parts.push(`#${r.nth}`);
  if (r.count !== undefined) parts.push(`× ${r.count}`);
  if (r.probability !== undefined) parts.push(`p=${r.probability}`);
  const a = r.action;
  const act = typeof a === 'string' ? a : a.type === 'delay' ? `delay ${a.ms} ms` : a.type;
  return `${act} ${parts.length ? '· ' + parts.join(' · ') : '· every packet'}`;
}

/** Seeded random faults over every packet: loss, duplication, corruption, reordering (probabilities). */
function RandomFaults(): ReactNode {
  const store = useStore();
  const t = useT();
  const current = store.snapshot?.faults.random ?? null;
  const [seed, setSeed] = useState('1');
  const [loss, setLoss] = useState('0.05');
  const [dup, setDup] = useState('');
  const [corrupt, setCorrupt] = useState('');
  const [reorder, setReorder] = useState('');
  const [error, setError] = useState<string | null>(null);
  const num = (s: string): number | string | undefined => (s.trim() === '' ? undefined : /^\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s.trim());
  async function apply(e: FormEvent): Promise<void> {
    e.preventDefault();
    const random: Record<string, unknown> = { seed: num(seed) };
    for (const [k, v] of [['loss', loss], ['duplicate', dup], ['corrupt', corrupt], ['reorder', reorder]] as const) {
      const n = num(v);
      if (n !== undefined) random[k] = n;
    }
    const r = await store.call('faultRandom', { random }, { quiet: true });
    setError(r.ok ? null : `${r.error.field ?? ''}: ${r.error.message}`);
  }
  return (
    <form className="card fault-form" onSubmit={(e) => void apply(e)}>
      <h3>{t('faults.random')}</h3>
      <div className="form-grid">
        <label>seed<input inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} /></label>
        <label>{t('faults.loss')}<input inputMode="decimal" placeholder="0.05" value={loss} onChange={(e) => setLoss(e.target.value)} /></label>
        <label>{t('faults.duplicate')}<input inputMode="decimal" placeholder="0" value={dup} onChange={(e) => setDup(e.target.value)} /></label>
        <label>{t('faults.corrupt')}<input inputMode="decimal" placeholder="0" value={corrupt} onChange={(e) => setCorrupt(e.target.value)} /></label>
        <label>{t('faults.reorder')}<input inputMode="decimal" placeholder="0" value={reorder} onChange={(e) => setReorder(e.target.value)} /></label>
        <button type="submit" className="solid">{t('faults.randomOn')}</button>
        <button type="button" disabled={current === null} onClick={() => void store.call('faultRandom', { random: null })}>{t('faults.randomOff')}</button>
      </div>
      <div className="field-error" role="alert">{error}</div>
    </form>
  );
}

/** A text field of the rule form, marked invalid when the lab's refusal names it. */
function Field({ label, invalid, inputMode, placeholder, value, onChange }: {
  label: string; invalid: boolean; inputMode?: 'numeric' | 'decimal'; placeholder?: string; value: string; onChange: (v: string) => void;
}): ReactNode {
  return (
    <label>{label}
      <input className={invalid ? 'invalid' : ''} inputMode={inputMode} placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

export function FaultsView(): ReactNode {
  const store = useStore();
  const t = useT();
  const faults = store.snapshot?.faults;
  const hinted = store.hintMarks().faults;
  const [dir, setDir] = useState<'in' | 'out' | 'any'>('in');
  const [flags, setFlags] = useState('');
  const [port, setPort] = useState('');
  const [nth, setNth] = useState('');
  const [count, setCount] = useState('1');
  const [prob, setProb] = useState('');
  const [action, setAction] = useState<Action>('drop');
  const [ms, setMs] = useState('500');
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);

  async function add(e: FormEvent): Promise<void> {
    e.preventDefault();
    // Numbers go as numbers; anything else goes as typed, so the lab names the field and says why.
    const num = (s: string): number | string | undefined => (s.trim() === '' ? undefined : /^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s.trim());
    const rule: Record<string, unknown> = { dir };
    if (flags.trim()) rule.flags = flags.trim();
    if (port.trim()) rule.port = num(port);
    if (nth.trim()) rule.nth = num(nth);
    if (count.trim()) rule.count = count.trim() === 'all' ? 'all' : num(count);
    if (prob.trim()) rule.probability = num(prob);
    rule.action = action === 'delay' ? { type: 'delay', ms: num(ms) ?? 0 } : action;
    const r = await store.call('faultAdd', { rule }, { quiet: true });
    if (r.ok) {
      setError(null);
      store.toast('ok', t('ok.faultAdded', { id: r.value.id }));
    } else setError({ field: r.error.field, message: r.error.message });
  }

  const bad = (f: string): boolean => error?.field?.endsWith(f) ?? false;
  const totals = faults?.counts;
  return (
    <section className="page faults" aria-label={t('view.faults')}>
      <form className="card fault-form" onSubmit={(e) => void add(e)}>
        <h3>{t('faults.add')}</h3>
        <div className="form-grid">
          <label>{t('faults.dir')}
            <select value={dir} onChange={(e) => setDir(e.target.value as typeof dir)}>
              <option value="in">{t('faults.in')}</option>
              <option value="out">{t('faults.out')}</option>
              <option value="any">{t('faults.any')}</option>
            </select>
          </label>
          <Field label={t('faults.flags')} invalid={bad('flags')} placeholder="S  S.  .  F.  R" value={flags} onChange={setFlags} />
          <Field label={t('faults.port')} invalid={bad('port')} inputMode="numeric" placeholder="80" value={port} onChange={setPort} />
          <Field label={t('faults.nth')} invalid={bad('nth')} inputMode="numeric" placeholder="1" value={nth} onChange={setNth} />
          <Field label={t('faults.count')} invalid={bad('count')} placeholder="1 | all" value={count} onChange={setCount} />
          <Field label={t('faults.probability')} invalid={bad('probability')} inputMode="decimal" placeholder="0.1" value={prob} onChange={setProb} />
          <label>{t('faults.action')}
            <select value={action} onChange={(e) => setAction(e.target.value as Action)}>
              {(['drop', 'delay', 'duplicate', 'corrupt', 'reorder'] as const).map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </label>
          {action === 'delay' && (
            <Field label={t('faults.ms')} invalid={bad('ms')} inputMode="numeric" value={ms} onChange={setMs} />
          )}
          <button type="submit" className="solid">{t('faults.add')}</button>
        </div>
        <div className="field-error" role="alert">{error ? error.message : ''}</div>
      </form>
      <RandomFaults />
      <div className="card">
        <h3>{t('faults.rules')}</h3>
        {!faults || faults.rules.length === 0 ? <p className="muted">{t('faults.none')}</p> : (
          <ul className="rules">
            {faults.rules.map(({ rule, matched, fired }) => (
              <li key={rule.id} className={markClass(hinted.get(rule.id ?? ''))} data-rule={rule.id}>
                {hinted.has(rule.id ?? '') && <span className="hint-badge inline">{hinted.get(rule.id ?? '')?.key}</span>}
                <code className="rule-id">{rule.id}</code>
                <span className="rule-desc">{describeRule(rule)}</span>
                <span className="muted small">{t('faults.fired', { matched, fired })}</span>
                <button className="mini danger" onClick={() => void store.call('faultRemove', { id: rule.id ?? '' })}>{t('faults.remove')}</button>
              </li>
            ))}
          </ul>
        )}
        {faults?.random && (
          <p className="note">
            {t('faults.random')}: seed {faults.random.seed}
            {(['loss', 'duplicate', 'corrupt', 'reorder'] as const).map((k) => (faults.random?.[k] ? `, ${k} ${faults.random[k]}` : '')).join('')}
          </p>
        )}
        {totals && <p className="muted small">{t('faults.totals', { ...totals, held: faults?.held ?? 0 })}</p>}
      </div>
    </section>
  );
}
