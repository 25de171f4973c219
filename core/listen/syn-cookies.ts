// SYN cookies (RFC 4987 3.6), as Linux's net/ipv4/syncookies.c builds and checks them.
//
// The cookie is the ISN of our SYN-ACK, so the state of a half-open connection travels to the
// client and comes back in the ACK (ACK - 1 = cookie, SEQ - 1 = the client's ISN):
//
//   cookie = H0(4-tuple) + clientISN + (count << 24) + ((H1(4-tuple, count) + mssIndex) mod 2^24)
//
// where H0 and H1 are keyed hashes with two secrets (Linux: siphash_4u32 over saddr, daddr,
// sport << 16 | dport, count), count is a coarse clock (Linux: one tick per 60 s,
// TCP_SYNCOOKIE_PERIOD, include/net/tcp.h) and mssIndex points into a small MSS table (Linux's
// msstab {536, 1300, 1440, 1460}). Checking (check_tcp_syn_cookie) peels the layers off again:
// the top 8 bits give the count the cookie was made with, which must be less than
// MAX_SYNCOOKIE_AGE (2) ticks old; the low 24 bits minus H1 must leave a valid table index.
//
// When the SYN offered timestamps, Linux also stores the options the cookie cannot hold in the
// low 6 bits of the SYN-ACK's TSval (cookie_init_timestamp): the peer's window scale (4 bits, 15
// = none), SACK-permitted (bit 4), ECN (bit 5, never set here: the lab has no ECN); the client
// echoes them in TSecr (cookie_timestamp_decode). Without timestamps a cookie connection has no
// window scaling and no SACK.
//
// Sans-IO: the keyed hash and the secrets are injected; time is an argument.
import { halfSipHash24 } from '../tcp/isn.ts';

/** Upper bits of the cookie store the count (Linux COOKIEBITS). */
export const COOKIE_BITS = 24;
export const COOKIE_MASK = (1 << COOKIE_BITS) - 1;
/** A cookie is valid while the count is less than this many ticks older (Linux MAX_SYNCOOKIE_AGE). */
export const MAX_SYNCOOKIE_AGE = 2;
/** Linux TCP_SYNCOOKIE_PERIOD: the count ticks once every 60 s. */
export const SYNCOOKIE_PERIOD_MS = 60_000;
/** Linux msstab (sorted): the MSS values a cookie can carry. */
export const MSS_TABLE: readonly number[] = Object.freeze([536, 1300, 1440, 1460]);

/** TSval bits that carry options (Linux TSBITS) and their layout. */
export const TS_BITS = 6;
export const TS_MASK = (1 << TS_BITS) - 1;
export const TS_OPT_WSCALE_MASK = 0xf;
export const TS_OPT_SACK = 1 << 4;
export const TS_OPT_ECN = 1 << 5;

/** A keyed hash of four 32-bit words with a 64-bit key (k0, k1) -> u32. Linux uses SipHash. */
export type CookieHash = (k0: number, k1: number, w0: number, w1: number, w2: number, w3: number) => number;

const words = new Uint8Array(16);

/** The default hash: HalfSipHash-2-4 over the four words, big-endian (allocation-free). */
export const halfSipCookieHash: CookieHash = (k0, k1, w0, w1, w2, w3) => {
  const b = words;
  b[0] = w0 >>> 24; b[1] = w0 >>> 16; b[2] = w0 >>> 8; b[3] = w0;
  b[4] = w1 >>> 24; b[5] = w1 >>> 16; b[6] = w1 >>> 8; b[7] = w1;
  b[8] = w2 >>> 24; b[9] = w2 >>> 16; b[10] = w2 >>> 8; b[11] = w2;
  b[12] = w3 >>> 24; b[13] = w3 >>> 16; b[14] = w3 >>> 8; b[15] = w3;
  return halfSipHash24(k0, k1, b);
};

/** Why a cookie was refused. */
export type CookieFailure = 'stale' | 'hash';

/** The result of checking a cookie: the MSS it carries, or why it is invalid. */
export type CookieCheck =
  | { ok: true; mssIndex: number; mss: number; age: number }
  | { ok: false; reason: CookieFailure; age: number };

/** The options a cookie SYN-ACK's TSval carries (cookie_init_timestamp). */
export interface CookieTsOptions {
  /** The peer's window scale, or null when its SYN offered none. */
  wscale: number | null;
  sack: boolean;
}

/** The largest table index whose MSS does not exceed `mss` (0 when it is below 536). */
export function mssIndexFor(mss: number): number {
  let i = MSS_TABLE.length - 1;
  for (; i > 0; i--) if (mss >= MSS_TABLE[i]) break;
  return i;
}

export class CookieCodec {
  /**
   * @param secrets four u32: (k0, k1) key H0, (k2, k3) key H1 (Linux: syncookie_secret[2]).
   * @param periodMs one tick of the count (Linux 60 s).
   */
  constructor(
    private readonly hash: CookieHash,
    private readonly secrets: readonly [number, number, number, number],
    public periodMs: number = SYNCOOKIE_PERIOD_MS,
  ) {}

  /** The coarse clock (Linux tcp_cookie_time). */
  count(nowMs: number): number {
    return Math.floor(nowMs / this.periodMs) >>> 0;
  }

  private h(c: 0 | 1, saddr: number, daddr: number, sport: number, dport: number, count: number): number {
    const s = this.secrets;
    const k0 = c === 0 ? s[0] : s[2];
    const k1 = c === 0 ? s[1] : s[3];
    return this.hash(k0, k1, saddr >>> 0, daddr >>> 0, ((sport << 16) | dport) >>> 0, count >>> 0) >>> 0;
  }

  /**
   * Linux secure_tcp_syn_cookie. saddr/sport are the client's (the SYN's source), daddr/dport
   * ours; sseq is the client's ISN (the SYN's sequence number).
   */
  encode(saddr: number, daddr: number, sport: number, dport: number, sseq: number, mssIndex: number, nowMs: number): number {
    const count = this.count(nowMs);
    return (this.h(0, saddr, daddr, sport, dport, 0) + sseq + ((count << COOKIE_BITS) >>> 0)
      + ((this.h(1, saddr, daddr, sport, dport, count) + mssIndex) & COOKIE_MASK)) >>> 0;
  }

  /**
   * Linux check_tcp_syn_cookie + __cookie_v4_check: `cookie` is the ACK's ack - 1, `sseq` its
   * seq - 1. The count must be less than MAX_SYNCOOKIE_AGE ticks old ('stale' otherwise), and
   * what is left after removing H1 must be a table index ('hash' otherwise: a forged or
   * corrupted cookie, or one made for another 4-tuple or with another secret).
   */
  decode(cookie: number, saddr: number, daddr: number, sport: number, dport: number, sseq: number, nowMs: number): CookieCheck {
    const count = this.count(nowMs);
    const c = (cookie - this.h(0, saddr, daddr, sport, dport, 0) - sseq) >>> 0;
    const age = (count - (c >>> COOKIE_BITS)) & (0xffffffff >>> COOKIE_BITS);
    if (age >= MAX_SYNCOOKIE_AGE) return { ok: false, reason: 'stale', age };
    const data = (c - this.h(1, saddr, daddr, sport, dport, (count - age) >>> 0)) & COOKIE_MASK;
    if (data >= MSS_TABLE.length) return { ok: false, reason: 'hash', age };
    return { ok: true, mssIndex: data, mss: MSS_TABLE[data], age };
  }
}

/**
 * Linux cookie_init_timestamp: the SYN-ACK's TSval (before the per-host offset is added), with
 * the options in its low 6 bits, never above the clock (`tsNow`, ms ticks) so later TSvals stay
 * monotonic.
 */
export function cookieTimestamp(tsNow: number, o: CookieTsOptions): number {
  let options = o.wscale === null ? TS_OPT_WSCALE_MASK : o.wscale & TS_OPT_WSCALE_MASK;
  if (o.sack) options |= TS_OPT_SACK;
  const now = tsNow >>> 0;
  let ts = ((now & ~TS_MASK) | options) >>> 0;
  if (ts > now) ts = (ts - (1 << TS_BITS)) >>> 0;
  return ts;
}

/** Linux cookie_timestamp_decode: the options echoed in TSecr (offset already removed). */
export function decodeCookieTimestamp(tsecr: number): CookieTsOptions {
  const w = tsecr & TS_OPT_WSCALE_MASK;
  return { wscale: w === TS_OPT_WSCALE_MASK ? null : w, sack: (tsecr & TS_OPT_SACK) !== 0 };
}
