// The pcap the Lab records (through the Lab API) is read back by tcpdump, and its TCP segment
// count matches the stack's counters (InSegs + OutSegs) over the recording.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import type { Result } from '../../core/api/errors.ts';
import { createLabNet, kernelPeer, sleep, type LabNet } from './lab-net.ts';
import { isRoot } from './netns.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-lab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe.skipIf(!isRoot)('the Lab\'s pcap against tcpdump (own namespace, real TUN)', () => {
  let ln: LabNet;
  let server: LabServer;
  beforeAll(async () => {
    ln = await createLabNet();
    server = new LabServer(ln.lab);
  });
  afterAll(async () => {
    server?.close();
    await ln?.cleanup();
  });

  it('records curl, an echo exchange and a refused connection; tcpdump -r reads exactly InSegs + OutSegs TCP packets', async () => {
    const api = createLocalClient(server);
    value(await api.call('listen', { port: 80, responder: 'http' }));
    value(await api.call('listen', { port: 7, responder: 'echo' }));
    const c0 = value(await api.call('snapshot')).counters;
    value(await api.call('pcapStart', { maxPackets: 100_000 }));
    expect((await ln.net.exec(['curl', '-sS', '--max-time', '5', `http://${ln.net.labAddr}/`])).code).toBe(0);
    const echo = await kernelPeer<{ got: number }>(ln.net, ['send', ln.net.labAddr, 7, 300_000, 4]);
    expect(echo.got).toBe(300_000);
    expect(await kernelPeer(ln.net, ['connect', ln.net.labAddr, 81])).toMatchObject({ error: 'ECONNREFUSED' });
    expect((await ln.net.exec(['ping', '-c', '2', '-i', '0.05', ln.net.labAddr])).code).toBe(0);
    await sleep(300); // the last ACKs of the closes
    const stop = value(await api.call('pcapStop'));
    const c1 = value(await api.call('snapshot')).counters;
    const segments = c1.InSegs - c0.InSegs + c1.OutSegs - c0.OutSegs;
    const exp = value(await api.call('pcapExport'));
    expect(exp.packets).toBe(stop.packets);
    const file = path.join(dir, 'lab.pcap');
    writeFileSync(file, Buffer.from(exp.pcap, 'base64'));
    const tcp = execFileSync('tcpdump', ['-r', file, '-nn', 'tcp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 })
      .trim().split('\n');
    const all = execFileSync('tcpdump', ['-r', file, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 })
      .trim().split('\n');
    expect(tcp).toHaveLength(segments);
    expect(all).toHaveLength(stop.packets);
    expect(all.length - tcp.length).toBe(4); // two echo requests, two replies
    expect(tcp.some((l) => /10\.77\.0\.1\.\d+ > 10\.77\.0\.2\.80: Flags \[S\]/.test(l))).toBe(true);
    expect(tcp.some((l) => /10\.77\.0\.2\.81 > 10\.77\.0\.1\.\d+: Flags \[R\.\]/.test(l))).toBe(true);
    expect(tcp.some((l) => /10\.77\.0\.2\.80 > 10\.77\.0\.1\.\d+: Flags \[P\.\].*HTTP/.test(l) || /10\.77\.0\.2\.80 > .*length [1-9]/.test(l))).toBe(true);
    await api.close();
  }, 30_000);
});
