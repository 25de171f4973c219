// Knob rows (name, Linux sysctl, value, default, range, unit, meaning) and the checking of a
// typed value before it is sent, with a message in the user's language. The lab checks again.
import type { KnobInfo } from '../contract.ts';
import { t, type Lang } from './i18n.ts';

export interface KnobRowView {
  name: string;
  linuxName: string;           // '' when the knob is ours only
  value: number | string;
  valueText: string;           // '262144 bytes', '64ns'
  defaultText: string;
  changed: boolean;            // differs from the default
  range: string;               // '0..2', '64ns | 4us', '' when unbounded
  unit: string;
  doc: string;
}

function withUnit(v: number | string, unit: string | undefined): string {
  return unit === undefined || unit === '' ? String(v) : `${v} ${unit}`;
}

export function knobRange(k: Pick<KnobInfo, 'min' | 'max' | 'choices'>): string {
  if (k.choices !== undefined) return k.choices.join(' | ');
  if (k.min !== undefined && k.max !== undefined) return `${k.min}..${k.max}`;
  if (k.min !== undefined) return `>= ${k.min}`;
  if (k.max !== undefined) return `<= ${k.max}`;
  return '';
}

/**
 * Rows for the knobs table, sorted by name. `current` (the snapshot's knobs) wins over the
 * value in `knobs` (from getKnobs), so the table stays live between getKnobs calls.
 */
export function knobRows(knobs: readonly KnobInfo[], current: Record<string, number | string> = {}): KnobRowView[] {
  return [...knobs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((k) => {
    const value = Object.hasOwn(current, k.name) ? current[k.name] : k.value;
    return {
      name: k.name,
      linuxName: k.linuxName ?? '',
      value,
      valueText: withUnit(value, k.unit),
      defaultText: withUnit(k.default, k.unit),
      changed: value !== k.default,
      range: knobRange(k),
      unit: k.unit ?? '',
      doc: k.doc,
    };
  });
}

export type KnobInput = { ok: true; value: number | string } | { ok: false; message: string };

/** Checks a typed value against the knob's kind and range; numbers are integers, as the lab wants. */
export function parseKnobInput(k: KnobInfo | undefined, text: string, lang: Lang, name = k?.name ?? ''): KnobInput {
  if (k === undefined) return { ok: false, message: t(lang, 'knob.unknown', { name }) };
  const s = text.trim();
  if (s === '') return { ok: false, message: t(lang, 'knob.empty', { name: k.name }) };
  const unit = k.unit === undefined ? '' : ` ${k.unit}`;
  if (k.choices !== undefined) {
    const hit = k.choices.find((c) => String(c) === s);
    if (hit === undefined) return { ok: false, message: t(lang, 'knob.choices', { name: k.name, choices: k.choices.join(', ') }) };
    return { ok: true, value: hit };
  }
  if (typeof k.default === 'string') return { ok: true, value: s };
  if (!/^-?\d+$/.test(s)) return { ok: false, message: t(lang, 'knob.notInteger', { name: k.name }) };
  const n = Number(s);
  if (k.min !== undefined && n < k.min) return { ok: false, message: t(lang, 'knob.min', { name: k.name, min: k.min, unit }) };
  if (k.max !== undefined && n > k.max) return { ok: false, message: t(lang, 'knob.max', { name: k.name, max: k.max, unit }) };
  return { ok: true, value: n };
}
