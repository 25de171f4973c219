import { describe, expect, it } from 'vitest';
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import { openActive, openPassive } from '../../../core/tcp/handshake.ts';
import { onSegment } from '../../../core/tcp/step.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { RecordingSink } from '../../../core/tcp/effects.ts';
import { ACK_BIT, FIN, RST, SYN } from '../../../core/wire/tcp.ts';
import { seq } from '../../../core/wire/seq.ts';
import { IRS, ISS, makeTcb, seg } from './factory.ts';

describe('three-way handshake', () => {
  it('active open sends a SYN with Linux-ordered options and enters SYN-SENT', () => {
    const t = new Tcb(1, defaultTcpConfig(), 1, 40000, 2, 80);
    const k = new RecordingSink();
    openActive(t, seq(ISS), 0, 0, k);
    expect(t.state).toBe('SYN-SENT');
    const [syn] = k.sent();
    expect(syn.flags).toBe(SYN);
    expect(syn.ack).toBeNull();
    expect(syn.seq).toBe(ISS);
    expect(syn.window).toBe(65535);
    expect(syn.options).toEqual({ mss: 1460, sackPermitted: true, timestamps: { value: 0, echo: 0 }, wscale: 7 });
    expect(t.tRtx).toBe(1000);
  });

  it('SYN-SENT + SYN-ACK -> ESTABLISHED, ACKs at once, negotiates options', () => {
    const t = new Tcb(1, defaultTcpConfig(), 1, 40000, 2, 80);
    const k = new RecordingSink();
    openActive(t, seq(ISS), 0, 0, k);
    k.take();
    const v = onSegment(t, seg({ seq: IRS, ack: ISS + 1, flags: SYN, window: 65535, options: { mss: 1460, sackPermitted: true, timestamps: { value: 7, echo: 0 }, wscale: 7 } }), 10, k);
    expect(v).toBe('accepted');
    expect(t.state).toBe('ESTABLISHED');
    const [ack] = k.sent();
    expect(ack.flags).toBe(0);
    expect(ack.ack).toBe(IRS + 1);
    expect(ack.seq).toBe(ISS + 1);
    expect(ack.window).toBe(2048); // 262144 >> 7
    expect(ack.options.timestamps).toEqual({ value: 10, echo: 7 });
    expect(t.mss).toBe(1448);
    expect(t.sndWscale).toBe(7);
    expect(t.tRtx).toBe(0);
    expect(t.srtt).toBe(10);
  });

  it('the SYN window is capped by a small receive buffer (Linux tcp_select_initial_window)', () => {
    const t = new Tcb(1, defaultTcpConfig({ rcvbuf: 4000 }), 1, 40000, 2, 80);
    const k = new RecordingSink();
    openActive(t, seq(ISS), 0, 0, k);
    expect(k.sent()[0].window).toBe(4000);
  });

  it('SYN-SENT: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>', () => {
    const t = makeTcb({ state: 'SYN-SENT' });
    const k = new RecordingSink();
    const v = onSegment(t, seg({ seq: IRS, ack: ISS + 5, flags: SYN }), 0, k);
    expect(v).toMatch(/^rst/);
    expect(k.sent()[0]).toMatchObject({ flags: RST, seq: ISS + 5, ack: null });
    expect(t.state).toBe('SYN-SENT');
  });

  it('SYN-SENT: RST with an acceptable ACK refuses the connection; without ACK it is dropped', () => {
    const t = makeTcb({ state: 'SYN-SENT' });
    const k = new RecordingSink();
    expect(onSegment(t, seg({ seq: 0, flags: RST }), 0, k)).toMatch(/^dropped/);
    expect(t.state).toBe('SYN-SENT');
    onSegment(t, seg({ seq: 0, ack: ISS + 1, flags: RST }), 0, k);
    expect(t.state).toBe('CLOSED');
    expect(t.error).toBe('ECONNREFUSED');
  });

  it('simultaneous open: SYN-SENT + SYN -> SYN-RECEIVED -> ESTABLISHED', () => {
    const t = makeTcb({ state: 'SYN-SENT' });
    const k = new RecordingSink();
    onSegment(t, seg({ seq: IRS, flags: SYN }), 0, k);
    expect(t.state).toBe('SYN-RECEIVED');
    const [synack] = k.sent();
    expect(synack).toMatchObject({ flags: SYN, seq: ISS, ack: IRS + 1 });
    k.take();
    onSegment(t, seg({ seq: IRS, ack: ISS + 1, flags: SYN }), 1, k); // their SYN-ACK
    expect(t.state).toBe('ESTABLISHED');
    expect(k.sent()[0]).toMatchObject({ flags: 0, seq: ISS + 1, ack: IRS + 1 });
    expect(k.effects.some((e) => e.kind === 'connected')).toBe(true);
  });

  it('passive open: SYN -> SYN-RECEIVED with SYN-ACK answering only offered options, ACK -> ESTABLISHED + accept queue', () => {
    const t = new Tcb(1, defaultTcpConfig(), 2, 80, 1, 40000);
    const k = new RecordingSink();
    openPassive(t, seg({ seq: IRS, flags: SYN, options: { mss: 1000 } }), seq(ISS), 0, 0, k);
    expect(t.state).toBe('SYN-RECEIVED');
    const [sa] = k.sent();
    expect(sa).toMatchObject({ flags: SYN, seq: ISS, ack: IRS + 1, window: 65535 });
    expect(sa.options).toEqual({ mss: 1460 });
    expect(t.mss).toBe(1000);
    expect(t.tRtx).toBe(1000);
    k.take();
    onSegment(t, seg({ seq: IRS + 1, ack: ISS + 1, window: 5000 }), 50, k);
    expect(t.state).toBe('ESTABLISHED');
    expect(t.sndWnd).toBe(5000);
    expect(k.effects.some((e) => e.kind === 'enqueue-accept')).toBe(true);
    expect(t.srtt).toBe(50);
  });

  it('SYN-RECEIVED: an unacceptable ACK gets an RST, a retransmitted SYN gets the SYN-ACK again', () => {
    const t = makeTcb({ state: 'SYN-RECEIVED', passive: true });
    const k = new RecordingSink();
    expect(onSegment(t, seg({ seq: IRS + 1, ack: ISS + 9 }), 0, k)).toMatch(/^rst/);
    expect(k.sent()[0]).toMatchObject({ flags: RST, seq: ISS + 9 });
    k.take();
    expect(onSegment(t, seg({ seq: IRS, flags: SYN }), 0, k)).toMatch(/SYN-ACK resent/);
    expect(k.sent()[0]).toMatchObject({ flags: SYN, seq: ISS, ack: IRS + 1 });
  });

  it('SYN-RECEIVED (passive): RST at RCV.NXT returns to LISTEN silently', () => {
    const t = makeTcb({ state: 'SYN-RECEIVED', passive: true });
    const k = new RecordingSink();
    onSegment(t, seg({ seq: IRS + 1, flags: RST }), 0, k);
    expect(t.state).toBe('CLOSED');
    expect(t.error).toBeNull();
  });

  it('data in the SYN-ACK is delivered; FIN with it moves to CLOSE-WAIT', () => {
    const t = makeTcb({ state: 'SYN-SENT' });
    const k = new RecordingSink();
    onSegment(t, seg({ seq: IRS, ack: ISS + 1, flags: SYN | FIN, payload: 10 }), 0, k);
    expect(t.state).toBe('CLOSE-WAIT');
    expect(t.rcvQ?.length).toBe(10);
    void ACK_BIT;
  });
});
