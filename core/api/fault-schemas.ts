// Fault rules as the Lab API takes them: the same JSON shape as core/link/fault-rules.ts (the
// injector's own language), validated here with valibot so a bad rule is refused, naming the
// field, before it reaches the lab. test/core/api/fault-schemas.test.ts keeps the two in step.
//   { dir: 'in', flags: '.', nth: 3, action: 'drop' }                 drop the 3rd pure ACK from the kernel
//   { flags: 'S.', action: { type: 'delay', ms: 5000 } }               hold the SYN-ACK for 5 s
//   { dstPort: 80, count: 'all', probability: 0.1, action: 'drop' }    lose 10% of what goes to port 80
import * as v from 'valibot';

const MAX_HOLD_MS = 600_000;
const ACTIONS = ['drop', 'delay', 'duplicate', 'corrupt', 'reorder'] as const;

const int = (min: number, max: number) =>
  v.pipe(v.number(), v.safeInteger('must be an integer'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
const ms = v.pipe(v.number(), v.finite(), v.minValue(0, 'must be at least 0 ms'), v.maxValue(MAX_HOLD_MS, `must be at most ${MAX_HOLD_MS} ms`));
const probability = v.pipe(v.number(), v.minValue(0, 'a probability is from 0 to 1'), v.maxValue(1, 'a probability is from 0 to 1'));
const port = int(0, 65535);
const ipv4 = v.pipe(v.string(), v.ipv4('must be a dotted IPv4 address'));
// tcpdump flag strings: 'S', 'S.', '.', 'P.', 'F.', 'R', 'R.', ... or 'none'.
const flags = v.pipe(v.string(), v.regex(/^(?:none|[FSRPUEW.]+)$/, "must be tcpdump flags like 'S', 'S.', '.', 'F.', 'R' or 'none'"));

/** Which packets: every field optional. 'in' is kernel -> lab. */
const matchEntries = {
  dir: v.optional(v.picklist(['in', 'out', 'any'], "must be 'in' (kernel -> lab), 'out' or 'any'")),
  proto: v.optional(v.picklist(['tcp', 'icmp', 'any'], "must be 'tcp', 'icmp' or 'any'")),
  flags: v.optional(v.union([flags, v.pipe(v.array(flags), v.minLength(1, 'must not be empty'))], "must be tcpdump flags or a list of them")),
  hasFlags: v.optional(flags),
  src: v.optional(ipv4),
  dst: v.optional(ipv4),
  srcPort: v.optional(port),
  dstPort: v.optional(port),
  port: v.optional(port),
  payload: v.optional(v.picklist(['data', 'empty'], "must be 'data' or 'empty'")),
};

const TCP_FIELDS = ['flags', 'hasFlags', 'srcPort', 'dstPort', 'port', 'payload'] as const;

/** TCP fields (flags, ports, payload) only make sense with proto 'tcp' (their default). */
function tcpFieldsWithTcp(m: { proto?: string; [k: string]: unknown }): boolean {
  return m.proto === undefined || m.proto === 'tcp' || TCP_FIELDS.every((k) => m[k] === undefined);
}
const TCP_ONLY = "TCP fields (flags, ports, payload) need proto 'tcp'";

export const faultActionSchema = v.union([
  v.picklist(ACTIONS, `must be one of: ${ACTIONS.join(', ')}`),
  v.variant('type', [
    v.strictObject({ type: v.literal('drop') }),
    v.strictObject({ type: v.literal('delay'), ms }),
    v.strictObject({ type: v.literal('duplicate'), copies: v.optional(int(1, 100)) }),
    v.strictObject({ type: v.literal('corrupt'), what: v.optional(v.picklist(['checksum', 'payload'], "must be 'checksum' or 'payload'")) }),
    v.strictObject({ type: v.literal('reorder'), after: v.optional(int(1, 1000)), maxMs: v.optional(ms) }),
  ], `must be one of: ${ACTIONS.join(', ')}`),
], `must be one of: ${ACTIONS.join(', ')}, or an object with a type`);

export const faultRuleSchema = v.pipe(
  v.strictObject({
    ...matchEntries,
    id: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits or _.:-'))),
    nth: v.optional(int(1, 1e9)),
    count: v.optional(v.union([int(1, 1e9), v.literal('all')], "must be a count or 'all'")),
    probability: v.optional(probability),
    action: faultActionSchema,
  }),
  v.forward(v.check((m) => tcpFieldsWithTcp(m), TCP_ONLY), ['proto']),
);

export const randomFaultsSchema = v.pipe(
  v.strictObject({
    ...matchEntries,
    seed: int(0, 0xffff_ffff),
    loss: v.optional(probability),
    duplicate: v.optional(probability),
    corrupt: v.optional(probability),
    reorder: v.optional(probability),
    reorderMaxMs: v.optional(ms),
    delay: v.optional(v.strictObject({ probability, ms, jitterMs: v.optional(ms) })),
  }),
  v.forward(v.check((m) => tcpFieldsWithTcp(m), TCP_ONLY), ['proto']),
);

export type FaultRuleSpec = v.InferOutput<typeof faultRuleSchema>;
export type RandomFaultsSpec = v.InferOutput<typeof randomFaultsSchema>;

/** The fault injector's state, as the snapshot shows it (core/link FaultStatus). */
export interface FaultStatus {
  rules: { rule: FaultRuleSpec; matched: number; fired: number }[];
  random: RandomFaultsSpec | null;
  held: number;                 // packets held now (delayed or waiting to be reordered)
  counts: { dropped: number; delayed: number; duplicated: number; corrupted: number; reordered: number };
}
