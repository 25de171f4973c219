// Sequence numbers: 32-bit unsigned integers compared modulo 2^32 (RFC 9293 3.4),
// with before/after as the Linux kernel defines them (before(a, b): (s32)(a - b) < 0).
// A branded type so a raw `<` on sequence numbers does not type-check by accident.

export type Seq = number & { readonly __brand: 'Seq' };

/** Any number reduced to a sequence number (mod 2^32). */
export function seq(n: number): Seq {
  return (n >>> 0) as Seq;
}

export function seqAdd(a: Seq, n: number): Seq {
  return ((a + n) >>> 0) as Seq;
}

/** Signed distance a - b, in (-2^31, 2^31]. */
export function seqDiff(a: Seq, b: Seq): number {
  return (a - b) | 0;
}

export function seqLt(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: Seq, b: Seq): boolean {
  return ((b - a) | 0) < 0;
}

export function seqGe(a: Seq, b: Seq): boolean {
  return ((b - a) | 0) <= 0;
}

export function seqMax(a: Seq, b: Seq): Seq {
  return seqLt(a, b) ? b : a;
}

export function seqMin(a: Seq, b: Seq): Seq {
  return seqLt(a, b) ? a : b;
}

/** start <= s < start + len (mod 2^32); an empty window contains nothing. */
export function seqInWindow(s: Seq, start: Seq, len: number): boolean {
  return len > 0 && ((s - start) >>> 0) < len;
}

/** start <= s <= end (mod 2^32). */
export function seqBetween(start: Seq, s: Seq, end: Seq): boolean {
  return ((s - start) >>> 0) <= ((end - start) >>> 0);
}
