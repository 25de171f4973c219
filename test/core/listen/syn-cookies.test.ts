import { describe, expect, it } from 'vitest';
import {
  CookieCodec, cookieTimestamp, decodeCookieTimestamp, halfSipCookieHash, MSS_TABLE, mssIndexFor, SYNCOOKIE_PERIOD_MS, TS_MASK,
} from '../../../core/listen/syn-cookies.ts';
import type { CookieHash } from '../../../core/listen/syn-cookies.ts';
import { seededRandom } from '../../../core/stack/random.ts';

const CLIENT = 0x0a4d0001;
const US = 0x0a4d0002;
const secrets = [0x01234567, 0x89abcdef, 0xdeadbeef, 0x0badf00d] as const;
const codec = (): CookieCodec => new CookieCodec(halfSipCookieHash, secrets);

describe('SYN cookie codec (Linux syncookies.c layout)', () => {
  it('maps an MSS to the largest table entry not above it (msstab 536, 1300, 1440, 1460)', () => {
    expect(MSS_TABLE).toEqual([536, 1300, 1440, 1460]);
    const cases: [number, number][] = [[100, 0], [535, 0], [536, 0], [1299, 0], [1300, 1], [1439, 1], [1440, 2], [1452, 2], [1459, 2], [1460, 3], [8960, 3]];
    for (const [mss, i] of cases) expect(mssIndexFor(mss), `mss ${mss}`).toBe(i);
  });

  it('a cookie checks out for its 4-tuple and client ISN, returning the MSS index, for less than two periods', () => {
    const c = codec();
    for (let index = 0; index < 4; index++) {
      const t0 = 1_000_000 + index * 7_777;
      const cookie = c.encode(CLIENT, US, 40000, 80, 0xfffffff0, index, t0);
      expect(c.decode(cookie, CLIENT, US, 40000, 80, 0xfffffff0, t0)).toEqual({ ok: true, mssIndex: index, mss: MSS_TABLE[index], age: 0 });
      const nextTick = (Math.floor(t0 / SYNCOOKIE_PERIOD_MS) + 1) * SYNCOOKIE_PERIOD_MS;
      expect(c.decode(cookie, CLIENT, US, 40000, 80, 0xfffffff0, nextTick)).toMatchObject({ ok: true, mssIndex: index, age: 1 });
      expect(c.decode(cookie, CLIENT, US, 40000, 80, 0xfffffff0, nextTick + SYNCOOKIE_PERIOD_MS)).toEqual({ ok: false, reason: 'stale', age: 2 });
    }
  });

  it('the count wraps with the 8 bits the cookie keeps for it', () => {
    const c = codec();
    const t0 = 255 * SYNCOOKIE_PERIOD_MS + 5; // count 255, the next is 256 (0 in 8 bits)
    const cookie = c.encode(CLIENT, US, 40000, 80, 7, 2, t0);
    expect(c.decode(cookie, CLIENT, US, 40000, 80, 7, t0 + SYNCOOKIE_PERIOD_MS)).toMatchObject({ ok: true, mssIndex: 2, age: 1 });
  });

  it('refuses a cookie for another 4-tuple, another secret, or one that was changed', () => {
    const c = codec();
    const t = 5_000_000;
    const cookie = c.encode(CLIENT, US, 40000, 80, 1000, 3, t);
    const bad = [
      c.decode(cookie, CLIENT + 1, US, 40000, 80, 1000, t),
      c.decode(cookie, CLIENT, US, 40001, 80, 1000, t),
      c.decode(cookie, CLIENT, US, 40000, 81, 1000, t),
      c.decode(cookie, CLIENT, US, 40000, 80, 1000 + (1 << 23), t),
      c.decode((cookie + 1) >>> 0, CLIENT, US, 40000, 80, 1000, t),
      c.decode((cookie ^ 0x00100000) >>> 0, CLIENT, US, 40000, 80, 1000, t),
      new CookieCodec(halfSipCookieHash, [1, 2, 3, 4]).decode(cookie, CLIENT, US, 40000, 80, 1000, t),
    ];
    for (const r of bad) expect(r.ok).toBe(false);
  });

  it('the client ISN is added, not hashed (as in Linux): an ISN off by one decodes a neighbouring MSS index', () => {
    const c = codec();
    const cookie = c.encode(CLIENT, US, 40000, 80, 1000, 3, 0);
    expect(c.decode(cookie, CLIENT, US, 40000, 80, 1001, 0)).toMatchObject({ ok: true, mssIndex: 2 });
    expect(c.decode(cookie, CLIENT, US, 40000, 80, 999, 0)).toEqual({ ok: false, reason: 'hash', age: 0 });
  });

  it('random (forged) ACK numbers almost never pass: 0 of 100,000 here (a chance of 4 in 2^24 for a fresh count)', () => {
    const c = codec();
    const rnd = seededRandom(42);
    const reasons = { stale: 0, hash: 0 };
    let passed = 0;
    for (let i = 0; i < 100_000; i++) {
      const r = c.decode(rnd.u32(), rnd.u32(), US, rnd.u32() & 0xffff, 80, rnd.u32(), 3_000_000);
      if (r.ok) passed++;
      else reasons[r.reason]++;
    }
    expect(passed).toBe(0);
    // The 8 count bits reject most (2 of 256 values are fresh); the 24 hash bits the rest.
    expect(reasons.stale).toBeGreaterThan(98_000);
    expect(reasons.hash).toBeGreaterThan(500);
  });

  it('uses the injected keyed hash and secrets (sans-IO), two keys as Linux syncookie_secret[2]', () => {
    const calls: number[][] = [];
    const hash: CookieHash = (k0, k1, w0, w1, w2, w3) => {
      calls.push([k0, k1, w0, w1, w2, w3]);
      return (k0 ^ w0 ^ w1 ^ w2 ^ w3) >>> 0;
    };
    const c = new CookieCodec(hash, [11, 12, 21, 22], 1000);
    const cookie = c.encode(CLIENT, US, 40000, 80, 5, 1, 3500);
    expect(calls).toEqual([[11, 12, CLIENT, US, (40000 << 16 | 80) >>> 0, 0], [21, 22, CLIENT, US, (40000 << 16 | 80) >>> 0, 3]]);
    expect(c.decode(cookie, CLIENT, US, 40000, 80, 5, 3999)).toMatchObject({ ok: true, mssIndex: 1 });
    expect(c.count(3999)).toBe(3);
  });

  it('timestamps carry the window scale (15 = none) and SACK in the low 6 bits, never above the clock', () => {
    for (const now of [0, 63, 64, 1000, 123_456_789, 0xffffffff]) {
      for (const wscale of [null, 0, 7, 14]) {
        for (const sack of [false, true]) {
          const ts = cookieTimestamp(now, { wscale, sack });
          expect(ts >>> 0).toBe(ts);
          if (now >= 64) expect(ts).toBeLessThanOrEqual(now >>> 0);
          if (now >= 64) expect(now - ts).toBeLessThan(2 * (TS_MASK + 1));
          expect(decodeCookieTimestamp(ts)).toEqual({ wscale, sack });
        }
      }
    }
    expect(cookieTimestamp(1000, { wscale: 7, sack: true })).toBe(960 + 16 + 7);
    expect(cookieTimestamp(1000, { wscale: null, sack: false })).toBe(960 + 15);
    expect(cookieTimestamp(1000, { wscale: null, sack: true })).toBe(960 + 31);
    expect(cookieTimestamp(970, { wscale: null, sack: true })).toBe(960 + 31 - 64); // 991 > 970: one period back
  });
});
