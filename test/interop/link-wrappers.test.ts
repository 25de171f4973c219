// The pcap recorder and the fault injector on the real TUN, with the kernel's ping as the peer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultInjector, type FaultEvent } from '../../core/link/fault-injector.ts';
import type { Link } from '../../core/link/link.ts';
import { PcapRecorder } from '../../core/link/pcap.ts';
import { realScheduler } from '../../core/link/timing.ts';
import type { Tun } from '../../core/link/tun.ts';
import { buildEcho, parseEcho } from './icmp-echo.ts';
import { isRoot } from './netns.ts';
import { useTestNet } from './use-test-net.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-wrappers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Answer pings on `link` (what the stack will do). */
function echoResponder(link: Link): void {
  link.onReceive((packets) => {
    for (const p of packets) {
      const e = parseEcho(p);
      if (e !== null && e.type === 8) link.write(buildEcho({ ...e, type: 0, src: e.dst, dst: e.src }));
    }
    link.flush();
  });
}

describe.skipIf(!isRoot)('pcap and faults on the real TUN (stack -> faults -> pcap -> TUN)', () => {
  const getNet = useTestNet();
  let faults: FaultInjector;
  let pcap: PcapRecorder;

  it('records the exchange; tcpdump reads every packet back', async () => {
    const net = getNet();
    const scheduler = realScheduler();
    pcap = new PcapRecorder(net.tun as Tun, { clock: scheduler });
    faults = new FaultInjector(pcap, { scheduler });
    echoResponder(faults);
    pcap.start({ maxPackets: 1000 });
    const r = await net.exec(['ping', '-c', '4', '-i', '0.05', '-W', '2', net.labAddr]);
    expect(r.stdout).toContain('4 received');
    pcap.stop();
    const file = path.join(dir, 'ping.pcap');
    expect(await pcap.exportTo(file)).toBe(8);
    const lines = execFileSync('tcpdump', ['-r', file, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines.filter((l) => l.includes('10.77.0.1 > 10.77.0.2: ICMP echo request'))).toHaveLength(4);
    expect(lines.filter((l) => l.includes('10.77.0.2 > 10.77.0.1: ICMP echo reply'))).toHaveLength(4);
  });

  it('drops the 2nd echo request from the kernel: ping sees 1 lost of 3, the event says which', async () => {
    const net = getNet();
    const events: FaultEvent[] = [];
    const off = faults.onFault((e) => events.push(e));
    faults.addRule({ id: 'drop-2nd-ping', dir: 'in', proto: 'icmp', nth: 2, action: 'drop' });
    const r = await net.exec(['ping', '-c', '3', '-i', '0.1', '-W', '1', net.labAddr]);
    off();
    faults.clearRules();
    expect(r.stdout).toContain('3 packets transmitted, 2 received');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'fault', rule: 'drop-2nd-ping', action: 'drop', dir: 'in' });
    expect(events[0].summary).toMatch(/^IP 10\.77\.0\.1 > 10\.77\.0\.2: ICMP echo request, id \d+, seq 2, length 64$/);
  });

  it('delays our replies by 100 ms on real timers: ping measures it', async () => {
    const net = getNet();
    faults.addRule({ dir: 'out', proto: 'icmp', count: 'all', action: { type: 'delay', ms: 100 } });
    const r = await net.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', net.labAddr]);
    faults.clearRules();
    expect(r.stdout).toContain('2 received');
    const min = Number(/= ([\d.]+)\//.exec(r.stdout)?.[1]);
    expect(min).toBeGreaterThanOrEqual(99);
    expect(min).toBeLessThan(1000);
  });
});
