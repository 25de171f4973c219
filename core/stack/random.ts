// Randomness for the stack (ISN secret, timestamp offsets, ephemeral ports), always injected.
import { randomBytes } from 'node:crypto';

export interface Random {
  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number;
}

/** Deterministic PRNG (splitmix32) for tests and reproducible labs. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return {
    u32(): number {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    },
  };
}

/** Cryptographic randomness (the real lab's ISN secret should come from here). */
export function cryptoRandom(): Random {
  const buf = new Uint32Array(64);
  let i = buf.length;
  return {
    u32(): number {
      if (i >= buf.length) {
        const b = randomBytes(buf.byteLength);
        buf.set(new Uint32Array(b.buffer, b.byteOffset, buf.length));
        i = 0;
      }
      return buf[i++];
    },
  };
}

/** A float in [0, 1) from a Random. */
export function randomFloat(r: Random): number {
  return r.u32() / 4294967296;
}
