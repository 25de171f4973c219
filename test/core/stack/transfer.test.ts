// Two stacks back to back over a seeded lossy wire move 10 MiB each way; both ends hash
// what they sent and what they received (SHA-256).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../../core/stack/socket.ts';
import { B_ADDR, makeNet } from './net.ts';

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

interface Pump {
  sent: number;
  got: number;
  hashOut: ReturnType<typeof createHash>;
  hashIn: ReturnType<typeof createHash>;
}

function pump(sock: Socket, data: Uint8Array, p: Pump): void {
  while (p.sent < data.length) {
    const n = sock.write(data.subarray(p.sent, Math.min(data.length, p.sent + 65536)));
    if (n === 0) break;
    p.hashOut.update(data.subarray(p.sent, p.sent + n));
    p.sent += n;
  }
  for (let d = sock.read(); d !== null && d.length > 0; d = sock.read()) {
    p.hashIn.update(d);
    p.got += d.length;
  }
}

function transfer(size: number, seed: number, faults: { loss: number; duplicate: number; reorder: number; delayMs: number; jitterMs: number }): { a: Pump; b: Pump; stats: unknown } {
  const { a, b, rt, wire } = makeNet({ seed, faults, eventRingSize: 1024 });
  const l = b.listen(5001, 8);
  const c = a.connect(B_ADDR, 5001);
  rt.runUntil(() => c.state === 'ESTABLISHED' && l.pending > 0, 120_000);
  const s = l.accept() as Socket;
  const dataA = pattern(size, seed);
  const dataB = pattern(size, seed + 1);
  const pa: Pump = { sent: 0, got: 0, hashOut: createHash('sha256'), hashIn: createHash('sha256') };
  const pb: Pump = { sent: 0, got: 0, hashOut: createHash('sha256'), hashIn: createHash('sha256') };
  const tick = (): void => {
    pump(c, dataA, pa);
    pump(s, dataB, pb);
  };
  c.on('drain', tick);
  s.on('drain', tick);
  c.on('readable', tick);
  s.on('readable', tick);
  tick();
  const done = rt.runUntil(() => pa.got === size && pb.got === size, 3_600_000);
  expect(done).toBe(true);
  c.close();
  s.close();
  rt.advance(1000);
  return { a: pa, b: pb, stats: wire.stats };
}

describe('bulk transfer over a faulty wire', () => {
  it('moves 10 MiB each way with loss, duplication and reordering; SHA-256 matches', () => {
    const size = 10 * 1024 * 1024;
    const r = transfer(size, 42, { loss: 0.01, duplicate: 0.01, reorder: 0.02, delayMs: 2, jitterMs: 1 });
    expect(r.a.got).toBe(size);
    expect(r.b.got).toBe(size);
    expect(r.b.hashIn.digest('hex')).toBe(r.a.hashOut.digest('hex'));
    expect(r.a.hashIn.digest('hex')).toBe(r.b.hashOut.digest('hex'));
  }, 60_000);
});
