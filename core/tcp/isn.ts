// Initial sequence numbers by RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey).
// M is a clock: 4 µs per tick as RFC 793/6528 describe, or 64 ns per tick as Linux's
// secure_tcp_seq (ktime_get_real_ns() >> 6). F is HalfSipHash-2-4 keyed with a 64-bit secret
// (Linux uses SipHash for this and HalfSipHash as hsiphash). Time and secret are injected.
import { seq } from '../wire/seq.ts';
import type { Seq } from '../wire/seq.ts';

export type IsnClock = '64ns' | '4us';

function rotl(x: number, b: number): number {
  return ((x << b) | (x >>> (32 - b))) >>> 0;
}

/** HalfSipHash-2-4 with a 32-bit output over the 32-bit little-endian words of `msg`. */
export function halfSipHash24(k0: number, k1: number, msg: Uint8Array): number {
  let v0 = k0 >>> 0;
  let v1 = k1 >>> 0;
  let v2 = (0x6c796765 ^ k0) >>> 0;
  let v3 = (0x74656462 ^ k1) >>> 0;
  const round = (): void => {
    v0 = (v0 + v1) >>> 0; v1 = rotl(v1, 5); v1 = (v1 ^ v0) >>> 0; v0 = rotl(v0, 16);
    v2 = (v2 + v3) >>> 0; v3 = rotl(v3, 8); v3 = (v3 ^ v2) >>> 0;
    v0 = (v0 + v3) >>> 0; v3 = rotl(v3, 7); v3 = (v3 ^ v0) >>> 0;
    v2 = (v2 + v1) >>> 0; v1 = rotl(v1, 13); v1 = (v1 ^ v2) >>> 0; v2 = rotl(v2, 16);
  };
  const len = msg.length;
  const full = len - (len % 4);
  for (let i = 0; i < full; i += 4) {
    const m = (msg[i] | (msg[i + 1] << 8) | (msg[i + 2] << 16) | (msg[i + 3] << 24)) >>> 0;
    v3 = (v3 ^ m) >>> 0;
    round();
    round();
    v0 = (v0 ^ m) >>> 0;
  }
  let b = (len << 24) >>> 0;
  for (let i = len % 4 - 1; i >= 0; i--) b = (b | (msg[full + i] << (8 * i))) >>> 0;
  v3 = (v3 ^ b) >>> 0;
  round();
  round();
  v0 = (v0 ^ b) >>> 0;
  v2 = (v2 ^ 0xff) >>> 0;
  round();
  round();
  round();
  round();
  return (v1 ^ v3) >>> 0;
}

const tuple = new Uint8Array(12);

/** F(localip, localport, remoteip, remoteport, secret): the keyed hash of RFC 6528. */
export function isnHash(secret0: number, secret1: number, localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
  const t = tuple;
  t[0] = localAddr >>> 24; t[1] = localAddr >>> 16; t[2] = localAddr >>> 8; t[3] = localAddr;
  t[4] = remoteAddr >>> 24; t[5] = remoteAddr >>> 16; t[6] = remoteAddr >>> 8; t[7] = remoteAddr;
  t[8] = localPort >>> 8; t[9] = localPort; t[10] = remotePort >>> 8; t[11] = remotePort;
  return halfSipHash24(secret0, secret1, t);
}

/** M: the ISN clock at `nowMs` (ms), in ticks of 64 ns (Linux) or 4 µs (RFC 6528). */
export function isnClockTicks(nowMs: number, clock: IsnClock): number {
  const ticks = clock === '64ns' ? Math.floor((nowMs * 1e6) / 64) : Math.floor((nowMs * 1e3) / 4);
  return ticks % 4294967296;
}

/** RFC 6528: ISN = M + F(4-tuple, secret). */
export function computeIsn(
  nowMs: number,
  clock: IsnClock,
  secret0: number,
  secret1: number,
  localAddr: number,
  localPort: number,
  remoteAddr: number,
  remotePort: number,
): Seq {
  return seq(isnClockTicks(nowMs, clock) + isnHash(secret0, secret1, localAddr, localPort, remoteAddr, remotePort));
}
