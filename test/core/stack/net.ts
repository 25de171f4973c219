// Two stacks back to back over a seeded memory wire, on one manual clock.
import { MemoryWire } from '../../../core/link/memory-wire.ts';
import type { FaultModel } from '../../../core/link/memory-wire.ts';
import { ManualClock } from '../../../core/stack/clock.ts';
import { seededRandom } from '../../../core/stack/random.ts';
import { ManualRuntime } from '../../../core/stack/runtime.ts';
import { Stack } from '../../../core/stack/stack.ts';
import type { Knobs } from '../../../core/stack/knobs.ts';

export const A_ADDR = 0x0a4d0001;
export const B_ADDR = 0x0a4d0002;

export interface Net {
  clock: ManualClock;
  wire: MemoryWire;
  a: Stack;
  b: Stack;
  rt: ManualRuntime;
}

export function makeNet(opts: { seed?: number; faults?: FaultModel; knobs?: Partial<Knobs>; knobsA?: Partial<Knobs>; knobsB?: Partial<Knobs>; delayMs?: number; eventRingSize?: number } = {}): Net {
  const clock = new ManualClock(0);
  const wire = new MemoryWire({ clock, seed: opts.seed ?? 7, faults: { delayMs: opts.delayMs ?? 1, ...opts.faults } });
  const a = new Stack({ address: A_ADDR, clock, random: seededRandom((opts.seed ?? 7) * 3 + 1), knobs: { ...opts.knobs, ...opts.knobsA }, eventRingSize: opts.eventRingSize });
  const b = new Stack({ address: B_ADDR, clock, random: seededRandom((opts.seed ?? 7) * 5 + 2), knobs: { ...opts.knobs, ...opts.knobsB }, eventRingSize: opts.eventRingSize });
  a.attach(wire.a);
  b.attach(wire.b);
  const rt = new ManualRuntime(clock, [wire, a, b]);
  return { clock, wire, a, b, rt };
}
