// The command line's short form of fault rules and random faults (`fault add`, `fault random`):
// words `key=value` for the match and the window, and one action word. It builds the same JSON
// the Lab API takes (fault-schemas.ts, the injector's language); a JSON object is accepted too.
//   fault add dir=in flags=. nth=3 drop              drop the 3rd pure ACK from the kernel
//   fault add flags=S. delay=5000                    hold the SYN-ACK for 5 s
//   fault add hasFlags=F duplicate                   duplicate the first FIN
//   fault add flags=S. action=delay ms=5000          the same as delay=5000 (the JSON form's names)
//   fault add dst-port=80 count=all probability=0.1 drop
//   fault random seed=7 loss=0.01 reorder=0.01 delay=0.05 delay-ms=20 jitter-ms=5 port=80

const NUMERIC = new Set(['ms', 'nth', 'probability', 'srcPort', 'dstPort', 'port', 'seed', 'loss', 'duplicate', 'corrupt', 'reorder', 'reorderMaxMs', 'delayMs', 'jitterMs', 'delay', 'after', 'maxMs', 'copies']);

export const RULE_KEYS = ['id', 'dir', 'proto', 'flags', 'hasFlags', 'src', 'dst', 'srcPort', 'dstPort', 'port', 'payload', 'nth', 'count', 'probability', 'action'] as const;
/** Parameters of an `action=TYPE` word (`action=delay ms=5000`), the JSON form's names. */
export const ACTION_PARAMS = ['ms', 'copies', 'what', 'after', 'maxMs'] as const;
export const RULE_ACTIONS = ['drop', 'delay=MS', 'duplicate', 'duplicate=N', 'corrupt', 'corrupt=payload', 'reorder', 'reorder=N'] as const;
export const RANDOM_KEYS = ['seed', 'loss', 'duplicate', 'corrupt', 'reorder', 'reorderMaxMs', 'delay', 'delayMs', 'jitterMs', 'dir', 'proto', 'flags', 'hasFlags', 'src', 'dst', 'srcPort', 'dstPort', 'port', 'payload'] as const;

/** 'dst-port' -> 'dstPort', 'has-flags' -> 'hasFlags'; camelCase stays. */
export function camelKey(k: string): string {
  return k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function scalar(key: string, value: string): unknown {
  if (NUMERIC.has(key) && /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(value)) return Number(value);
  return value;
}

type Built = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

function parseJson(word: string): Built {
  try {
    const v: unknown = JSON.parse(word);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'a JSON rule must be an object' };
    return { ok: true, value: v as Record<string, unknown> };
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
}

function splitWord(word: string): { key: string; value: string | null } {
  const eq = word.indexOf('=');
  if (eq < 0) return { key: camelKey(word), value: null };
  return { key: camelKey(word.slice(0, eq)), value: word.slice(eq + 1) };
}

/** An action word: drop | delay=MS | duplicate[=N] | corrupt[=checksum|payload] | reorder[=N]. */
function action(key: string, value: string | null): unknown {
  switch (key) {
    case 'drop':
      return value === null ? 'drop' : undefined;
    case 'delay':
      return value === null ? { type: 'delay' } : { type: 'delay', ms: scalar('delay', value) };
    case 'duplicate':
      return value === null ? 'duplicate' : { type: 'duplicate', copies: scalar('copies', value) };
    case 'corrupt':
      return value === null ? 'corrupt' : { type: 'corrupt', what: value };
    case 'reorder':
      return value === null ? 'reorder' : { type: 'reorder', after: scalar('after', value) };
    default:
      return undefined;
  }
}

/** `fault add` words -> a fault rule (unvalidated: the contract's schema checks it). */
export function buildFaultRule(words: readonly string[]): Built {
  if (words.length === 1 && words[0].trimStart().startsWith('{')) return parseJson(words[0]);
  if (words.length === 0) return { ok: false, error: 'no rule given: say what to match and an action, e.g. `fault add dir=in flags=. nth=3 drop`' };
  const rule: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  for (const word of words) {
    const { key, value } = splitWord(word);
    if ((ACTION_PARAMS as readonly string[]).includes(key) && value !== null) {
      params[key] = scalar(key, value);
      continue;
    }
    const act = key === 'action' ? value : action(key, value);
    if (act !== undefined && act !== null) {
      if (rule.action !== undefined) return { ok: false, error: `two actions: '${word}' (one action per rule)` };
      rule.action = act;
      continue;
    }
    if (value === null) return { ok: false, error: `'${word}' is neither key=value nor an action (${RULE_ACTIONS.join(', ')})` };
    if (!(RULE_KEYS as readonly string[]).includes(key)) return { ok: false, error: `unknown rule key '${key}' (keys: ${RULE_KEYS.join(', ')})` };
    if (key === 'flags' && value.includes(',')) rule.flags = value.split(',');
    else if (key === 'count') rule.count = value === 'all' ? 'all' : scalar('nth', value);
    else rule[key] = scalar(key, value);
  }
  if (rule.action === undefined) return { ok: false, error: `the rule has no action (${RULE_ACTIONS.join(', ')})` };
  if (Object.keys(params).length > 0) {
    const base = typeof rule.action === 'string' ? { type: rule.action } : (rule.action as Record<string, unknown>);
    rule.action = { ...base, ...params };
  }
  return { ok: true, value: rule };
}

/** `fault random` words -> random faults, or null for `off` (unvalidated). */
export function buildRandomFaults(words: readonly string[]): Built | { ok: true; value: null } {
  if (words.length === 1 && (words[0] === 'off' || words[0] === 'none')) return { ok: true, value: null };
  if (words.length === 1 && words[0].trimStart().startsWith('{')) return parseJson(words[0]);
  if (words.length === 0) return { ok: false, error: 'say what to do, e.g. `fault random loss=0.01 reorder=0.01`, or `fault random off`' };
  const out: Record<string, unknown> = {};
  let delay: Record<string, unknown> | null = null;
  for (const word of words) {
    const { key, value } = splitWord(word);
    if (value === null) return { ok: false, error: `'${word}' is not key=value (keys: ${RANDOM_KEYS.join(', ')})` };
    if (!(RANDOM_KEYS as readonly string[]).includes(key)) return { ok: false, error: `unknown key '${key}' (keys: ${RANDOM_KEYS.join(', ')})` };
    const v = key === 'flags' && value.includes(',') ? value.split(',') : scalar(key, value);
    if (key === 'delay' || key === 'delayMs' || key === 'jitterMs') {
      delay ??= {};
      delay[key === 'delay' ? 'probability' : key === 'delayMs' ? 'ms' : 'jitterMs'] = v;
    } else {
      out[key] = v;
    }
  }
  if (delay !== null) {
    if (delay.probability === undefined) delay.probability = 1;
    out.delay = delay;
  }
  out.seed ??= 1;
  return { ok: true, value: out };
}
