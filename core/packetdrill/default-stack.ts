// The stack under test for the runner and the command: our Stack (core/stack), fed by the
// runner's clock, seeded randomness, and an output that hands packets to the runner.
import { KNOBS } from '../stack/knobs.ts';
import { seededRandom } from '../stack/random.ts';
import { Stack } from '../stack/stack.ts';
import type { StackFactory } from './runner.ts';

export const defaultStackFactory: StackFactory = (env) => ({
  stack: new Stack({ address: env.address, clock: env.clock, random: seededRandom(env.seed), mtu: env.mtu, output: env.output }),
  knobs: KNOBS,
});
