// The API's fault-rule schema and the injector's own rule language (core/link/fault-rules.ts)
// must agree: the same JSON is accepted or refused by both, naming the same field, and the
// injector's status and events fit the API's types (checked by the compiler below).
import { describe, expect, it } from 'vitest';
import { faultRuleSchema, randomFaultsSchema, type FaultRuleSpec, type FaultStatus, type RandomFaultsSpec } from '../../../core/api/fault-schemas.ts';
import type { FaultEvent } from '../../../core/api/events.ts';
import { validate } from '../../../core/api/schemas.ts';
import type { FaultEvent as LinkFaultEvent, FaultStatus as LinkFaultStatus } from '../../../core/link/fault-injector.ts';
import { compileRandom, compileRule, type FaultRule, type RandomFaults } from '../../../core/link/fault-rules.ts';

type Fits<A, B> = [A] extends [B] ? true : false;
// What the API accepts, the injector takes; what the injector reports, the API can carry.
export const typesAgree: [
  Fits<FaultRuleSpec, FaultRule>,
  Fits<RandomFaultsSpec, RandomFaults>,
  Fits<LinkFaultStatus, FaultStatus>,
  Fits<Omit<LinkFaultEvent, 'at'>, Omit<FaultEvent, 'seq' | 'at'>>,
] = [true, true, true, true];

const rules: unknown[] = [
  { dir: 'in', flags: '.', nth: 3, action: 'drop' },
  { flags: 'S.', action: { type: 'delay', ms: 5000 } },
  { hasFlags: 'F', action: 'duplicate' },
  { dir: 'out', payload: 'data', action: 'corrupt' },
  { dstPort: 80, count: 'all', probability: 0.1, action: 'drop' },
  { flags: ['S', 'S.'], src: '10.77.0.1', dst: '10.77.0.2', srcPort: 0, port: 65535, action: { type: 'reorder', after: 2, maxMs: 10 } },
  { proto: 'icmp', action: { type: 'duplicate', copies: 100 } },
  { id: 'lose-acks', flags: 'none', action: { type: 'corrupt', what: 'payload' } },
  // refused
  { action: 'explode' },
  { action: { type: 'explode' } },
  { action: { type: 'delay' } },
  { action: { type: 'delay', ms: -1 } },
  { action: { type: 'delay', ms: 600_001 } },
  { action: { type: 'duplicate', copies: 101 } },
  { action: { type: 'drop', ms: 3 } },
  { action: { type: 'reorder', after: 0 } },
  { flags: 'SYN', action: 'drop' },
  { flags: [], action: 'drop' },
  { dir: 'both', action: 'drop' },
  { proto: 'icmp', flags: 'S', action: 'drop' },
  { port: 65536, action: 'drop' },
  { src: '10.77.0', action: 'drop' },
  { nth: 0, action: 'drop' },
  { count: 'some', action: 'drop' },
  { probability: 1.5, action: 'drop' },
  { payload: 'yes', action: 'drop' },
  { conn: 3, action: 'drop' },
  { dir: 'in' },
  'drop',
];

const randoms: unknown[] = [
  { seed: 1, loss: 0.01 },
  { seed: 0xffffffff, dir: 'in', loss: 0.01, reorder: 0.01, reorderMaxMs: 50, delay: { probability: 0.1, ms: 20, jitterMs: 5 } },
  { loss: 0.01 },
  { seed: -1 },
  { seed: 1, loss: 2 },
  { seed: 1, delay: { probability: 0.1 } },
  { seed: 1, delay: { probability: 0.1, ms: 5, extra: 1 } },
  { seed: 1, burst: 3 },
];

/** The injector names a field as 'action.ms: ...'; 'rule'/'random' mean the whole. The API may be more precise ('action.type' for 'action'). */
const linkField = (error: string): string => {
  const field = error.replace(/^bad fault rule: |^bad random faults: /, '').split(':')[0];
  return field === 'rule' || field === 'random' ? 'args' : field;
};

describe('fault rules: the API schema and the injector agree', () => {
  for (const rule of rules) {
    it(`rule ${JSON.stringify(rule)}`, () => {
      const api = validate(faultRuleSchema, rule);
      const link = compileRule(rule, 'rule-1');
      expect(api.ok).toBe(link.ok);
      if (!api.ok && !link.ok) expect(`${api.error.field}.`.startsWith(`${linkField(link.error)}.`)).toBe(true);
    });
  }
  for (const random of randoms) {
    it(`random ${JSON.stringify(random)}`, () => {
      const api = validate(randomFaultsSchema, random);
      const link = compileRandom(random);
      expect(api.ok).toBe(link.ok);
      if (!api.ok && !link.ok) expect(api.error.field).toBe(linkField(link.error));
    });
  }
});
