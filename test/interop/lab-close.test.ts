// Closing against the real kernel: half-close both ways (data keeps flowing after the first
// FIN), and the four-way close from each side with TIME-WAIT on the side that closed first
// (the kernel's in `ss -tan` inside the namespace, the lab's in its snapshot).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../core/api/events.ts';
import { createLabNet, hashIncoming, kernelPeer, kernelServer, kernelSockets, pattern, rowWhenState, sendAll, waitFor, type LabNet } from './lab-net.ts';
import { isRoot } from './netns.ts';

type Seg = Extract<LabEvent, { kind: 'segment' }>;

const segs = (events: LabEvent[]): Seg[] => events.filter((e): e is Seg => e.kind === 'segment');
const states = (events: LabEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'state' ? [`${e.from}>${e.to}`] : []));

describe.skipIf(!isRoot)('the Lab and the kernel: closing (own namespace, real TUN)', () => {
  let ln: LabNet;
  beforeAll(async () => {
    ln = await createLabNet();
    ln.lab.handlers.listen({ port: 7, backlog: 128, responder: 'echo' });
  });
  afterAll(async () => {
    await ln?.cleanup();
  });

  it('half-close by the kernel: its FIN first, the lab still sends 2 MiB after it; then the four-way close leaves the kernel in TIME-WAIT', async () => {
    const r = await kernelPeer<{ sent: number; sentSha: string; got: number; gotSha: string }>(ln.net, ['send', ln.net.labAddr, 7, 2 << 20, 3]);
    expect(r.got).toBe(2 << 20);
    expect(r.gotSha).toBe(r.sentSha);
    // The lab's side of that connection: the kernel's FIN came in, data went out after it.
    const conn = segs(ln.lab.history.since(0)).find((e) => e.dir === 'in' && e.segment.flags === 'S' && e.segment.dstPort === 7)?.conn as number;
    const events = ln.lab.connectionHistory(conn, 100_000);
    const finIn = events.findIndex((e) => e.kind === 'segment' && e.dir === 'in' && e.segment.flags.includes('F'));
    expect(finIn).toBeGreaterThan(0);
    const dataAfter = segs(events.slice(finIn)).filter((e) => e.dir === 'out' && e.segment.len > 0);
    expect(dataAfter.length).toBeGreaterThan(0);
    expect(states(events)).toEqual(['CLOSED>SYN-RECEIVED', 'SYN-RECEIVED>ESTABLISHED', 'ESTABLISHED>CLOSE-WAIT', 'CLOSE-WAIT>LAST-ACK', 'LAST-ACK>CLOSED']);
    const tw = (await kernelSockets(ln.net)).filter((l) => l.startsWith('TIME-WAIT') && l.includes(`${ln.net.labAddr}:7`));
    expect(tw).toHaveLength(1);
  });

  it('half-close by the lab: its FIN first, the kernel still sends 1 MiB after it; then the lab is in TIME-WAIT (snapshot)', async () => {
    const srv = await kernelServer<{ got: number; gotSha: string; sent: number; sentSha: string }>(ln.net, [9201, 'answer', 1 << 20, 8]);
    let id: number | null = null;
    const timeWait = rowWhenState(ln.lab, 'TIME-WAIT', () => id);
    const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: 9201, responder: 'manual' }) as { conn: number };
    id = conn;
    const sock = ln.lab.socket(conn);
    const incoming = hashIncoming(sock, false);
    const sent = await sendAll(sock, pattern(300_000, 9), 'shutdown');
    const [got, k] = await Promise.all([incoming, srv.result]);
    expect(k.gotSha).toBe(sent.sha);
    expect(got).toMatchObject({ bytes: 1 << 20, sha: k.sentSha, eof: true });
    const tw = await timeWait;
    const events = ln.lab.connectionHistory(conn, 100_000);
    const finOut = events.findIndex((e) => e.kind === 'segment' && e.dir === 'out' && e.segment.flags.includes('F'));
    expect(segs(events.slice(finOut)).filter((e) => e.dir === 'in' && e.segment.len > 0).length).toBeGreaterThan(0);
    // TIME-WAIT may end early: a FIN the kernel retransmitted (tail loss probe) gets our
    // duplicate ACK after the kernel's socket is gone; its RST ends TIME-WAIT (tcp_rfc1337=0, as Linux).
    expect(states(events).slice(0, 5)).toEqual(['CLOSED>SYN-SENT', 'SYN-SENT>ESTABLISHED', 'ESTABLISHED>FIN-WAIT-1', 'FIN-WAIT-1>FIN-WAIT-2', 'FIN-WAIT-2>TIME-WAIT']);
    expect(tw).toMatchObject({ id: conn, state: 'TIME-WAIT', timer: { name: 'time-wait' } });
    expect(tw.timer?.expiresIn).toBeGreaterThan(59_000);
    expect((await kernelSockets(ln.net)).filter((l) => l.includes(':9201') && l.startsWith('TIME-WAIT'))).toEqual([]);
  });

  it('four-way close from the lab (close after sending): the lab in TIME-WAIT, the kernel through CLOSE-WAIT/LAST-ACK', async () => {
    const srv = await kernelServer<{ got: number }>(ln.net, [9202, 'hold', 0.3]);
    let id: number | null = null;
    const timeWait = rowWhenState(ln.lab, 'TIME-WAIT', () => id);
    const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: 9202, responder: 'manual' }) as { conn: number };
    id = conn;
    const sock = ln.lab.socket(conn);
    await waitFor(() => sock.state === 'ESTABLISHED', 5000, 'ESTABLISHED');
    ln.lab.handlers.send({ conn, data: 'bye', encoding: 'utf8' });
    ln.lab.handlers.close({ conn });
    await waitFor(() => sock.state === 'FIN-WAIT-2', 5000, 'FIN-WAIT-2');
    const waiting = (await kernelSockets(ln.net)).filter((l) => l.includes(':9202') && !l.startsWith('LISTEN'));
    expect(waiting).toEqual([expect.stringMatching(/^CLOSE-WAIT/)]);
    expect((await srv.result).got).toBe(3);
    expect(await timeWait).toMatchObject({ id: conn, state: 'TIME-WAIT', orphan: true, timer: { name: 'time-wait' } });
    expect(states(ln.lab.connectionHistory(conn)).slice(0, 5)).toEqual(['CLOSED>SYN-SENT', 'SYN-SENT>ESTABLISHED', 'ESTABLISHED>FIN-WAIT-1', 'FIN-WAIT-1>FIN-WAIT-2', 'FIN-WAIT-2>TIME-WAIT']);
  });

  it('four-way close from the lab\'s listener side: HTTP with Connection: close leaves the lab in TIME-WAIT, not curl', async () => {
    ln.lab.handlers.listen({ port: 80, backlog: 16, responder: 'http' });
    const timeWait = rowWhenState(ln.lab, 'TIME-WAIT');
    const r = await ln.net.exec(['curl', '-sS', '--max-time', '5', '-H', 'Connection: close', `http://${ln.net.labAddr}/`]);
    expect(r.code).toBe(0);
    expect(await timeWait).toMatchObject({ localPort: 80, state: 'TIME-WAIT', responder: 'http' });
    expect((await kernelSockets(ln.net)).filter((l) => l.includes(`${ln.net.labAddr}:80`) && l.startsWith('TIME-WAIT'))).toEqual([]);
  });
});
