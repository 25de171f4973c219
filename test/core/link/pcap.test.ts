import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePcap, LINKTYPE_RAW, PcapRecorder } from '../../../core/link/pcap.ts';
import { ManualScheduler } from '../../../core/link/timing.ts';
import { addr, buildEcho } from '../../interop/icmp-echo.ts';
import { FakeLink } from './fake-link.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hasTcpdump(): boolean {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tcpdump(file: string, ...flags: string[]): string[] {
  return execFileSync('tcpdump', ['-r', file, '-nn', ...flags], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l.length > 0);
}

const KERNEL = addr('10.77.0.1');
const LAB = addr('10.77.0.2');
const ping = (seq: number, size = 56): Uint8Array =>
  buildEcho({ type: 8, src: KERNEL, dst: LAB, id: 7, seq, payload: new Uint8Array(size).fill(seq & 255) });
const pong = (seq: number): Uint8Array => buildEcho({ type: 0, src: LAB, dst: KERNEL, id: 7, seq, payload: new Uint8Array(56) });

/** A recorder on a fake link, anchored at epoch 1700000000.000 s when the manual clock reads 0. */
function setup(): { link: FakeLink; rec: PcapRecorder; clock: ManualScheduler } {
  const link = new FakeLink();
  const clock = new ManualScheduler(0);
  const rec = new PcapRecorder(link, { clock, wallClockMs: () => 1_700_000_000_000 });
  rec.onReceive(() => {});
  return { link, rec, clock };
}

describe('encodePcap', () => {
  it('writes the classic header with LINKTYPE_RAW and one record header per packet', () => {
    const bytes = encodePcap([{ sec: 5, nsec: 123_456_789, data: new Uint8Array([1, 2, 3]), origLength: 10 }], 65535, 'us');
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(v.getUint32(20, true)).toBe(LINKTYPE_RAW);
    expect(v.getUint32(24, true)).toBe(5);
    expect(v.getUint32(28, true)).toBe(123_456);
    expect(v.getUint32(32, true)).toBe(3);
    expect(v.getUint32(36, true)).toBe(10);
    expect(bytes.length).toBe(24 + 16 + 3);
  });
});

describe('PcapRecorder', () => {
  it('records nothing and passes everything through until started', () => {
    const { link, rec } = setup();
    rec.write(pong(1));
    rec.flush();
    link.deliver([ping(1)]);
    expect(link.sent).toHaveLength(1);
    expect(rec.status()).toMatchObject({ recording: false, packets: 0 });
  });

  it('records both directions with the clock\'s timestamps, stops and starts at runtime', () => {
    const { link, rec, clock } = setup();
    rec.start();
    link.deliver([ping(1), ping(2)]);
    clock.advance(1.5);
    rec.write(pong(1));
    rec.flush();
    rec.stop();
    link.deliver([ping(3)]);
    const got = rec.packets();
    expect(got.map((p) => [p.dir, p.at])).toEqual([['in', 0], ['in', 0], ['out', 1.5]]);
    expect(rec.status()).toMatchObject({ recording: false, packets: 3, seen: 3, evicted: 0 });
  });

  it('keeps a bounded ring: maxPackets, then maxBytes, evicting the oldest', () => {
    const { link, rec } = setup();
    rec.start({ maxPackets: 3 });
    link.deliver([1, 2, 3, 4, 5].map((s) => ping(s)));
    expect(rec.packets().map((p) => new DataView(p.data.buffer).getUint16(26))).toEqual([3, 4, 5]);
    expect(rec.status()).toMatchObject({ packets: 3, seen: 5, evicted: 2 });
    rec.start({ maxBytes: 250 });
    link.deliver([1, 2, 3].map((s) => ping(s, 72))); // 100 bytes each
    expect(rec.status()).toMatchObject({ packets: 2, bytes: 200, evicted: 1 });
  });

  it('refuses bad limits with a clear message', () => {
    const { rec } = setup();
    expect(() => rec.start({ maxPackets: 0 })).toThrow(/maxPackets must be an integer from 1/);
    expect(() => rec.start({ snaplen: 70000 })).toThrow(/snaplen/);
    expect(() => rec.start({ resolution: 'ms' as 'us' })).toThrow(/resolution/);
  });

  it.skipIf(!hasTcpdump())('exports a file tcpdump reads: every packet, in order, with our timestamps', async () => {
    const { link, rec, clock } = setup();
    rec.start();
    for (let seq = 1; seq <= 20; seq++) {
      link.deliver([ping(seq)]);
      clock.advance(0.25);
      rec.write(pong(seq));
      rec.flush();
      clock.advance(10);
    }
    const file = path.join(dir, 'echo.pcap');
    expect(await rec.exportTo(file)).toBe(40);
    const lines = tcpdump(file, '-tt');
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe('1700000000.000000 IP 10.77.0.1 > 10.77.0.2: ICMP echo request, id 7, seq 1, length 64');
    expect(lines[1]).toBe('1700000000.000250 IP 10.77.0.2 > 10.77.0.1: ICMP echo reply, id 7, seq 1, length 64');
    expect(lines[39]).toMatch(/^1700000000\.195000 IP 10\.77\.0\.2 > 10\.77\.0\.1: ICMP echo reply, id 7, seq 20/);
    expect(lines.filter((l) => l.includes('echo request'))).toHaveLength(20);
  });

  it.skipIf(!hasTcpdump())('writes nanosecond files and truncates to snaplen', () => {
    const { link, rec, clock } = setup();
    rec.start({ resolution: 'ns', snaplen: 40 });
    clock.advance(0.000123);
    link.deliver([ping(1, 200)]);
    const file = path.join(dir, 'ns.pcap');
    const bytes = rec.toPcap();
    expect(bytes.length).toBe(24 + 16 + 40);
    writeFileSync(file, bytes);
    const lines = tcpdump(file, '-tt', '--nano');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^1700000000\.000000123 IP 10\.77\.0\.1 > 10\.77\.0\.2: ICMP echo request/);
  });
});
