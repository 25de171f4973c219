// The sequence-space view model: positions on the 32-bit circle and wraparound.
import { describe, expect, it } from 'vitest';
import { arc, relativeSeq, seqDistance, sequenceSpace, seqTurn, zoomPosition } from '../../core/api/views/gui-seqspace.ts';

describe('gui-seqspace', () => {
  it('measures distances modulo 2^32', () => {
    expect(seqDistance(10, 20)).toBe(10);
    expect(seqDistance(0xffff_fff0, 0x10)).toBe(0x20);
    expect(seqDistance(20, 10)).toBe(2 ** 32 - 10);
  });

  it('puts 0 at the top and 2^31 half way round', () => {
    expect(seqTurn(0)).toBe(0);
    expect(seqTurn(2 ** 31)).toBe(0.5);
    expect(seqTurn(2 ** 32 + 5)).toBe(seqTurn(5));
  });

  it('flags an arc that crosses 2^32 -> 0', () => {
    expect(arc('w', 0xffff_0000, 0x1_0000).wraps).toBe(true);
    expect(arc('w', 0xffff_0000, 0xffff).wraps).toBe(false);
    expect(arc('w', 0xffff_ff00, 65535).wraps).toBe(true);
  });

  it('builds both sides: in flight, usable window, receive window', () => {
    const s = sequenceSpace({ iss: 0xffff_ff00, irs: 5000, sndUna: 0xffff_ff01, sndNxt: 0x0000_0101, sndWnd: 65535, rcvNxt: 5001, rcvWnd: 64240 });
    const [inFlight, usable] = s.send.arcs;
    expect(inFlight.length).toBe(0x200);
    expect(inFlight.wraps).toBe(true);
    expect(usable.length).toBe(65535 - 0x200);
    expect(s.send.marks.map((m) => m.key)).toEqual(['ISS', 'SND.UNA', 'SND.NXT', 'SND.UNA+SND.WND']);
    expect(s.send.marks[2].offset).toBe(0x201);
    expect(s.receive.arcs[0]).toMatchObject({ start: 5001, length: 64240, wraps: false });
    // The zoom strip covers UNA .. UNA+WND with a margin, across the wrap.
    expect(zoomPosition(s.send, 0xffff_ff01)).toBeGreaterThan(0);
    expect(zoomPosition(s.send, (0xffff_ff01 + 65535) % 2 ** 32)).toBeLessThan(1);
  });

  it('gives relative sequence numbers like Wireshark', () => {
    expect(relativeSeq(1001, 1000)).toBe(1);
    expect(relativeSeq(5, 0xffff_fffe)).toBe(7);
    expect(relativeSeq(7, null)).toBe(7);
  });
});
