import { describe, expect, it } from 'vitest';
import {
  acceptQueueFull, addRequest, admitEstablished, admitSyn, ListenQueue, pushAcceptQueue, recentOverflow, removeRequest, requestAged,
  synQueueLimit, takeAccepted,
} from '../../../core/listen/listener.ts';
import type { ListenLimits } from '../../../core/listen/listener.ts';
import { R_YOUNG, SynRequest } from '../../../core/listen/request.ts';
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { seq } from '../../../core/wire/seq.ts';
import { makeSegment, SYN } from '../../../core/wire/tcp.ts';
import { B_ADDR, makeNet } from '../stack/net.ts';

const limits: ListenLimits = { somaxconn: 4096, maxSynBacklog: 1024, abortOnOverflow: false, syncookies: 0, mode: 'queue' };
const tcb = (i: number): Tcb => new Tcb(i, defaultTcpConfig(), 1, 80, 2, 40000 + i);
const req = (i: number): SynRequest => new SynRequest({
  id: i, localAddr: 1, localPort: 80, remoteAddr: 2, remotePort: 40000 + i, iss: seq(1000), tsOffset: 0, ourMss: 1460, rcvWnd: 65535,
  rcvWscale: 7, timestamps: true, sack: true, windowScaling: true,
}, makeSegment({ srcPort: 40000 + i, dstPort: 80, seq: seq(i), flags: SYN, window: 65535 }), 0);

describe('listen queues (Linux semantics)', () => {
  it('the accept queue holds backlog + 1 (sk_acceptq_is_full uses >)', () => {
    const q = new ListenQueue(1, 80, 2);
    for (let i = 0; i < 3; i++) {
      expect(acceptQueueFull(q, limits)).toBe(false);
      pushAcceptQueue(q, tcb(i));
    }
    expect(acceptQueueFull(q, limits)).toBe(true);
    expect(admitSyn(q, limits)).toBe('drop: accept queue full');
    // The accept-queue rule holds with cookies too (tcp_conn_request checks it after the cookie decision).
    addRequest(q, req(1));
    addRequest(q, req(2));
    expect(admitSyn(q, { ...limits, syncookies: 1 })).toBe('drop: accept queue full');
    expect(admitEstablished(q, limits)).toBe('drop');
    expect(admitEstablished(q, { ...limits, abortOnOverflow: true })).toBe('reset');
    expect(takeAccepted(q)).not.toBeNull();
    expect(acceptQueueFull(q, limits)).toBe(false);
  });

  it('SYN queue: full at backlog requests; cookies 0/1/2; tcp_max_syn_backlog keeps a quarter in reserve without cookies; somaxconn caps backlog', () => {
    const q = new ListenQueue(1, 80, 2);
    expect(admitSyn(q, { ...limits, syncookies: 2 })).toBe('cookie: tcp_syncookies=2');
    addRequest(q, req(1));
    addRequest(q, req(2));
    expect(admitSyn(q, limits)).toBe('drop: SYN queue full');
    expect(admitSyn(q, { ...limits, syncookies: 1 })).toBe('cookie: SYN queue full');
    expect(admitSyn(q, limits, true)).toBe('request'); // a SYN that recycled a TIME-WAIT connection
    expect(admitSyn(q, { ...limits, mode: 'cache' })).toBe('request'); // the SYN cache evicts instead
    expect(synQueueLimit(q, limits)).toBe(2);
    expect(synQueueLimit(q, { ...limits, syncookies: 2 })).toBe(0);
    const big = new ListenQueue(2, 81, 100);
    const small = { ...limits, maxSynBacklog: 8 };
    for (let i = 0; i < 7; i++) {
      expect(admitSyn(big, small)).toBe('request');
      addRequest(big, req(10 + i));
    }
    expect(admitSyn(big, small)).toBe('drop: tcp_max_syn_backlog');
    expect(synQueueLimit(big, small)).toBe(7);
    expect(admitSyn(big, { ...small, syncookies: 1 })).toBe('request'); // the rule is for tcp_syncookies=0 only
    const q2 = new ListenQueue(3, 82, 100);
    addRequest(q2, req(50));
    expect(admitSyn(q2, { ...limits, somaxconn: 1 })).toBe('drop: SYN queue full');
  });

  it('the SYN queue is a list, oldest first; young requests are counted until their first SYN-ACK timeout', () => {
    const q = new ListenQueue(1, 80, 8);
    const [a, b, c] = [req(1), req(2), req(3)];
    for (const r of [a, b, c]) addRequest(q, r);
    expect(q.oldestRequests(2)).toEqual([a, b]);
    expect(q.young).toBe(3);
    requestAged(q, a);
    requestAged(q, a);
    expect(q.young).toBe(2);
    expect(a.flags & R_YOUNG).toBe(0);
    removeRequest(q, b);
    expect(q.oldestRequests(8)).toEqual([a, c]);
    expect([q.synLength, q.young]).toEqual([2, 1]);
    removeRequest(q, a);
    removeRequest(q, c);
    expect([q.synLength, q.young, q.synHead, q.synTail]).toEqual([0, 0, null, null]);
  });

  it('a recent overflow (a cookie sent) makes ACKs to the listener cookie candidates for two cookie periods', () => {
    const q = new ListenQueue(1, 80, 8);
    expect(recentOverflow(q, 0, 120_000)).toBe(false);
    q.lastOverflowAt = 10_000;
    expect(recentOverflow(q, 9_000, 120_000)).toBe(true);
    expect(recentOverflow(q, 130_000, 120_000)).toBe(true);
    expect(recentOverflow(q, 130_001, 120_000)).toBe(false);
  });
});

describe('listeners on a stack', () => {
  it('accept queue overflow: the completing ACK is dropped (ListenOverflows) and the SYN-ACK retried', () => {
    const { a, b, rt } = makeNet();
    const l = b.listen(80, 2); // the accept queue holds 3
    a.connect(B_ADDR, 80);
    a.connect(B_ADDR, 80);
    rt.advance(50);
    // Two SYNs admitted together while 2 wait: the first ACK fills the queue, the second overflows.
    const c3 = a.connect(B_ADDR, 80);
    const c4 = a.connect(B_ADDR, 80);
    rt.advance(50);
    expect(c3.state).toBe('ESTABLISHED');
    expect(c4.state).toBe('ESTABLISHED'); // the client believes it
    expect(b.counters.get('ListenOverflows')).toBe(1);
    expect(b.snapshot().connections.filter((r) => r.state === 'SYN-RECEIVED')).toHaveLength(1);
    expect(l.accept()).not.toBeNull();
    rt.advance(1500); // the SYN-ACK retransmission is ACKed again, now there is room
    expect(b.snapshot().connections.filter((r) => r.state === 'SYN-RECEIVED')).toHaveLength(0);
    for (let i = 0; i < 3; i++) expect(l.accept()).not.toBeNull();
    expect(l.accept()).toBeNull();
  });

  it('tcp_abort_on_overflow=1: the completing ACK is answered with RST', () => {
    const { a, b, rt } = makeNet({ knobsB: { tcp_abort_on_overflow: 1 } });
    b.listen(80, 2);
    a.connect(B_ADDR, 80);
    a.connect(B_ADDR, 80);
    rt.advance(50);
    const c3 = a.connect(B_ADDR, 80);
    const c4 = a.connect(B_ADDR, 80);
    rt.advance(50);
    expect(c3.state).toBe('ESTABLISHED');
    expect(c4.state).toBe('CLOSED');
    expect(c4.error).toBe('ECONNRESET');
  });

  it('closing a listener resets the connections waiting in its accept queue', () => {
    const { a, b, rt } = makeNet();
    const l = b.listen(80, 5);
    const c = a.connect(B_ADDR, 80);
    rt.advance(20);
    l.close();
    rt.advance(20);
    expect(c.state).toBe('CLOSED');
    expect(c.error).toBe('ECONNRESET');
    expect(() => b.listen(80, 5)).not.toThrow();
    expect(() => b.listen(80, 5)).toThrow(/EADDRINUSE|already/);
  });

  it('onAcceptable fires when a connection enters the accept queue', () => {
    const { a, b, rt } = makeNet();
    const l = b.listen(80, 5);
    let n = 0;
    l.onAcceptable(() => n++);
    a.connect(B_ADDR, 80);
    rt.advance(20);
    expect(n).toBe(1);
  });
});
