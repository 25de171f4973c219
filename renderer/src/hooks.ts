// React glue: the store in a context, a hook that re-renders on store changes (at most once
// per frame), translation, and a clock that ticks for countdowns.
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { LabStore } from './lab/store.ts';
import { translate, type MsgKey } from './i18n.ts';

export const StoreContext = createContext<LabStore | null>(null);

export function useStore(): LabStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('no LabStore in context');
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}

export type T = (key: MsgKey, params?: Record<string, string | number>) => string;

const translators: Record<string, T> = {};

/** The translator for the current language (the same function while the language stays). */
export function useT(): T {
  const store = useStore();
  const lang = store.ui.lang;
  return (translators[lang] ??= (key, params) => translate(lang, key, params));
}

/** Re-renders every `ms` while mounted (countdowns). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
