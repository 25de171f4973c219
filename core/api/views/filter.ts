// The connection filter language (the `/` prompt of the TUI, the search box of the GUI).
//   established            substring of the row's text (local, peer, state, app), any case
//   state:ESTABLISHED      a state; any case, '_' for '-', a prefix is enough (state:syn, state:time)
//   state:FIN-WAIT-1,FIN-WAIT-2   a comma means "or"
//   port:80                local or peer port; port:8000-8100 a range
//   lport:80 rport:40000   local port, peer port
//   addr:10.77.0.1         local or peer address (prefix: addr:10.77.)
//   id:12  listener:1  app:echo  timer:rto
//   !state:TIME-WAIT       '!' (or '-') in front negates a term
// Terms are separated by spaces and all must hold. "double quotes" keep spaces in a term.
import type { ConnectionRow } from '../snapshot.ts';
import { TCP_STATES } from '../names.ts';
import { TIMER_SHORT } from './netstat.ts';

export const FILTER_KEYS = ['state', 'port', 'lport', 'rport', 'addr', 'id', 'listener', 'app', 'timer'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export type FilterTerm =
  | { kind: 'text'; negate: boolean; text: string }
  | { kind: 'key'; negate: boolean; key: FilterKey; values: string[] };

export interface ConnectionFilter {
  /** The text it was parsed from, trimmed. */
  source: string;
  terms: FilterTerm[];
}

export type FilterParse = { ok: true; filter: ConnectionFilter } | { ok: false; error: string };

export const EMPTY_FILTER: ConnectionFilter = { source: '', terms: [] };

function tokens(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    // A quoted token keeps its quotes' content; key:"a b" becomes key:a b.
    out.push(m[1] ?? m[2].replace(/"/g, ''));
  }
  return out;
}

const normState = (s: string): string => s.toUpperCase().replace(/_/g, '-');
const isNum = (s: string): boolean => /^\d+$/.test(s);

function checkValue(key: FilterKey, value: string): string | null {
  if (value === '') return `${key}: needs a value, like ${key}:${example(key)}`;
  switch (key) {
    case 'state':
      return TCP_STATES.some((st) => st.startsWith(normState(value)))
        ? null : `state: no state starts with '${value}' (${TCP_STATES.join(', ')})`;
    case 'port':
    case 'lport':
    case 'rport':
      return /^\d+(-\d+)?$/.test(value) ? null : `${key}: '${value}' is not a port or a range like 8000-8100`;
    case 'id':
    case 'listener':
      return isNum(value) ? null : `${key}: '${value}' is not a number`;
    case 'addr':
    case 'app':
    case 'timer':
      return null;
    default: {
      const never: never = key;
      return `unknown key ${String(never)}`;
    }
  }
}

function example(key: FilterKey): string {
  const ex: Record<FilterKey, string> = {
    state: 'ESTABLISHED', port: '80', lport: '80', rport: '40000', addr: '10.77.0.1', id: '1',
    listener: '1', app: 'echo', timer: 'rto',
  };
  return ex[key];
}

function parseTerm(token: string): FilterTerm | string {
  const negate = token.startsWith('!') || (token.startsWith('-') && token.length > 1);
  const body = negate ? token.slice(1) : token;
  const colon = body.indexOf(':');
  if (colon <= 0) return { kind: 'text', negate, text: body.toLowerCase() };
  const key = body.slice(0, colon).toLowerCase();
  if (!(FILTER_KEYS as readonly string[]).includes(key)) {
    // 10.77.0.1:80 is an endpoint, not a key: treat it as text.
    if (/^[\d.]+$/.test(key)) return { kind: 'text', negate, text: body.toLowerCase() };
    return `unknown filter key '${key}' (keys: ${FILTER_KEYS.join(', ')})`;
  }
  const values = body.slice(colon + 1).split(',');
  for (const v of values) {
    const err = checkValue(key as FilterKey, v);
    if (err !== null) return err;
  }
  return { kind: 'key', negate, key: key as FilterKey, values };
}

/** Parses the filter text; an error says which term is wrong and how to write it. */
export function parseFilter(text: string): FilterParse {
  const terms: FilterTerm[] = [];
  for (const tok of tokens(text)) {
    if (tok === '!' || tok === '') continue;
    const term = parseTerm(tok);
    if (typeof term === 'string') return { ok: false, error: term };
    terms.push(term);
  }
  return { ok: true, filter: { source: text.trim(), terms } };
}

function inPort(value: string, port: number): boolean {
  const dash = value.indexOf('-');
  if (dash < 0) return Number(value) === port;
  return port >= Number(value.slice(0, dash)) && port <= Number(value.slice(dash + 1));
}

function matchValue(key: FilterKey, v: string, r: ConnectionRow): boolean {
  switch (key) {
    case 'state': return r.state.startsWith(normState(v));
    case 'port': return inPort(v, r.localPort) || inPort(v, r.remotePort);
    case 'lport': return inPort(v, r.localPort);
    case 'rport': return inPort(v, r.remotePort);
    case 'addr': return r.localAddr.startsWith(v) || r.remoteAddr.startsWith(v);
    case 'id': return r.id === Number(v);
    case 'listener': return r.listener === Number(v);
    case 'app': return (r.responder ?? '').startsWith(v.toLowerCase());
    case 'timer': return r.timer !== null && (r.timer.name.startsWith(v.toLowerCase()) || TIMER_SHORT[r.timer.name].startsWith(v.toLowerCase()));
    default: {
      const never: never = key;
      throw new Error(`unknown key ${String(never)}`);
    }
  }
}

/** The text bare words are searched in, lower case. */
export function rowSearchText(r: ConnectionRow): string {
  return `${r.local} ${r.remote} ${r.state} ${r.responder ?? ''} #${r.id}`.toLowerCase();
}

export function matchConnection(f: ConnectionFilter, r: ConnectionRow): boolean {
  let text: string | null = null;
  for (const term of f.terms) {
    let hit: boolean;
    if (term.kind === 'text') {
      text ??= rowSearchText(r);
      hit = text.includes(term.text);
    } else {
      hit = term.values.some((v) => matchValue(term.key, v, r));
    }
    if (hit === term.negate) return false;
  }
  return true;
}

/** The rows the filter keeps, in their order. */
export function filterConnections(rows: readonly ConnectionRow[], f: ConnectionFilter): ConnectionRow[] {
  if (f.terms.length === 0) return rows.slice();
  return rows.filter((r) => matchConnection(f, r));
}
