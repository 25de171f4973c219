// Big-endian (network order) integer access on a Uint8Array. Plain byte operations: cheaper
// than constructing a DataView per packet, and out-of-range reads yield undefined -> 0 bits,
// so callers check lengths first.

export function readU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}
