// Seeded random segments into TCBs in every state: nothing throws, invariants hold.
import { describe, expect, it } from 'vitest';
import { TCP_STATES } from '../../../core/tcp/state.ts';
import type { TcpState } from '../../../core/tcp/state.ts';
import { onSegment } from '../../../core/tcp/step.ts';
import { onTimer } from '../../../core/tcp/timeouts.ts';
import { dueTimer, earliestDeadline } from '../../../core/tcp/timers.ts';
import { userReceive, userSend } from '../../../core/tcp/user.ts';
import { seqLe } from '../../../core/wire/seq.ts';
import { FIN, PSH, RST, SYN } from '../../../core/wire/tcp.ts';
import { IRS, ISS, makeTcb, seg, sink } from './factory.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 4294967296;
  };
}

const stateOf = (x: { state: TcpState }): TcpState => x.state;

describe('fuzz: random segments in every state', () => {
  const states = TCP_STATES.filter((s) => s !== 'CLOSED' && s !== 'LISTEN') as TcpState[];
  for (const st of states) {
    it(`${st}: 2000 random segments, timers and calls`, () => {
      const r = rng(st.length * 7919);
      const t = makeTcb({ state: st, ts: r() < 0.5, sack: true, wscale: r() < 0.5 });
      const k = sink();
      let now = 0;
      for (let i = 0; i < 2000 && t.state !== 'CLOSED'; i++) {
        now += Math.floor(r() * 50);
        const near = (base: number, spread: number): number => (base + Math.floor((r() - 0.5) * spread)) >>> 0;
        const flagsPick = r();
        const flags = (flagsPick < 0.02 ? RST : 0) | (flagsPick > 0.98 ? SYN : 0) | (r() < 0.05 ? FIN : 0) | (r() < 0.3 ? PSH : 0);
        const s0 = seg({
          seq: r() < 0.8 ? near(t.rcvNxt, 4000) : Math.floor(r() * 2 ** 32),
          ack: r() < 0.9 ? near(t.sndUna, 3000) : null,
          flags,
          window: Math.floor(r() * 65536),
          payload: r() < 0.5 ? Math.floor(r() * 1500) : 0,
          options: r() < 0.5 ? { timestamps: { value: Math.floor(r() * 2 ** 32), echo: Math.floor(r() * 2 ** 32) } } : {},
          urgent: r() < 0.02 ? Math.floor(r() * 100) : null,
        });
        expect(() => onSegment(t, s0, now, k)).not.toThrow();
        if (r() < 0.1) userSend(t, new Uint8Array(Math.floor(r() * 5000)), now, k);
        if (r() < 0.2) userReceive(t, 1e9, now, k);
        const d = earliestDeadline(t);
        if (d !== 0 && r() < 0.2) {
          now = Math.max(now, d);
          for (let n = dueTimer(t, now); n !== null; n = dueTimer(t, now)) onTimer(t, n, now, k);
        }
        const now2 = stateOf(t);
        if (now2 !== 'CLOSED' && now2 !== 'SYN-SENT') {
          expect(seqLe(t.sndUna, t.sndNxt)).toBe(true);
          expect(seqLe(t.sndNxt, t.sndMax)).toBe(true);
        }
        expect(t.cwnd).toBeGreaterThanOrEqual(0);
      }
      void ISS;
      void IRS;
    });
  }
});
