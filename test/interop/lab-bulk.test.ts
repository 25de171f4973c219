// 64 MiB each way between the lab and the kernel with identical SHA-256, at MTU 1500 and at
// MTU 65000 (both ends then advertise MSS 64960), on a clean wire and with 1% random loss plus
// reordering from the lab's fault injector (both directions), and at MTU 1500 with TUN offloads
// (64 KB GSO super-segments both ways, core/link/offload.ts). Each transfer is bounded in time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptOne, createLabNet, hashIncoming, kernelPeer, kernelServer, pattern, sendAll, waitFor, type LabNet,
} from './lab-net.ts';
import { isRoot } from './netns.ts';

const SIZE = 64 << 20;
const TRANSFER_MS = 60_000;
const data = pattern(SIZE, 0x7e57);

interface SendResult { sent: number; sentSha: string; got: number; secs: number }
interface SinkResult { got: number; gotSha: string; secs: number }

/** Measured rates, printed at the end (tests assert correctness, not speed). */
const rates: string[] = [];
afterAll(() => {
  if (rates.length > 0) console.log(`bulk transfers (64 MiB):\n  ${rates.join('\n  ')}`);
});

function mbit(bytes: number, ms: number): string {
  return `${((bytes * 8) / ms / 1000).toFixed(0)} Mbit/s`;
}

for (const [mtu, offload] of [[1500, false], [65000, false], [1500, true]] as const) {
  describe.skipIf(!isRoot)(`64 MiB each way at MTU ${mtu}${offload ? ' with TUN offloads (GSO)' : ''}`, () => {
    let ln: LabNet;
    let port = 6000;
    beforeAll(async () => {
      ln = await createLabNet({ mtu, offload });
    });
    afterAll(async () => {
      await ln?.cleanup();
    });

    async function kernelToLab(label: string): Promise<void> {
      const p = port++;
      const { listener } = ln.lab.handlers.listen({ port: p, backlog: 4, responder: 'manual' }) as { listener: number };
      const t0 = performance.now();
      const client = kernelPeer<SendResult>(ln.net, ['send', ln.net.labAddr, p, SIZE, 42], TRANSFER_MS);
      const conn = await acceptOne(ln.lab, listener);
      // Both ends offered the MSS the MTU allows.
      const info = ln.lab.socket(conn).info();
      expect([info.advMss, info.peerMss]).toEqual([mtu - 40, mtu - 40]);
      const got = await hashIncoming(ln.lab.socket(conn));
      const k = await client;
      const ms = performance.now() - t0;
      rates.push(`MTU ${mtu}${offload ? ' offload' : ''} kernel -> lab ${label}: ${(ms / 1000).toFixed(2)} s, ${mbit(SIZE, ms)}`);
      expect(k.sent).toBe(SIZE);
      expect(got).toMatchObject({ bytes: SIZE, eof: true, error: null });
      expect(got.sha).toBe(k.sentSha);
      ln.lab.handlers.unlisten({ listener });
    }

    async function labToKernel(label: string): Promise<void> {
      const p = port++;
      const srv = await kernelServer<SinkResult>(ln.net, [p, 'sink']);
      const t0 = performance.now();
      const { conn } = ln.lab.handlers.connect({ addr: ln.net.kernelAddr, port: p, responder: 'manual' }) as { conn: number };
      const sock = ln.lab.socket(conn);
      await waitFor(() => sock.state !== 'SYN-SENT', 5000, 'the handshake');
      const info = sock.info();
      expect([info.advMss, info.peerMss]).toEqual([mtu - 40, mtu - 40]);
      const sent = await sendAll(sock, data, 'close');
      const k = await srv.result;
      const ms = performance.now() - t0;
      rates.push(`MTU ${mtu}${offload ? ' offload' : ''} lab -> kernel ${label}: ${(ms / 1000).toFixed(2)} s, ${mbit(SIZE, ms)}`);
      expect(sent.sent).toBe(SIZE);
      expect(k.got).toBe(SIZE);
      expect(k.gotSha).toBe(sent.sha);
    }

    it('kernel -> lab, clean wire', () => kernelToLab('clean'), TRANSFER_MS + 10_000);
    it('lab -> kernel, clean wire', () => labToKernel('clean'), TRANSFER_MS + 10_000);

    describe('with 1% random loss and 1% reordering (both directions)', () => {
      beforeAll(() => {
        ln.lab.handlers.faultRandom({ random: { seed: mtu, loss: 0.01, reorder: 0.01, reorderMaxMs: 20 } });
      });
      afterAll(() => {
        ln.lab.handlers.faultRandom({ random: null });
      });

      it('kernel -> lab', async () => {
        const before = ln.lab.faults.status().counts;
        await kernelToLab('1% loss + reorder');
        const after = ln.lab.faults.status().counts;
        expect(after.dropped - before.dropped).toBeGreaterThan(0);
        expect(after.reordered - before.reordered).toBeGreaterThan(0);
      }, TRANSFER_MS + 10_000);

      it('lab -> kernel', async () => {
        const before = ln.lab.faults.status().counts;
        await labToKernel('1% loss + reorder');
        const after = ln.lab.faults.status().counts;
        expect(after.dropped - before.dropped).toBeGreaterThan(0);
        expect(after.reordered - before.reordered).toBeGreaterThan(0);
      }, TRANSFER_MS + 10_000);
    });

    it.runIf(offload)('used the offloads: super-segments in, GSO packets out', () => {
      const st = ln.net.tun?.stats();
      expect(st?.rxGso).toBeGreaterThan(0);
      expect(st?.txMerged).toBeGreaterThan(0);
    });
  });
}
