// When a lab makes its own namespace and TUN (root, nothing set up), and that they go with it.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ephemeralNotice, startLab, wantsEphemeralDevice, type EphemeralEnv } from '../../../core/lab/ephemeral.ts';
import { LabSetupError } from '../../../core/lab/errors.ts';
import type { SetupState } from '../../../core/link/setup-state.ts';
import { isRoot } from '../../interop/netns.ts';

const env = (over: Partial<EphemeralEnv> = {}): EphemeralEnv => ({ root: true, exists: () => false, setupRecord: () => null, ...over });

describe('wantsEphemeralDevice', () => {
  it('root with no setup record and no such device: yes (default device or a --dev that does not exist)', () => {
    expect(wantsEphemeralDevice({}, env())).toBe(true);
    expect(wantsEphemeralDevice({ device: 'tcplab7' }, env())).toBe(true);
  });

  it('not for other users, a simulated lab, an open link or a named namespace', () => {
    expect(wantsEphemeralDevice({}, env({ root: false }))).toBe(false);
    expect(wantsEphemeralDevice({ simulated: true }, env())).toBe(false);
    expect(wantsEphemeralDevice({ simulated: {} }, env())).toBe(false);
    expect(wantsEphemeralDevice({ netns: 'lab' }, env())).toBe(false);
  });

  it('not when the device was set up (its record) or exists', () => {
    expect(wantsEphemeralDevice({}, env({ setupRecord: (d) => (d === 'tcplab0' ? ({ dev: d } as SetupState) : null) }))).toBe(false);
    expect(wantsEphemeralDevice({ device: 'tun9' }, env({ exists: (d) => d === 'tun9' }))).toBe(false);
  });

  it('the notice is one line naming the namespace, the TUN and the curl to try', () => {
    const n = ephemeralNotice('tcplab-1234', 'tl1234', '10.77.0.1', '10.77.0.2');
    expect(n).not.toContain('\n');
    expect(n).toContain('namespace tcplab-1234 with TUN tl1234');
    expect(n).toContain('ip netns exec tcplab-1234 curl http://10.77.0.2/');
  });
});

describe('startLab', () => {
  it('without root, nothing set up: the setup error as before', async () => {
    await expect(startLab({ device: 'tlnosuchdev1' }, env({ root: false }))).rejects.toThrow(LabSetupError);
  });

  it.skipIf(!isRoot)('as root with nothing set up: its own namespace and TUN, the lab on them, both deleted when the lab closes', async () => {
    const exitHooks = process.listenerCount('exit');
    const { lab, ephemeral } = await startLab({ device: 'tlnosuchdev2' });
    try {
      expect(ephemeral).not.toBeNull();
      const e = ephemeral as NonNullable<typeof ephemeral>;
      expect(e.ns).toBe(`tcplab-${process.pid}`);
      expect(lab.netns).toBe(e.ns);
      expect(lab.info).toMatchObject({ device: e.dev, simulated: false, labAddr: '10.77.0.2', kernelAddr: '10.77.0.1' });
      expect(existsSync(`/run/netns/${e.ns}`)).toBe(true);
      expect(process.listenerCount('exit')).toBe(exitHooks + 1);
    } finally {
      lab.close();
    }
    const e = ephemeral as NonNullable<typeof ephemeral>;
    expect(existsSync(`/run/netns/${e.ns}`)).toBe(false);
    expect(process.listenerCount('exit')).toBe(exitHooks);
  });
});
