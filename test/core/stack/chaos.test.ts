// Many connections between two stacks over a lossy wire, driven by seeded random user
// actions (write, read, shutdown, close, abort). Checks: nothing throws, every byte a peer
// reads is a prefix of what was written, and after everyone closes and time passes, both
// stacks end with no connections (TIME-WAIT, FIN-WAIT-2 and retransmissions all expire).
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../../core/stack/socket.ts';
import { B_ADDR, makeNet } from './net.ts';

interface End {
  sock: Socket;
  wrote: number[];
  read: number[];
  closed: boolean;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
}

describe('chaos: random user actions on many connections over a lossy wire', () => {
  for (const seed of (process.env.CHAOS_SEEDS ?? "1,2,3").split(",").map(Number)) {
    it(`seed ${seed}`, () => {
      const r = rng(seed);
      const { a, b, rt } = makeNet({ seed, faults: { loss: 0.05, duplicate: 0.02, reorder: 0.05, delayMs: 3, jitterMs: 2 } });
      const l = b.listen(80, 64);
      const ends: End[] = [];
      const peerOf = new Map<End, End>();
      const pending: End[] = [];
      for (let step = 0; step < 400; step++) {
        if (r() < 0.1 && ends.length < 60) {
          const e: End = { sock: a.connect(B_ADDR, 80), wrote: [], read: [], closed: false };
          ends.push(e);
          pending.push(e);
        }
        for (let s = l.accept(); s !== null; s = l.accept()) {
          const e: End = { sock: s, wrote: [], read: [], closed: false };
          ends.push(e);
          const i = pending.findIndex((p) => p.sock.localPort === s.remotePort && p.sock.state !== 'CLOSED');
          if (i >= 0) {
            const c = pending[i];
            pending.splice(i, 1);
            peerOf.set(c, e);
            peerOf.set(e, c);
          }
        }
        for (const e of ends) {
          if (e.closed) continue;
          const x = r();
          try {
            if (x < 0.3) {
              const n = Math.floor(r() * 3000);
              const data = Uint8Array.from({ length: n }, (_, i) => (e.wrote.length + i) & 0xff);
              const k = e.sock.write(data);
              for (let i = 0; i < k; i++) e.wrote.push(data[i]);
            } else if (x < 0.6) {
              const d = e.sock.read();
              if (d !== null) for (const v of d) e.read.push(v);
            } else if (x < 0.62) {
              e.sock.shutdown();
            } else if (x < 0.64) {
              e.sock.close();
              e.closed = true;
            } else if (x < 0.65) {
              e.sock.abort();
              e.closed = true;
            }
          } catch (err) {
            // Writes after shutdown or on a reset connection fail with a StackError: fine.
            expect((err as { code?: string }).code).toMatch(/^E/);
          }
        }
        rt.advance(Math.floor(r() * 20));
      }
      for (const e of ends) {
        const p = peerOf.get(e);
        if (p === undefined) continue;
        // What e read is a prefix of what its peer wrote (byte stream, in order, no gaps).
        expect(e.read.length).toBeLessThanOrEqual(p.wrote.length);
        for (let i = 0; i < e.read.length; i++) if (e.read[i] !== p.wrote[i]) expect.fail(`byte ${i} differs`);
      }
      for (const e of ends) if (!e.closed) e.sock.close();
      l.close(); // connections never accepted wait in the accept queue until the listener closes
      rt.advance(3_600_000);
      expect(a.connectionCount).toBe(0);
      expect(b.connectionCount).toBe(0);
    });
  }
});
