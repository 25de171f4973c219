// The data form of the state machine: step(tcb, input, now) -> effects.
import { describe, expect, it } from 'vitest';
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import { step } from '../../../core/tcp/step.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { seq } from '../../../core/wire/seq.ts';
import { SYN } from '../../../core/wire/tcp.ts';
import { IRS, ISS, seg } from './factory.ts';

describe('step(tcb, input, now)', () => {
  it('returns the effects of a user OPEN, a segment and a timer as plain data', () => {
    const t = new Tcb(1, defaultTcpConfig(), 1, 40000, 2, 80);
    const open = step(t, { kind: 'user', call: { op: 'open', iss: seq(ISS), tsOffset: 0 } }, 0);
    expect(open.result).toBe('ok');
    expect(open.effects.map((e) => e.kind)).toEqual(['state', 'send', 'timer']);
    expect(open.effects[0]).toEqual({ kind: 'state', from: 'CLOSED', to: 'SYN-SENT', cause: 'user connect' });
    expect(open.effects[2]).toEqual({ kind: 'timer', timer: 'retransmit', action: 'set', deadline: 1000 });

    const rtx = step(t, { kind: 'timer', timer: 'retransmit' }, 1000);
    expect(rtx.effects.filter((e) => e.kind === 'send')).toHaveLength(1);
    expect(rtx.effects.find((e) => e.kind === 'timer' && e.action === 'set')).toMatchObject({ deadline: 3000 });

    const synack = step(t, { kind: 'segment', segment: seg({ seq: IRS, ack: ISS + 1, flags: SYN }) }, 1010);
    expect(synack.verdict).toBe('accepted');
    expect(synack.effects.map((e) => e.kind)).toContain('connected');
    expect(t.state).toBe('ESTABLISHED');

    const send = step(t, { kind: 'user', call: { op: 'send', data: new Uint8Array(10) } }, 1020);
    expect(send.result).toBe(10);
    const sent = send.effects.find((e) => e.kind === 'send');
    expect(sent?.kind === 'send' && sent.segment.payload.length).toBe(10);

    const abort = step(t, { kind: 'user', call: { op: 'abort' } }, 1030);
    expect(abort.effects.map((e) => e.kind)).toContain('release');
    expect(t.state).toBe('CLOSED');
  });
});
