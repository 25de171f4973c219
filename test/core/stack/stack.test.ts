import { describe, expect, it } from 'vitest';
import { A_ADDR, B_ADDR, makeNet } from './net.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null): string => (b === null ? '<null>' : new TextDecoder().decode(b));

describe('two stacks over a memory wire', () => {
  it('handshake, data both ways, four-way close, TIME-WAIT for 2*MSL', () => {
    const { a, b, rt } = makeNet();
    const l = b.listen(80, 16);
    const c = a.connect(B_ADDR, 80);
    rt.runUntil(() => c.state === 'ESTABLISHED');
    rt.advance(5);
    const s = l.accept();
    expect(s).not.toBeNull();
    if (s === null) return;
    expect(s.state).toBe('ESTABLISHED');
    expect(s.remoteAddr).toBe(A_ADDR);
    expect(c.write(enc('hello'))).toBe(5);
    rt.advance(10);
    expect(dec(s.read())).toBe('hello');
    s.write(enc('world'));
    rt.advance(10);
    expect(dec(c.read())).toBe('world');
    c.close();
    rt.advance(10);
    expect(c.state).toBe('FIN-WAIT-2');
    expect(s.state).toBe('CLOSE-WAIT');
    expect(s.read()?.length).toBe(0); // EOF
    s.close();
    rt.advance(10);
    expect(s.state).toBe('CLOSED');
    expect(c.state).toBe('TIME-WAIT');
    rt.advance(59_000);
    expect(c.state).toBe('TIME-WAIT');
    rt.advance(2_000);
    expect(c.state).toBe('CLOSED');
    const h = a.history(c.id).map((e) => e.state);
    expect(h).toEqual(['SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSED']);
    expect(a.counters.get('ActiveOpens')).toBe(1);
    expect(b.counters.get('PassiveOpens')).toBe(1);
    expect(b.counters.get('CurrEstab')).toBe(0);
  });

  it('RST for a closed port: connect fails with ECONNREFUSED', () => {
    const { a, b, rt } = makeNet();
    const c = a.connect(B_ADDR, 81);
    let err: string | null = null;
    c.on('error', (e) => (err = e));
    rt.advance(10);
    expect(c.state).toBe('CLOSED');
    expect(err).toBe('ECONNREFUSED');
    expect(b.counters.get('OutRsts')).toBe(1);
    const ev = b.events.since(0).find((e) => e.kind === 'segment' && e.dir === 'in');
    expect(ev && ev.kind === 'segment' ? ev.verdict : '').toBe('rst: port closed');
  });

  it('snapshot rows and events are plain JSON', () => {
    const { a, b, rt } = makeNet();
    b.listen(80, 4);
    a.connect(B_ADDR, 80);
    rt.advance(10);
    const snap = JSON.parse(JSON.stringify(b.snapshot()));
    expect(snap.listeners[0]).toMatchObject({ state: 'LISTEN', acceptQueue: 1, synQueue: 0 });
    expect(snap.connections[0]).toMatchObject({ state: 'ESTABLISHED', local: '10.77.0.2:80' });
    const texts = a.events.since(0).filter((e) => e.kind === 'segment').map((e) => (e.kind === 'segment' ? e.segment.text : ''));
    expect(texts[0]).toMatch(/^10\.77\.0\.1\.\d+ > 10\.77\.0\.2\.80: Flags \[S\], seq \d+, win 65535, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 7\], length 0$/);
  });
});
