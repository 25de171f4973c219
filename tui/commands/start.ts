// `tcplab start` (and `npm start`): the desktop app where there is a display and the Electron
// runtime; otherwise one line saying why, and the terminal UI with the same options (--replay
// FILE included: both open a recorded session).
import type { Command } from './command.ts';
import { tui } from './tui.ts';

export const START_USAGE = `usage: tcplab start [--replay FILE] [--no-shell] [tui options]

The desktop app when there is a display and the Electron runtime; otherwise the terminal UI
(tcplab tui, with the same options: see tcplab tui --help). --replay FILE opens a session
recorded with tcplab record, read-only and without a TUN, in either. --no-shell: the desktop
app offers no shell on the kernel side (the terminal UI has none).
`;

/** The desktop app's options the terminal UI has no use for (it has no kernel shell). */
const DESKTOP_ONLY = new Set(['--no-shell']);

export type DesktopLaunch = { launched: true } | { launched: false; why: string };

/**
 * The desktop branch (the GUI engineer's main/launch.ts): starts the Electron app, or says why
 * it cannot (no display, no Electron runtime). Loaded only when asked for.
 */
export async function launchDesktopApp(args: readonly string[]): Promise<DesktopLaunch> {
  try {
    const { launchDesktop } = await import('../../main/launch.ts');
    return await launchDesktop([...args]);
  } catch (err) {
    return { launched: false, why: `it could not be started (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
}

/** 'the desktop app is not available: <reason>; starting the terminal UI'. */
export function fallbackLine(why: string): string {
  const reason = why.replace(/[:;,]?\s*starting the terminal UI\.?$/i, '');
  return `the desktop app is not available: ${reason}; starting the terminal UI`;
}

export async function start(argv: readonly string[], deps: {
  desktop?: (args: readonly string[]) => Promise<DesktopLaunch>;
  terminal?: (args: readonly string[], notice: string) => Promise<number>;
  say?: (line: string) => void;
} = {}): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(START_USAGE);
    return 0;
  }
  const r = await (deps.desktop ?? launchDesktopApp)(argv);
  if (r.launched) return 0;
  const line = fallbackLine(r.why);
  (deps.say ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  const args = argv.filter((a) => !DESKTOP_ONLY.has(a));
  return (deps.terminal ?? ((a, n) => tui(a, undefined, n)))(args, line);
}

export const startCommand: Command = {
  name: 'start',
  summary: 'the desktop app, or the terminal UI where there is no display or no Electron runtime',
  run: (argv) => start(argv),
};
