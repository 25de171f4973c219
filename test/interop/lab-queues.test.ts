// Listen queues against real kernel clients: accept-queue overflow with tcp_abort_on_overflow 0
// (the handshake-completing ACK is dropped; the client believes it is connected and waits) and 1
// (the client gets an RST: ECONNRESET), and a bounded SYN flood from hping3 inside the namespace
// against a listener with SYN cookies on while a real curl still gets its page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabNet, kernelPeer, sleep, waitFor, type LabNet } from './lab-net.ts';
import { isRoot, run } from './netns.ts';

interface Client { connected: boolean; connectedAt: number | null; reply: boolean; replyAt?: number; error: string | null }

const hasHping3 = (await run(['sh', '-c', 'command -v hping3'])).code === 0;

function table(title: string, clients: Client[]): string {
  const rows = clients.map((c, i) => `  client ${i + 1}: ${c.connected ? `connected at ${c.connectedAt} s` : 'never connected'}, ` +
    `${c.reply ? `echo at ${c.replyAt} s` : 'no echo'}${c.error !== null ? `, error ${c.error}` : ''}`);
  return `${title}\n${rows.join('\n')}`;
}

describe.skipIf(!isRoot)('the Lab\'s listen queues against kernel clients (own namespace, real TUN)', () => {
  let ln: LabNet;
  beforeAll(async () => {
    ln = await createLabNet();
  });
  afterAll(async () => {
    await ln?.cleanup();
  });

  /**
   * backlog 2, accepting paused: two clients connect one after the other (the accept queue holds
   * them), then two at once: both SYNs are admitted, the first ACK takes the third and last place
   * (Linux: full means more than backlog), the second ACK meets a full queue. After 1.5 s the lab
   * resumes accepting.
   */
  async function overflow(port: number, abort: 0 | 1): Promise<{ clients: Client[]; overflows: number; rsts: number }> {
    ln.lab.handlers.setKnob({ name: 'tcp_abort_on_overflow', value: abort });
    const { listener } = ln.lab.handlers.listen({ port, backlog: 2, responder: 'echo' }) as { listener: number };
    ln.lab.handlers.pauseAccept({ listener });
    const c0 = ln.lab.stack.counters.all();
    const result = kernelPeer<{ clients: Client[] }>(ln.net, ['overflow', ln.net.labAddr, port, 4, 8, 2], 30_000);
    await waitFor(() => ln.lab.stack.counters.get('ListenOverflows') > c0.ListenOverflows, 5000, 'an overflow');
    await sleep(1500);
    const l = ln.lab.snapshot().listeners.find((x) => x.id === listener);
    expect(l).toMatchObject({ paused: true, acceptQueue: 3, acceptQueueLimit: 3, backlog: 2 });
    ln.lab.handlers.resumeAccept({ listener });
    const { clients } = await result;
    const c1 = ln.lab.stack.counters.all();
    ln.lab.handlers.unlisten({ listener });
    return { clients, overflows: c1.ListenOverflows - c0.ListenOverflows, rsts: c1.OutRsts - c0.OutRsts };
  }

  it('tcp_abort_on_overflow=0: the overflowing client is "connected" but waits; after accepting resumes, a retransmission (its data, or our SYN-ACK) gets it in', async () => {
    const r = await overflow(7100, 0);
    console.log(table('accept-queue overflow, tcp_abort_on_overflow=0 (backlog 2, accepting resumed at ~1.5 s):', r.clients));
    expect(r.clients.every((c) => c.connected && c.reply && c.error === null)).toBe(true);
    expect(r.overflows).toBeGreaterThanOrEqual(1);
    // The one whose ACK was dropped gets its echo last, only after one of the two sides retransmitted.
    const times = r.clients.map((c) => c.replyAt ?? 0).sort((a, b) => a - b);
    expect(times[3] - times[2]).toBeGreaterThan(0.05);
  }, 30_000);

  it('tcp_abort_on_overflow=1: the overflowing client gets an RST (ECONNRESET); the others are served after the resume', async () => {
    const r = await overflow(7101, 1);
    console.log(table('accept-queue overflow, tcp_abort_on_overflow=1 (backlog 2, accepting resumed at ~1.5 s):', r.clients));
    const reset = r.clients.filter((c) => c.error !== null);
    expect(reset).toHaveLength(1);
    // Its handshake completed on its side (the SYN-ACK came), but the RST follows its ACK within
    // microseconds, so the client may read ECONNRESET from connect()'s SO_ERROR or from recv().
    expect(reset[0]).toMatchObject({ reply: false, error: 'ECONNRESET' });
    expect(r.clients.filter((c) => c.reply)).toHaveLength(3);
    expect(r.overflows).toBe(1);
    expect(r.rsts).toBeGreaterThanOrEqual(1);
  }, 30_000);

  /** A bounded hping3 SYN flood (random sources, inside the namespace) while curl asks for the page. */
  async function floodAndCurl(port: number, cookies: 0 | 1): Promise<{ curl: number | null; stdout: string; sent: number; synQueue: number | undefined }> {
    ln.lab.handlers.listen({ port, backlog: 128, responder: 'http' });
    ln.lab.handlers.setKnob({ name: 'tcp_syncookies', value: cookies });
    const c0 = ln.lab.stack.counters.all();
    const flood = ln.net.spawn(['hping3', '-q', '-S', '--rand-source', '-c', '20000', '-i', 'u50', '-p', String(port), ln.net.labAddr]);
    const floodDone = new Promise<number | null>((resolve) => flood.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => ln.lab.stack.counters.get('InSegs') - c0.InSegs > 2000, 10_000, 'the flood');
      const r = await ln.net.exec(['curl', '-sS', '--max-time', '4', `http://${ln.net.labAddr}:${port}/`]);
      const synQueue = ln.lab.snapshot().listeners.find((l) => l.port === port)?.synQueue;
      return { curl: r.code, stdout: r.stdout, sent: ln.lab.stack.counters.get('SyncookiesSent') - (c0.SyncookiesSent ?? 0), synQueue };
    } finally {
      await Promise.race([floodDone, sleep(30_000)]);
      if (flood.exitCode === null && flood.pid !== undefined) process.kill(flood.pid, 'SIGKILL');
    }
  }

  it.skipIf(!hasHping3)('a bounded SYN flood from hping3 (random sources) with tcp_syncookies=1: a real curl still gets its page', async () => {
    const r = await floodAndCurl(7200, 1);
    console.log(`SYN flood, tcp_syncookies=1: curl exit ${r.curl}; SYN queue ${r.synQueue}; SyncookiesSent ${r.sent}`);
    expect(r.curl).toBe(0);
    expect(r.stdout).toContain('Hello from tcplab');
    expect(r.sent).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!hasHping3)('the same flood with tcp_syncookies=0: the SYN queue fills with half-open requests and curl times out', async () => {
    const r = await floodAndCurl(7201, 0);
    console.log(`SYN flood, tcp_syncookies=0: curl exit ${r.curl}; SYN queue ${r.synQueue}; SyncookiesSent ${r.sent}`);
    expect(r.curl).toBe(28);
    expect(r.sent).toBe(0);
    expect(r.synQueue).toBeGreaterThan(0);
  }, 60_000);
});
