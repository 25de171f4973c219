import { describe, expect, it } from 'vitest';
import { acceptQueueFull, admitEstablished, admitSyn, addHalfOpen, ListenQueue, moveToAcceptQueue, takeAccepted } from '../../../core/listen/listener.ts';
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { B_ADDR, makeNet } from '../stack/net.ts';

const limits = { somaxconn: 4096, maxSynBacklog: 1024, abortOnOverflow: false };
const tcb = (i: number): Tcb => new Tcb(i, defaultTcpConfig(), 1, 80, 2, 40000 + i);

describe('listen queues (Linux semantics)', () => {
  it('the accept queue holds backlog + 1 (sk_acceptq_is_full uses >)', () => {
    const q = new ListenQueue(1, 80, 2);
    for (let i = 0; i < 3; i++) {
      expect(acceptQueueFull(q, limits)).toBe(false);
      const t = tcb(i);
      addHalfOpen(q, t);
      moveToAcceptQueue(q, t);
    }
    expect(q.synLength).toBe(0);
    expect(acceptQueueFull(q, limits)).toBe(true);
    expect(admitSyn(q, limits)).toBe('drop: accept queue full');
    expect(admitEstablished(q, limits)).toBe('drop');
    expect(admitEstablished(q, { ...limits, abortOnOverflow: true })).toBe('reset');
    expect(takeAccepted(q)).not.toBeNull();
    expect(acceptQueueFull(q, limits)).toBe(false);
  });

  it('SYN queue: full at backlog entries; tcp_max_syn_backlog keeps a quarter in reserve; somaxconn caps backlog', () => {
    const q = new ListenQueue(1, 80, 100);
    const small = { ...limits, maxSynBacklog: 8 };
    for (let i = 0; i < 7; i++) {
      expect(admitSyn(q, small)).toBe('accept');
      addHalfOpen(q, tcb(i));
    }
    expect(admitSyn(q, small)).toBe('drop: SYN backlog 3/4 used');
    const q2 = new ListenQueue(2, 81, 100);
    addHalfOpen(q2, tcb(50));
    expect(admitSyn(q2, { ...limits, somaxconn: 1 })).toBe('drop: SYN queue full');
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
