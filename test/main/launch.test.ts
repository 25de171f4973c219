// `tcplab start`'s question to main/launch.ts: the desktop app only with a display and the
// Electron runtime; otherwise one line saying why. Nothing here runs Electron.
import { describe, expect, it } from 'vitest';
import { findElectronBinary, hasDisplay, launchDesktop } from '../../main/launch.ts';
import { parseDesktopArgs } from '../../main/args.ts';

describe('launchDesktop', () => {
  it('needs a display on Linux', async () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
    const r = await launchDesktop([], { env: {}, platform: 'linux', findElectron: () => { throw new Error('unreachable'); } });
    expect(r).toEqual({ launched: false, why: expect.stringContaining('no display') });
  });

  it('says the runtime is missing when require(electron) throws (as here, where its binary is not installed)', async () => {
    let built = false;
    const r = await launchDesktop([], { env: { DISPLAY: ':99' }, platform: 'linux', build: async () => { built = true; return { main: 'x' }; } });
    expect(r.launched).toBe(false);
    if (!r.launched) expect(r.why).toMatch(/Electron runtime is not installed/);
    expect(built).toBe(false);
    expect(() => findElectronBinary()).toThrow();
  });

  it('builds the bundles and starts the runtime with the main bundle when both are present', async () => {
    const runs: [string, string[]][] = [];
    const r = await launchDesktop(['--simulated'], {
      env: { DISPLAY: ':0' }, platform: 'linux', findElectron: () => '/opt/electron/electron',
      build: async () => ({ main: '/app/main/dist/main.mjs' }), run: (bin, args) => { runs.push([bin, args]); return 4242; },
    });
    expect(r).toEqual({ launched: true, pid: 4242 });
    expect(runs).toEqual([['/opt/electron/electron', ['/app/main/dist/main.mjs', '--simulated']]]);
  });

  it('parses the app\'s own arguments', () => {
    expect(parseDesktopArgs([])).toEqual({ simulated: false, shell: true });
    expect(parseDesktopArgs(['--dev', 'tl0', '--netns=lab', '--simulated', '--no-shell', '--no-socket']))
      .toEqual({ device: 'tl0', netns: 'lab', simulated: true, shell: false, socketPath: null });
  });
});
