// Fault rules: plain JSON data that says which packets to hurt and how, with validation that
// refuses a bad rule with a message naming the field, and the matcher the injector runs.
//
//   { "dir": "in", "flags": ".", "nth": 3, "action": "drop" }              drop the 3rd pure ACK from the kernel
//   { "flags": "S.", "action": { "type": "delay", "ms": 5000 } }           hold the SYN-ACK for 5 s
//   { "hasFlags": "F", "action": "duplicate" }                             duplicate the (first) FIN
//   { "dir": "out", "payload": "data", "action": "corrupt" }              corrupt one checksum
//   { "dstPort": 80, "count": "all", "probability": 0.1, "action": "drop" } lose 10% of what goes to port 80
import { IPPROTO_ICMP, IPPROTO_TCP, parseAddress, parseIpv4 } from '../wire/ipv4.ts';
import type { Ipv4Header } from '../wire/ipv4.ts';
import { ACK_BIT, CWR, ECE, FIN, parseTcp, PSH, RST, SYN, URG_BIT, wireFlags } from '../wire/tcp.ts';
import type { TcpSegment } from '../wire/tcp.ts';

export type FaultDirection = 'in' | 'out';

/** Which packets a rule (or the random faults) applies to; every field is optional. */
export interface FaultMatch {
  /** 'in': from the link (the kernel) to the stack; 'out': from the stack to the link. Default 'any'. */
  dir?: FaultDirection | 'any';
  /** Default: 'tcp' when a TCP field (flags, hasFlags, ports, payload) is given, else 'any'. */
  proto?: 'tcp' | 'icmp' | 'any';
  /** tcpdump flag strings, matched exactly: 'S', 'S.', '.', 'P.', 'F.', 'R', 'R.', 'none'. */
  flags?: string | string[];
  /** Flags that must all be set (others may be): 'F' = any FIN, 'R' = any RST, '.' = ACK set. */
  hasFlags?: string;
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  /** Either port. */
  port?: number;
  /** 'data': segments carrying payload; 'empty': segments without. */
  payload?: 'data' | 'empty';
}

export type FaultAction =
  | { type: 'drop' }
  /** Hold the packet for ms, then send it on. */
  | { type: 'delay'; ms: number }
  /** Send `copies` extra copies (default 1). */
  | { type: 'duplicate'; copies?: number }
  /** 'checksum' (default): break the TCP checksum (the IP header checksum for non-TCP); 'payload': flip a data byte. */
  | { type: 'corrupt'; what?: 'checksum' | 'payload' }
  /** Send the packet after the next `after` packets in its direction (default 1), at the latest after maxMs (default 1000). */
  | { type: 'reorder'; after?: number; maxMs?: number };

export type FaultActionType = FaultAction['type'];

export interface FaultRule extends FaultMatch {
  /** Shown in fault events; default 'rule-N'. */
  id?: string;
  /** Act from the nth matching packet on (1-based, default 1). */
  nth?: number;
  /** How many matching packets, from the nth on, the rule applies to (default 1), or 'all'. */
  count?: number | 'all';
  /** Act on each packet in that window with this probability (seeded; default 1). */
  probability?: number;
  /** The action, or its name when it takes no parameters. */
  action: FaultAction | FaultActionType;
}

/** Seeded random faults on every packet that matches (default: all packets, both directions). */
export interface RandomFaults extends FaultMatch {
  seed: number;
  loss?: number;
  duplicate?: number;
  corrupt?: number;
  /** Probability to hold a packet until the next one in its direction has passed. */
  reorder?: number;
  /** The longest a reordered packet waits for a successor (default 100 ms). */
  reorderMaxMs?: number;
  delay?: { probability: number; ms: number; jitterMs?: number };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

// ---- compiled form

/** A match, compiled: numbers and masks, null for "any". */
export interface CompiledMatch {
  dir: FaultDirection | null;
  proto: number | null;
  flags: number[] | null;
  hasFlags: number | null;
  src: number | null;
  dst: number | null;
  srcPort: number | null;
  dstPort: number | null;
  port: number | null;
  payload: 'data' | 'empty' | null;
}

export interface CompiledRule {
  id: string;
  match: CompiledMatch;
  nth: number;
  count: number;
  probability: number;
  action: FaultAction;
  /** The rule as given, normalized (for listing). */
  source: FaultRule;
}

const FLAG_LETTERS: Readonly<Record<string, number>> = {
  F: FIN, S: SYN, R: RST, P: PSH, '.': ACK_BIT, U: URG_BIT, E: ECE, W: CWR,
};
const MATCH_KEYS = ['dir', 'proto', 'flags', 'hasFlags', 'src', 'dst', 'srcPort', 'dstPort', 'port', 'payload'];
const RULE_KEYS = new Set([...MATCH_KEYS, 'id', 'nth', 'count', 'probability', 'action']);
const RANDOM_KEYS = new Set([...MATCH_KEYS, 'seed', 'loss', 'duplicate', 'corrupt', 'reorder', 'reorderMaxMs', 'delay']);
const ACTIONS: readonly FaultActionType[] = ['drop', 'delay', 'duplicate', 'corrupt', 'reorder'];
const MAX_HOLD_MS = 600_000;

class Invalid extends Error {}

function fail(field: string, text: string): never {
  throw new Invalid(`${field}: ${text}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function integer(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return v;
}

function probability(field: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(field, `must be a probability from 0 to 1, not ${JSON.stringify(v)}`);
  return v;
}

function nonNegative(field: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) fail(field, `must be a number of milliseconds from 0 to ${max}, not ${JSON.stringify(v)}`);
  return v;
}

/** 'S.' -> SYN|ACK; 'none' -> 0. */
export function flagMask(field: string, s: unknown): number {
  if (typeof s !== 'string' || s.length === 0) fail(field, 'must be a tcpdump flag string such as "S", "S.", ".", "F.", "R"');
  if (s === 'none') return 0;
  let mask = 0;
  for (const c of s) {
    const bit = FLAG_LETTERS[c];
    if (bit === undefined) fail(field, `'${s}' is not a tcpdump flag string (letters F S R P U E W and '.' for ACK)`);
    mask |= bit;
  }
  return mask;
}

function address(field: string, v: unknown): number {
  const a = typeof v === 'string' ? parseAddress(v) : null;
  if (a === null) fail(field, `must be a dotted IPv4 address, not ${JSON.stringify(v)}`);
  return a;
}

function compileMatch(o: Record<string, unknown>, where: string): CompiledMatch {
  const dir = o.dir ?? 'any';
  if (dir !== 'in' && dir !== 'out' && dir !== 'any') fail(`${where}dir`, `must be 'in', 'out' or 'any', not ${JSON.stringify(dir)}`);
  const tcpField = ['flags', 'hasFlags', 'srcPort', 'dstPort', 'port', 'payload'].some((k) => o[k] !== undefined);
  const proto = o.proto ?? (tcpField ? 'tcp' : 'any');
  if (proto !== 'tcp' && proto !== 'icmp' && proto !== 'any') fail(`${where}proto`, `must be 'tcp', 'icmp' or 'any', not ${JSON.stringify(proto)}`);
  if (tcpField && proto !== 'tcp') fail(`${where}proto`, `TCP fields (flags, ports, payload) need proto 'tcp'`);
  const flagList = o.flags === undefined ? null : Array.isArray(o.flags) ? o.flags : [o.flags];
  if (flagList !== null && flagList.length === 0) fail(`${where}flags`, 'must not be an empty list');
  const port = (k: string): number | null => (o[k] === undefined ? null : integer(`${where}${k}`, o[k], 0, 65535));
  if (o.payload !== undefined && o.payload !== 'data' && o.payload !== 'empty') fail(`${where}payload`, `must be 'data' or 'empty', not ${JSON.stringify(o.payload)}`);
  return {
    dir: dir === 'any' ? null : dir,
    proto: proto === 'tcp' ? IPPROTO_TCP : proto === 'icmp' ? IPPROTO_ICMP : null,
    flags: flagList === null ? null : flagList.map((f) => flagMask(`${where}flags`, f)),
    hasFlags: o.hasFlags === undefined ? null : flagMask(`${where}hasFlags`, o.hasFlags),
    src: o.src === undefined ? null : address(`${where}src`, o.src),
    dst: o.dst === undefined ? null : address(`${where}dst`, o.dst),
    srcPort: port('srcPort'), dstPort: port('dstPort'), port: port('port'),
    payload: (o.payload as 'data' | 'empty' | undefined) ?? null,
  };
}

function compileAction(a: unknown): FaultAction {
  const o = typeof a === 'string' ? { type: a } : a;
  if (!isObject(o) || typeof o.type !== 'string' || !ACTIONS.includes(o.type as FaultActionType)) {
    const got = isObject(o) ? o.type : o;
    fail('action', `unknown action ${JSON.stringify(got)} (one of ${ACTIONS.join(', ')})`);
  }
  const allowed: Record<FaultActionType, string[]> = {
    drop: [], delay: ['ms'], duplicate: ['copies'], corrupt: ['what'], reorder: ['after', 'maxMs'],
  };
  const type = o.type as FaultActionType;
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !allowed[type].includes(k)) fail(`action.${k}`, `not a parameter of '${type}'`);
  }
  switch (type) {
    case 'drop':
      return { type };
    case 'delay':
      if (o.ms === undefined) fail('action.ms', "'delay' needs ms");
      return { type, ms: nonNegative('action.ms', o.ms, MAX_HOLD_MS) };
    case 'duplicate':
      return { type, copies: o.copies === undefined ? 1 : integer('action.copies', o.copies, 1, 100) };
    case 'corrupt':
      if (o.what !== undefined && o.what !== 'checksum' && o.what !== 'payload') fail('action.what', `must be 'checksum' or 'payload', not ${JSON.stringify(o.what)}`);
      return { type, what: (o.what as 'checksum' | 'payload' | undefined) ?? 'checksum' };
    case 'reorder':
      return {
        type,
        after: o.after === undefined ? 1 : integer('action.after', o.after, 1, 1000),
        maxMs: o.maxMs === undefined ? 1000 : nonNegative('action.maxMs', o.maxMs, MAX_HOLD_MS),
      };
    default: {
      const never: never = type;
      return never;
    }
  }
}

function unknownKeys(o: Record<string, unknown>, known: Set<string>, what: string): void {
  for (const k of Object.keys(o)) if (!known.has(k)) fail(k, `unknown field of a ${what} (known: ${[...known].join(', ')})`);
}

function guard<T>(f: () => T): Checked<T> {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.message };
    throw err;
  }
}

/** Validate and compile a rule; `defaultId` names it when it has no id. */
export function compileRule(x: unknown, defaultId: string): Checked<CompiledRule> {
  return guard(() => {
    if (!isObject(x)) fail('rule', 'must be an object like { "flags": "S.", "action": "drop" }');
    unknownKeys(x, RULE_KEYS, 'fault rule');
    if (x.action === undefined) fail('action', `missing (one of ${ACTIONS.join(', ')})`);
    if (x.id !== undefined && (typeof x.id !== 'string' || x.id.length === 0 || x.id.length > 64)) fail('id', 'must be a string of 1 to 64 characters');
    const match = compileMatch(x, '');
    const action = compileAction(x.action);
    const nth = x.nth === undefined ? 1 : integer('nth', x.nth, 1, 1e9);
    const count = x.count === undefined ? 1 : x.count === 'all' ? Infinity : integer('count', x.count, 1, 1e9);
    const prob = x.probability === undefined ? 1 : probability('probability', x.probability);
    const id = (x.id as string | undefined) ?? defaultId;
    return { id, match, nth, count, probability: prob, action, source: { ...(x as unknown as FaultRule), id, action } };
  });
}

export interface CompiledRandom {
  match: CompiledMatch;
  seed: number;
  loss: number;
  duplicate: number;
  corrupt: number;
  reorder: number;
  reorderMaxMs: number;
  delay: { probability: number; ms: number; jitterMs: number } | null;
  source: RandomFaults;
}

export function compileRandom(x: unknown): Checked<CompiledRandom> {
  return guard(() => {
    if (!isObject(x)) fail('random', 'must be an object like { "seed": 1, "loss": 0.01 }');
    unknownKeys(x, RANDOM_KEYS, 'random fault setting');
    const seed = integer('seed', x.seed, 0, 0xffffffff);
    let delay: CompiledRandom['delay'] = null;
    if (x.delay !== undefined) {
      const d = x.delay;
      if (!isObject(d)) fail('delay', 'must be { "probability": p, "ms": n, "jitterMs"?: n }');
      for (const k of Object.keys(d)) if (!['probability', 'ms', 'jitterMs'].includes(k)) fail(`delay.${k}`, 'unknown field');
      delay = {
        probability: probability('delay.probability', d.probability),
        ms: nonNegative('delay.ms', d.ms, MAX_HOLD_MS),
        jitterMs: d.jitterMs === undefined ? 0 : nonNegative('delay.jitterMs', d.jitterMs, MAX_HOLD_MS),
      };
    }
    const p = (k: string): number => (x[k] === undefined ? 0 : probability(k, x[k]));
    return {
      match: compileMatch(x, ''), seed, loss: p('loss'), duplicate: p('duplicate'), corrupt: p('corrupt'), reorder: p('reorder'),
      reorderMaxMs: x.reorderMaxMs === undefined ? 100 : nonNegative('reorderMaxMs', x.reorderMaxMs, MAX_HOLD_MS),
      delay, source: x as unknown as RandomFaults,
    };
  });
}

// ---- matching

/** What a packet looks like to the matcher (parsed once per packet, only while faults are set). */
export interface PacketView {
  ip: Ipv4Header | null;
  tcp: TcpSegment | null;
  /** Offset of the transport header in the packet (for corruption). */
  transportOffset: number;
}

export function viewPacket(bytes: Uint8Array): PacketView {
  const ip = parseIpv4(bytes);
  if (!ip.ok) return { ip: null, tcp: null, transportOffset: 0 };
  const h = ip.value.header;
  if (h.protocol !== IPPROTO_TCP) return { ip: h, tcp: null, transportOffset: h.headerLength };
  const tcp = parseTcp(ip.value.payload, h.src, h.dst);
  return { ip: h, tcp: tcp.ok ? tcp.value : null, transportOffset: h.headerLength };
}

export function matches(m: CompiledMatch, dir: FaultDirection, p: PacketView): boolean {
  if (m.dir !== null && m.dir !== dir) return false;
  if (m.proto === null && m.src === null && m.dst === null) return true;
  const ip = p.ip;
  if (ip === null) return false;
  if (m.proto !== null && ip.protocol !== m.proto) return false;
  if ((m.src !== null && ip.src !== m.src) || (m.dst !== null && ip.dst !== m.dst)) return false;
  if (m.proto !== IPPROTO_TCP) return true;
  const seg = p.tcp;
  if (seg === null) return false;
  if (m.srcPort !== null && seg.srcPort !== m.srcPort) return false;
  if (m.dstPort !== null && seg.dstPort !== m.dstPort) return false;
  if (m.port !== null && seg.srcPort !== m.port && seg.dstPort !== m.port) return false;
  if (m.payload !== null && (seg.payload.length > 0) !== (m.payload === 'data')) return false;
  const bits = wireFlags(seg);
  if (m.flags !== null && !m.flags.includes(bits)) return false;
  if (m.hasFlags !== null && (bits & m.hasFlags) !== m.hasFlags) return false;
  return true;
}

/** 'drop', 'delay 5000 ms', 'duplicate x2', 'corrupt checksum', 'reorder after 1'. */
export function describeAction(a: FaultAction): string {
  switch (a.type) {
    case 'drop':
      return 'drop';
    case 'delay':
      return `delay ${a.ms} ms`;
    case 'duplicate':
      return (a.copies ?? 1) === 1 ? 'duplicate' : `duplicate x${a.copies}`;
    case 'corrupt':
      return `corrupt ${a.what ?? 'checksum'}`;
    case 'reorder':
      return `reorder after ${a.after ?? 1}`;
    default: {
      const never: never = a;
      return never;
    }
  }
}
