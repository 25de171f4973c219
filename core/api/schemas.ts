// Validation of every argument of the Lab API (valibot). One schema per method and stream;
// contract.ts pairs them with result types. A failed validation names the field at fault.
import * as v from 'valibot';
import { EVENT_KINDS, RESPONDERS } from './names.ts';
import { faultRuleSchema, randomFaultsSchema } from './fault-schemas.ts';
import { fail, ok, type Result } from './errors.ts';

// --- building blocks -------------------------------------------------------------------

const int = (min: number, max: number, what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.safeInteger(`${what} must be an integer`),
    v.minValue(min, `${what} must be at least ${min}`),
    v.maxValue(max, `${what} must be at most ${max}`),
  );

export const MAX_SEND_BYTES = 1 << 20;

const port = int(1, 65535, 'a port');
const id = (what: string) => int(0, Number.MAX_SAFE_INTEGER, `a ${what} id`);
const conn = id('connection');
const listener = id('listener');
const none = v.strictObject({});

const ipv4 = v.pipe(v.string('an address must be a string'), v.ipv4('must be a dotted IPv4 address like 10.77.0.1'));

const knobName = v.pipe(
  v.string('a knob name must be a string'),
  v.regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be a knob name like tcp_syncookies'),
);
const knobValue = v.union(
  [v.pipe(v.number(), v.finite('must be a finite number')), v.pipe(v.string(), v.maxLength(64, 'must be at most 64 characters'))],
  'a knob value must be a number or a string',
);

function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/** Bytes that `data` stands for in `encoding` (valid base64 assumed). */
export function dataByteLength(data: string, encoding: 'utf8' | 'base64'): number {
  if (encoding === 'utf8') return new TextEncoder().encode(data).length;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

// --- one schema per method ---------------------------------------------------------------

export const argSchemas = {
  listen: v.strictObject({
    port,
    backlog: v.optional(int(0, 65535, 'a backlog'), 128),
    responder: v.optional(v.picklist(RESPONDERS, `must be one of: ${RESPONDERS.join(', ')}`), 'echo'),
  }),
  unlisten: v.strictObject({ listener }),
  connect: v.strictObject({
    addr: ipv4,
    port,
    localPort: v.optional(port),
    responder: v.optional(v.picklist(RESPONDERS, `must be one of: ${RESPONDERS.join(', ')}`), 'manual'),
  }),
  send: v.pipe(
    v.strictObject({
      conn,
      data: v.pipe(v.string('data must be a string'), v.maxLength(MAX_SEND_BYTES * 2, 'is longer than 1 MiB')),
      encoding: v.optional(v.picklist(['utf8', 'base64'], "must be 'utf8' or 'base64'"), 'utf8'),
    }),
    v.forward(
      v.partialCheck([['data'], ['encoding']], (a) => a.encoding !== 'base64' || isBase64(a.data), 'is not valid base64'),
      ['data'],
    ),
    v.forward(
      v.partialCheck([['data'], ['encoding']], (a) => dataByteLength(a.data, a.encoding) <= MAX_SEND_BYTES, 'is longer than 1 MiB'),
      ['data'],
    ),
  ),
  shutdown: v.strictObject({ conn }),
  close: v.strictObject({ conn }),
  reset: v.strictObject({ conn }),
  accept: v.strictObject({ listener }),
  pauseAccept: v.strictObject({ listener }),
  resumeAccept: v.strictObject({ listener }),
  setKnob: v.strictObject({ name: knobName, value: knobValue }),
  getKnobs: none,
  faultAdd: v.strictObject({ rule: faultRuleSchema }),
  faultRemove: v.strictObject({ id: v.pipe(v.string('a fault rule id is a string'), v.minLength(1), v.maxLength(64)) }),
  faultRandom: v.strictObject({ random: v.nullable(randomFaultsSchema) }),
  faultList: none,
  pcapStart: v.strictObject({
    maxPackets: v.optional(int(1, 10_000_000, 'maxPackets'), 100_000),
    maxBytes: v.optional(int(1024, 1 << 30, 'maxBytes'), 64 << 20),
    snaplen: v.optional(int(64, 262_144, 'a snaplen'), 262_144),
    ring: v.optional(v.boolean('must be true (keep the newest) or false (stop when full)'), true),
  }),
  pcapStop: none,
  pcapExport: none,
  scenarioList: none,
  scenarioRun: v.strictObject({ name: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'must be a scenario name like handshake')) }),
  scenarioStop: none,
  clearHistory: none,
  timeControl: v.strictObject({
    paused: v.optional(v.boolean('must be true or false')),
    scale: v.optional(v.pipe(v.number('scale must be a number'), v.minValue(0.01, 'scale must be at least 0.01'), v.maxValue(1000, 'scale must be at most 1000'))),
    slowMotionMs: v.optional(v.nullable(int(10, 60_000, 'slowMotionMs'))),
  }),
  timeStep: v.strictObject({ count: v.optional(int(1, 1000, 'count'), 1) }),
  snapshot: none,
  connectionHistory: v.strictObject({ conn, limit: v.optional(int(1, 100_000, 'a limit'), 1000) }),
  segmentLog: v.strictObject({
    conn: v.optional(conn),
    since: v.optional(int(0, Number.MAX_SAFE_INTEGER, 'since')),   // an event seq: only newer segments
    limit: v.optional(int(1, 10_000, 'a limit'), 500),
  }),
  counterDeltas: v.strictObject({ since: v.optional(v.pipe(v.number(), v.minValue(0, 'since must be a lab time >= 0'))) }),
} as const;

// --- streams -----------------------------------------------------------------------------

export const SNAPSHOT_RATE_DEFAULT = 10;
/** The most events per second a client may ask for (EventFilter.maxRate). */
export const EVENT_RATE_MAX = 100_000;
export const SNAPSHOT_RATE_MAX = 30;

export const streamSchemas = {
  /** Snapshot diffs per second: default 10, at most 30. */
  snapshots: v.strictObject({
    rate: v.optional(
      v.pipe(v.number('rate must be a number'), v.minValue(1, 'rate must be at least 1 per second'),
        v.maxValue(SNAPSHOT_RATE_MAX, `rate must be at most ${SNAPSHOT_RATE_MAX} per second`)),
      SNAPSHOT_RATE_DEFAULT,
    ),
  }),
  /**
   * Event filter: by kind, by connection; both optional (all events). `maxRate`: events per
   * second this client wants at most (default: the server's, 500); past it, events are counted
   * as missed and the client gets a gap message. `gapSnapshot: false`: gap messages carry no
   * snapshot (for clients that follow the snapshot stream anyway: with 10,000 connections a
   * snapshot is megabytes, and a busy lab gaps several times a second).
   */
  events: v.strictObject({
    kinds: v.optional(v.pipe(v.array(v.picklist(EVENT_KINDS, `must be event kinds: ${EVENT_KINDS.join(', ')}`)), v.minLength(1))),
    conns: v.optional(v.pipe(v.array(conn), v.minLength(1), v.maxLength(1000))),
    maxRate: v.optional(int(1, EVENT_RATE_MAX, 'maxRate')),
    gapSnapshot: v.optional(v.boolean('gapSnapshot must be true or false')),
  }),
} as const;

export type SnapshotStreamArgs = v.InferOutput<typeof streamSchemas.snapshots>;
export type EventFilter = v.InferOutput<typeof streamSchemas.events>;

// --- validation --------------------------------------------------------------------------

type Issue = v.GenericIssue;

const keys = (issue: Issue): string[] => issue.path?.map((p) => String(p.key)) ?? [];

/**
 * For a union, the sub-issue that got furthest into the input names the field best.
 * Sub-issues' paths are relative to the union's own place.
 */
function deepest(issue: Issue, base: string[] = []): { field: string[]; issue: Issue } {
  let best = { field: [...base, ...keys(issue)], issue };
  const here = best.field;
  for (const sub of issue.issues ?? []) {
    const d = deepest(sub, here);
    if (d.field.length > best.field.length) best = d;
  }
  return best;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates untrusted named arguments (an object; undefined counts as {}). The error names the
 * field (a dotted path, or 'args' for the whole) and says what is wrong with it.
 */
export function validate<S extends v.GenericSchema>(schema: S, input: unknown): Result<v.InferOutput<S>> {
  const args = input === undefined ? {} : input;
  if (!isPlainObject(args)) return fail('EINVAL', 'args: must be an object of named arguments', 'args');
  const parsed = v.safeParse(schema, args, { abortEarly: true });
  if (parsed.success) return ok(parsed.output);
  const { field: path, issue } = deepest(parsed.issues[0]);
  const field = path.join('.');
  if (field === '') return fail('EINVAL', `args: ${issue.message}`, 'args');
  if (issue.kind === 'schema' && issue.received === 'undefined') return fail('EINVAL', `${field}: is required`, field);
  if (issue.type === 'strict_object' && issue.expected === 'never') return fail('EINVAL', `${field}: unknown argument`, field);
  return fail('EINVAL', `${field}: ${issue.message}`, field);
}
