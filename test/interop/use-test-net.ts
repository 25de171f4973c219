// useTestNet(): a TestNet (netns.ts) made in beforeAll and cleaned up in afterAll of a vitest file.
import { afterAll, beforeAll } from 'vitest';
import { createTestNet, type TestNet, type TestNetOptions } from './netns.ts';

/**
 * In a vitest file: a TestNet made in beforeAll and cleaned up in afterAll (also after failures).
 * Returns a getter, since the net exists only once beforeAll has run.
 */
export function useTestNet(opts: TestNetOptions = {}): () => TestNet {
  let net: TestNet | null = null;
  beforeAll(async () => {
    net = await createTestNet(opts);
  });
  afterAll(async () => {
    await net?.cleanup();
  });
  return () => {
    if (net === null) throw new Error('useTestNet: the namespace is made in beforeAll');
    return net;
  };
}
