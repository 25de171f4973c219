// Every state and the events that move it (RFC 9293 3.10), driven through onSegment /
// user calls / timers on TCBs built directly by the state factory.
import { describe, expect, it } from 'vitest';
import { userAbort, userClose, userShutdown } from '../../../core/tcp/close.ts';
import { onSegment } from '../../../core/tcp/step.ts';
import { onTimer } from '../../../core/tcp/timeouts.ts';
import { userReceive, userSend } from '../../../core/tcp/user.ts';
import { seqAdd } from '../../../core/wire/seq.ts';
import { ACK_BIT, FIN, RST, SYN } from '../../../core/wire/tcp.ts';
import { IRS, ISS, makeTcb, seg, sink } from './factory.ts';

const A = ISS + 1; // our next sequence number in a fresh connection
const R = IRS + 1; // their next sequence number

function states(k: ReturnType<typeof sink>): string[] {
  return k.effects.flatMap((e) => (e.kind === 'state' ? [`${e.from}->${e.to}`] : []));
}

describe('ESTABLISHED', () => {
  it('in-order data is delivered, ACK delayed (40 ms timer)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    expect(onSegment(t, seg({ seq: R, ack: A, payload: 100 }), 0, k)).toBe('accepted');
    expect(t.rcvQ?.length).toBe(100);
    expect(k.sent()).toHaveLength(0);
    expect(t.tDelack).toBe(40);
    onTimer(t, 'delack', 40, k);
    const [ack] = k.sent();
    expect(ack).toMatchObject({ seq: A, ack: R + 100, flags: 0 });
    expect(k.effects.some((e) => e.kind === 'count' && e.name === 'DelayedACKs')).toBe(true);
  });

  it('ACKs at once when a second full-sized segment arrives', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, payload: 1460 }), 0, k);
    expect(k.sent()).toHaveLength(0);
    onSegment(t, seg({ seq: R + 1460, ack: A, payload: 1460 }), 1, k);
    expect(k.sent()).toHaveLength(1);
    expect(k.sent()[0].ack).toBe(R + 2920);
    expect(t.tDelack).toBe(0);
  });

  it('FIN -> CLOSE-WAIT, ACKed at once, end of stream readable', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, flags: FIN }), 0, k);
    expect(t.state).toBe('CLOSE-WAIT');
    expect(k.sent()[0]).toMatchObject({ ack: R + 1 });
    expect(userReceive(t, 100, 0, k)?.length).toBe(0);
  });

  it('RST at RCV.NXT resets (ECONNRESET); in window elsewhere gets a challenge ACK; outside is dropped', () => {
    let t = makeTcb({ state: 'ESTABLISHED' });
    let k = sink();
    onSegment(t, seg({ seq: R + 10, flags: RST }), 0, k);
    expect(t.state).toBe('ESTABLISHED');
    expect(k.sent()[0]).toMatchObject({ seq: A, ack: R, flags: 0 });
    expect(k.effects.some((e) => e.kind === 'count' && e.name === 'TCPChallengeACK')).toBe(true);
    k = sink();
    expect(onSegment(t, seg({ seq: R + 1_000_000, flags: RST }), 1000, k)).toMatch(/out of window/);
    expect(k.sent()).toHaveLength(0);
    onSegment(t, seg({ seq: R, flags: RST }), 2000, k);
    expect(t.state).toBe('CLOSED');
    expect(t.error).toBe('ECONNRESET');
    t = makeTcb({ state: 'ESTABLISHED' });
    k = sink();
    onSegment(t, seg({ seq: R, ack: A, flags: RST }), 0, k);
    expect(t.state).toBe('CLOSED');
  });

  it('challenge ACKs are rate limited per connection (tcp_invalid_ratelimit)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    onSegment(t, seg({ seq: R + 5, flags: RST }), 0, k);
    onSegment(t, seg({ seq: R + 5, flags: RST }), 100, k);
    expect(k.sent()).toHaveLength(1);
    onSegment(t, seg({ seq: R + 5, flags: RST }), 600, k);
    expect(k.sent()).toHaveLength(2);
    expect(k.effects.filter((e) => e.kind === 'count' && e.name === 'TCPACKSkippedChallenge')).toHaveLength(1);
  });

  it('SYN in a synchronized state gets a challenge ACK (RFC 5961 4.2), state unchanged', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    expect(onSegment(t, seg({ seq: R + 100, flags: SYN }), 0, k)).toMatch(/challenge/);
    expect(t.state).toBe('ESTABLISHED');
    expect(k.sent()[0]).toMatchObject({ seq: A, ack: R, flags: 0 });
  });

  it('ACK of unsent data and too-old ACKs get a challenge ACK and are dropped (RFC 5961 5.2)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    expect(onSegment(t, seg({ seq: R, ack: A + 10, payload: 5 }), 0, k)).toBe('dropped: ack of unsent data');
    expect(t.rcvQ).toBeNull();
    expect(onSegment(t, seg({ seq: R, ack: A - 200_000 }), 1000, k)).toBe('dropped: ack too old');
    expect(k.sent()).toHaveLength(2);
  });

  it('segments without ACK are dropped; out-of-window data gets a duplicate ACK', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    expect(onSegment(t, seg({ seq: R, payload: 10 }), 0, k)).toBe('dropped: no ACK');
    expect(onSegment(t, seg({ seq: R + 70_000, ack: A, payload: 10 }), 0, k)).toBe('dropped: out of window');
    expect(k.sent()[0]).toMatchObject({ seq: A, ack: R });
  });

  it('a retransmitted old segment is answered with an ACK (and a D-SACK block with SACK)', () => {
    const t = makeTcb({ state: 'ESTABLISHED', sack: true });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, payload: 100 }), 0, k);
    onSegment(t, seg({ seq: R, ack: A, payload: 100 }), 1, k);
    const ack = k.sent()[0];
    expect(ack.ack).toBe(R + 100);
    expect(ack.options.sack).toEqual([{ left: R, right: R + 100 }]);
  });

  it('CLOSE -> FIN-WAIT-1 with a FIN; ABORT sends RST|ACK and deletes the TCB', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userClose(t, 0, k);
    expect(t.state).toBe('FIN-WAIT-1');
    expect(k.sent()[0]).toMatchObject({ seq: A, flags: FIN, ack: R });
    const t2 = makeTcb({ state: 'ESTABLISHED' });
    const k2 = sink();
    userAbort(t2, 0, k2);
    expect(t2.state).toBe('CLOSED');
    expect(k2.sent()[0]).toMatchObject({ seq: A, ack: R, flags: RST });
    expect(k2.effects.some((e) => e.kind === 'release')).toBe(true);
  });

  it('CLOSE with unread data resets the connection (RFC 2525, Linux)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, payload: 10 }), 0, k);
    userClose(t, 1, k);
    expect(t.state).toBe('CLOSED');
    expect(k.sent().at(-1)?.flags).toBe(RST);
  });

  it('data arriving after close() is answered with RST (Linux TCPAbortOnData)', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userClose(t, 0, k);
    k.take();
    expect(onSegment(t, seg({ seq: R, ack: A, payload: 10 }), 1, k)).toBe('rst: data after close');
    expect(k.sent()[0]).toMatchObject({ flags: RST, seq: A });
    expect(t.state).toBe('CLOSED');
  });

  it('zero receive window: a data segment at RCV.NXT still has its ACK processed; its text is dropped and re-ACKed', () => {
    const t = makeTcb({ state: 'ESTABLISHED', cfg: { rcvbuf: 4000 } });
    t.rcvAdv = seqAdd(t.rcvNxt, 4000);
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, payload: 4000 }), 0, k); // fills the buffer: window 0
    userSend(t, new Uint8Array(100), 1, k);
    expect(k.sent().at(-1)?.window).toBe(0);
    k.take();
    onSegment(t, seg({ seq: R + 4000, ack: A + 100, payload: 50 }), 2, k);
    expect(t.sndUna).toBe(A + 100);
    expect(t.rcvQ?.length).toBe(4000);
    expect(k.sent()[0]).toMatchObject({ ack: R + 4000, window: 0 });
  });

  it('urgent pointer is recorded (shown), data stays inline', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, payload: 10, urgent: 3 }), 0, k);
    expect(t.rcvUp).toBe(R + 3);
    expect(t.rcvQ?.length).toBe(10);
  });
});

describe('closing states', () => {
  it('FIN-WAIT-1: ACK of our FIN -> FIN-WAIT-2; then FIN -> TIME-WAIT', () => {
    const t = makeTcb({ state: 'FIN-WAIT-1' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A + 1 }), 0, k);
    expect(t.state).toBe('FIN-WAIT-2');
    onSegment(t, seg({ seq: R, ack: A + 1, flags: FIN }), 1, k);
    expect(t.state).toBe('TIME-WAIT');
    expect(t.t2msl).toBe(60_001);
    expect(k.sent().at(-1)).toMatchObject({ ack: R + 1, seq: A + 1 });
  });

  it('FIN-WAIT-1: FIN not acking ours -> CLOSING (simultaneous close) -> ACK -> TIME-WAIT', () => {
    const t = makeTcb({ state: 'FIN-WAIT-1' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A, flags: FIN }), 0, k);
    expect(t.state).toBe('CLOSING');
    onSegment(t, seg({ seq: R + 1, ack: A + 1 }), 1, k);
    expect(t.state).toBe('TIME-WAIT');
    expect(states(k)).toEqual(['FIN-WAIT-1->CLOSING', 'CLOSING->TIME-WAIT']);
  });

  it('FIN-WAIT-1: FIN+ACK of our FIN -> TIME-WAIT directly', () => {
    const t = makeTcb({ state: 'FIN-WAIT-1' });
    const k = sink();
    onSegment(t, seg({ seq: R, ack: A + 1, flags: FIN }), 0, k);
    expect(states(k)).toEqual(['FIN-WAIT-1->FIN-WAIT-2', 'FIN-WAIT-2->TIME-WAIT']);
  });

  it('half-close: data still flows to us in FIN-WAIT-2 after shutdown()', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userShutdown(t, 0, k);
    onSegment(t, seg({ seq: R, ack: A + 1, payload: 50 }), 1, k);
    expect(t.state).toBe('FIN-WAIT-2');
    expect(userReceive(t, 100, 2, k)?.length).toBe(50);
    expect(userSend(t, new Uint8Array(5), 3, k)).toBe('EPIPE');
  });

  it('half-close the other way: we keep sending in CLOSE-WAIT, then close -> LAST-ACK -> CLOSED', () => {
    const t = makeTcb({ state: 'CLOSE-WAIT' });
    const k = sink();
    expect(userSend(t, new Uint8Array(100), 0, k)).toBe(100);
    expect(k.sent()[0]).toMatchObject({ seq: A, ack: R + 1 });
    expect(k.sent()[0].payload.length).toBe(100);
    userClose(t, 1, k);
    expect(t.state).toBe('LAST-ACK');
    onSegment(t, seg({ seq: R + 1, ack: A + 100 }), 2, k);
    expect(t.state).toBe('LAST-ACK');
    // The FIN went out after the data (Nagle held nothing: the FIN is not subject to it).
    expect(k.sent().some((x) => (x.flags & FIN) !== 0 && x.seq === A + 100)).toBe(true);
    onSegment(t, seg({ seq: R + 1, ack: A + 101 }), 3, k);
    expect(t.state).toBe('CLOSED');
  });

  it('CLOSE-WAIT: RST -> CLOSED with EPIPE (Linux)', () => {
    const t = makeTcb({ state: 'CLOSE-WAIT' });
    const k = sink();
    onSegment(t, seg({ seq: R + 1, flags: RST }), 0, k);
    expect(t.error).toBe('EPIPE');
  });

  it('LAST-ACK / CLOSING: RST deletes the TCB without an error', () => {
    for (const st of ['LAST-ACK', 'CLOSING'] as const) {
      const t = makeTcb({ state: st });
      const k = sink();
      onSegment(t, seg({ seq: R + 1, flags: RST }), 0, k);
      expect(t.state).toBe('CLOSED');
      expect(t.error).toBeNull();
    }
  });

  it('TIME-WAIT: a retransmitted FIN is ACKed and restarts 2*MSL; the timer deletes the TCB', () => {
    const t = makeTcb({ state: 'TIME-WAIT' });
    const k = sink();
    t.t2msl = 60_000;
    const v = onSegment(t, seg({ seq: R, ack: A + 1, flags: FIN }), 30_000, k);
    expect(v).toMatch(/re-ACKed/);
    expect(k.sent()[0]).toMatchObject({ seq: A + 1, ack: R + 1 });
    expect(t.t2msl).toBe(90_000);
    onTimer(t, 'time-wait', 90_000, k);
    expect(t.state).toBe('CLOSED');
  });

  it('TIME-WAIT: RST ends it (Linux, tcp_rfc1337=0) or is ignored (RFC 1337)', () => {
    const t = makeTcb({ state: 'TIME-WAIT' });
    onSegment(t, seg({ seq: R + 1, flags: RST }), 0, sink());
    expect(t.state).toBe('CLOSED');
    const t2 = makeTcb({ state: 'TIME-WAIT', cfg: { rfc1337: true } });
    onSegment(t2, seg({ seq: R + 1, flags: RST }), 0, sink());
    expect(t2.state).toBe('TIME-WAIT');
  });

  it('orphaned FIN-WAIT-2 ends after tcp_fin_timeout; a shut-down (not closed) one waits', () => {
    const t = makeTcb({ state: 'ESTABLISHED' });
    const k = sink();
    userClose(t, 0, k);
    onSegment(t, seg({ seq: R, ack: A + 1 }), 10, k);
    expect(t.state).toBe('FIN-WAIT-2');
    expect(t.t2msl).toBe(60_010);
    onTimer(t, 'fin-wait-2', 60_010, k);
    expect(t.state).toBe('CLOSED');
    const u = makeTcb({ state: 'ESTABLISHED' });
    userShutdown(u, 0, k);
    onSegment(u, seg({ seq: R, ack: A + 1 }), 10, k);
    expect(u.state).toBe('FIN-WAIT-2');
    expect(u.t2msl).toBe(0);
  });

  it('SYN-SENT: close deletes the TCB without sending anything', () => {
    const t = makeTcb({ state: 'SYN-SENT' });
    const k = sink();
    userClose(t, 0, k);
    expect(t.state).toBe('CLOSED');
    expect(k.sent()).toHaveLength(0);
  });

  it('SEND in closing states fails with EPIPE; in CLOSED with the error', () => {
    for (const st of ['FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSING', 'LAST-ACK', 'TIME-WAIT'] as const) {
      expect(userSend(makeTcb({ state: st }), new Uint8Array(1), 0, sink())).toBe('EPIPE');
    }
    void ACK_BIT;
  });
});
