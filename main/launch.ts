// `tcplab start` asks here first: the desktop app when a display and the Electron runtime are
// present, otherwise it says why in one line and the caller starts the TUI. The runtime is
// detected with require('electron') in a try/catch: the package throws when its binary is
// missing, and it never downloads anything from here. The electron CLI is never run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { buildDesktop } from './build.ts';

export type LaunchResult = { launched: true; pid: number } | { launched: false; why: string };

export interface LaunchEnv {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Where the Electron binary is, or an error why there is none (default: require('electron')). */
  findElectron?: () => string;
  /** Builds the bundles (default main/build.ts). */
  build?: () => Promise<{ main: string }>;
  /** Starts the app (default: spawn, detached from this terminal's Ctrl-C only through the child). */
  run?: (electron: string, args: string[]) => number;
}

/** The display check: X11 or Wayland on Linux; macOS and Windows always have one. */
export function hasDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function findElectronBinary(): string {
  const require = createRequire(import.meta.url);
  const found: unknown = require('electron');
  if (typeof found !== 'string') throw new Error('the electron package did not give a binary path');
  return found;
}

export async function launchDesktop(args: readonly string[] = [], e: LaunchEnv = {}): Promise<LaunchResult> {
  const env = e.env ?? process.env;
  if (!hasDisplay(env, e.platform ?? process.platform)) return { launched: false, why: 'no display ($DISPLAY / $WAYLAND_DISPLAY unset): starting the terminal UI' };
  let electron: string;
  try {
    electron = (e.findElectron ?? findElectronBinary)();
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { launched: false, why: `the Electron runtime is not installed (${first}): starting the terminal UI` };
  }
  const built = await (e.build ?? (() => buildDesktop()))();
  const run = e.run ?? ((bin: string, a: string[]) => {
    const child = spawn(bin, a, { stdio: 'inherit', env: { ...env, ELECTRON_DISABLE_SECURITY_WARNINGS: undefined } });
    return child.pid ?? -1;
  });
  return { launched: true, pid: run(electron, [built.main, ...args]) };
}
