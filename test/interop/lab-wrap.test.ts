// More than 2 GiB on one connection, each way, at MTU 65000: sequence numbers travel more than
// half the sequence space from the ISS (and usually wrap past 2^32). Bounded: 2.25 GiB each way,
// at most 60 s each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, serverOutput, tcpTool } from './kernel-tools.ts';
import type { Socket } from '../../core/stack/socket.ts';
import { acceptOne, createLabNet, type LabNet } from './lab-net.ts';
import { isRoot } from './netns.ts';

const BYTES = 2.25 * 2 ** 30;
const LIMIT_MS = 60_000;

/** Read a lab socket to EOF, counting (hashing 2 GiB would dominate the test's time). */
function countIncoming(sock: Socket): Promise<{ bytes: number; eof: boolean }> {
  let bytes = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      for (let d = sock.read(); d !== null; d = sock.read()) {
        if (d.length === 0) {
          sock.close();
          resolve({ bytes, eof: true });
          return;
        }
        bytes += d.length;
      }
    };
    sock.on('readable', pump);
    sock.on('end', pump);
    sock.on('close', () => resolve({ bytes, eof: false }));
    pump();
  });
}

describe.skipIf(!isRoot)('more than 2 GiB on one connection (MTU 65000, own namespace)', () => {
  let ln: LabNet;
  beforeAll(async () => {
    ln = await createLabNet({ mtu: 65000 });
  });
  afterAll(async () => {
    await ln?.cleanup();
  });

  it('kernel -> lab: 2.25 GiB arrive, in order', async () => {
    const { listener } = ln.lab.handlers.listen({ port: 5101, backlog: 4, responder: 'manual' }) as { listener: number };
    const client = ln.net.exec([tcpTool(), 'sendn', ln.net.labAddr, '5101', String(BYTES)], { timeoutMs: LIMIT_MS });
    const conn = await acceptOne(ln.lab, listener);
    const got = await countIncoming(ln.lab.socket(conn));
    const r = jsonOf<{ sent: number }>(await client);
    expect(r.sent).toBe(BYTES);
    expect(got).toEqual({ bytes: BYTES, eof: true });
  }, LIMIT_MS + 10_000);

  // Found here: the sender stalled for good after 2^31 bytes (Tcb.sndQSeq compared SND.UNA with
  // the ISS modulo 2^32); fixed with F_SYN_ACKED. A stalled sender ends the test early.
  it('lab -> kernel: 2.25 GiB arrive', async () => {
    const sink = serverOutput<{ got: number }>(ln.net.spawn([tcpTool(), 'sink', ln.net.kernelAddr, '5102']));
    await sink.ready;
    const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: 5102, responder: 'manual' }) as { conn: number };
    const sock = ln.lab.socket(conn);
    const block = new Uint8Array(1 << 20).fill(0x61);
    let written = 0;
    const push = (): void => {
      while (written < BYTES) {
        const n = sock.write(block.subarray(0, Math.min(block.length, BYTES - written)));
        written += n;
        if (n === 0) return;
      }
      if (sock.state === 'ESTABLISHED') sock.close();
    };
    sock.on('connect', push);
    sock.on('drain', push);
    // A stalled sender (no new data acknowledged for 3 s) ends the test early.
    const started = performance.now();
    let lastUna = -1;
    let stalledSince = started;
    const stalled = new Promise<null>((resolve) => {
      const t = setInterval(() => {
        const una = sock.state === 'CLOSED' ? lastUna : sock.info().sndUna;
        if (una !== lastUna) {
          lastUna = una;
          stalledSince = performance.now();
        } else if (performance.now() - stalledSince > 3000 || performance.now() - started > LIMIT_MS) {
          clearInterval(t);
          resolve(null);
        }
      }, 250);
      void sink.result.finally(() => clearInterval(t));
    });
    const result = await Promise.race([sink.result, stalled]);
    if (sock.state !== 'CLOSED') sock.abort();
    expect(result?.got).toBe(BYTES);
  }, LIMIT_MS + 10_000);
});
