// What the fault prompt accepts: the command line's form (`tcplab fault add` words, e.g.
// `dir=in flags=. nth=3 drop`, core/api/command-fault.ts), a rule as JSON (the injector's
// language, core/api/fault-schemas.ts), or a short form read left to right:
//   drop in S.                  drop the first SYN-ACK from the kernel (in: kernel -> lab)
//   drop in . nth 3             drop the 3rd pure ACK from the kernel
//   delay out S. 5000ms         hold our SYN-ACK for 5 s
//   duplicate out F. x2         send our FIN three times
//   corrupt out data            break the checksum of the first data segment we send
//   reorder in data after 2
//   drop port 80 10% all        lose 10% of port 80's packets, for ever
// Words: an action first (drop, delay, duplicate, corrupt, reorder); then in|out|any; tcpdump
// flags (S, S., ., P., F., R, R.); data|empty; port N, sport N, dport N; nth N; count N; all;
// N% or p 0.N; Nms or ms N (delay, reorder's limit); xN (copies); after N; id NAME. The lab
// validates the result again and names the field at fault.
import { buildFaultRule } from '../../core/api/command-fault.ts';
import type { FaultRuleSpec } from '../../core/api/fault-schemas.ts';

export type FaultInput = { ok: true; rule: FaultRuleSpec } | { ok: false; error: string };

const ACTIONS = ['drop', 'delay', 'duplicate', 'corrupt', 'reorder'] as const;
type ActionName = (typeof ACTIONS)[number];

type RuleDraft = Record<string, unknown>;

function num(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d+(\.\d+)?$/.test(s)) throw new Error(`${what} needs a number`);
  return Number(s);
}

/** Consumes one word (and its argument, if it takes one) into the draft; returns words used. */
function word(w: string, next: string | undefined, d: RuleDraft, opt: Record<string, number>): number {
  const lw = w.toLowerCase();
  if (lw === 'in' || lw === 'out' || lw === 'any') { d.dir = lw; return 1; }
  if (lw === 'data' || lw === 'empty') { d.payload = lw; return 1; }
  if (lw === 'all') { d.count = 'all'; return 1; }
  if (lw === 'port') { d.port = num(next, 'port'); return 2; }
  if (lw === 'sport') { d.srcPort = num(next, 'sport'); return 2; }
  if (lw === 'dport') { d.dstPort = num(next, 'dport'); return 2; }
  if (lw === 'nth') { d.nth = num(next, 'nth'); return 2; }
  if (lw === 'count') { d.count = next === 'all' ? 'all' : num(next, 'count'); return 2; }
  if (lw === 'p' || lw === 'prob') { d.probability = num(next, 'p'); return 2; }
  if (lw === 'ms') { opt.ms = num(next, 'ms'); return 2; }
  if (lw === 'after') { opt.after = num(next, 'after'); return 2; }
  if (lw === 'id') {
    if (next === undefined) throw new Error('id needs a name');
    d.id = next;
    return 2;
  }
  let m = /^(\d+(?:\.\d+)?)%$/.exec(w);
  if (m) { d.probability = Number(m[1]) / 100; return 1; }
  m = /^(\d+)ms$/.exec(lw);
  if (m) { opt.ms = Number(m[1]); return 1; }
  m = /^(\d+)s$/.exec(lw);
  if (m) { opt.ms = Number(m[1]) * 1000; return 1; }
  m = /^x(\d+)$/.exec(lw);
  if (m) { opt.copies = Number(m[1]); return 1; }
  if (/^(?:none|[FSRPUEW.]+)$/.test(w)) {
    d.flags = d.flags === undefined ? w : [...([] as string[]).concat(d.flags as string), w];
    return 1;
  }
  throw new Error(`'${w}' is not understood (try: drop in S. — or a JSON rule)`);
}

function action(name: ActionName, opt: Record<string, number>): unknown {
  switch (name) {
    case 'drop': return 'drop';
    case 'delay':
      if (opt.ms === undefined) throw new Error('delay needs a time, like 500ms');
      return { type: 'delay', ms: opt.ms };
    case 'duplicate': return opt.copies === undefined ? 'duplicate' : { type: 'duplicate', copies: opt.copies };
    case 'corrupt': return 'corrupt';
    case 'reorder': {
      const a: Record<string, unknown> = { type: 'reorder' };
      if (opt.after !== undefined) a.after = opt.after;
      if (opt.ms !== undefined) a.maxMs = opt.ms;
      return Object.keys(a).length === 1 ? 'reorder' : a;
    }
    default: {
      const never: never = name;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
}

export function parseFaultInput(text: string): FaultInput {
  const s = text.trim();
  if (s === '') return { ok: false, error: 'type a rule, like: drop in S.' };
  if (s.startsWith('{')) {
    try {
      return { ok: true, rule: JSON.parse(s) as FaultRuleSpec };
    } catch (err) {
      return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const words = s.split(/\s+/);
  if (words.some((w) => w.includes('='))) {
    const r = buildFaultRule(words);
    return r.ok ? { ok: true, rule: r.value as unknown as FaultRuleSpec } : { ok: false, error: r.error };
  }
  const first = words[0].toLowerCase();
  if (!(ACTIONS as readonly string[]).includes(first)) {
    return { ok: false, error: `start with an action: ${ACTIONS.join(', ')}` };
  }
  const draft: RuleDraft = {};
  const opt: Record<string, number> = {};
  try {
    for (let i = 1; i < words.length;) i += word(words[i], words[i + 1], draft, opt);
    draft.action = action(first as ActionName, opt);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  if (draft.probability !== undefined && draft.count === undefined) draft.count = 'all';
  return { ok: true, rule: draft as unknown as FaultRuleSpec };
}

/** A rule as a short line for the faults list: 'drop in S. nth 3 (fired 1/2)'. */
export function describeRule(rule: FaultRuleSpec): string {
  const parts: string[] = [];
  const a = rule.action;
  if (typeof a === 'string') parts.push(a);
  else {
    switch (a.type) {
      case 'delay': parts.push(`delay ${a.ms}ms`); break;
      case 'duplicate': parts.push(a.copies === undefined ? 'duplicate' : `duplicate x${a.copies}`); break;
      case 'reorder': parts.push(`reorder${a.after === undefined ? '' : ` after ${a.after}`}${a.maxMs === undefined ? '' : ` ${a.maxMs}ms`}`); break;
      case 'corrupt': parts.push(a.what === undefined ? 'corrupt' : `corrupt ${a.what}`); break;
      case 'drop': parts.push('drop'); break;
      default: {
        const never: never = a;
        parts.push(String(never));
      }
    }
  }
  if (rule.dir !== undefined && rule.dir !== 'any') parts.push(rule.dir);
  if (rule.proto !== undefined && rule.proto !== 'any') parts.push(rule.proto);
  if (rule.flags !== undefined) parts.push(([] as string[]).concat(rule.flags).join('|'));
  if (rule.hasFlags !== undefined) parts.push(`has ${rule.hasFlags}`);
  if (rule.payload !== undefined) parts.push(rule.payload);
  if (rule.port !== undefined) parts.push(`port ${rule.port}`);
  if (rule.srcPort !== undefined) parts.push(`sport ${rule.srcPort}`);
  if (rule.dstPort !== undefined) parts.push(`dport ${rule.dstPort}`);
  if (rule.src !== undefined) parts.push(`src ${rule.src}`);
  if (rule.dst !== undefined) parts.push(`dst ${rule.dst}`);
  if (rule.nth !== undefined) parts.push(`nth ${rule.nth}`);
  if (rule.count !== undefined) parts.push(rule.count === 'all' ? 'all' : `count ${rule.count}`);
  if (rule.probability !== undefined) parts.push(`${Math.round(rule.probability * 1000) / 10}%`);
  return parts.join(' ');
}
