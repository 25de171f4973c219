// The desktop app's own arguments (after `tcplab start`): which TUN, the simulated wire, or a
// recorded session to review (--replay FILE, as `tcplab replay FILE` serves it).
export interface DesktopArgs {
  device?: string;
  netns?: string;
  simulated: boolean;
  /** Offer a shell on the kernel side of the lab (in its namespace). On by default in the app. */
  shell: boolean;
  socketPath?: string | null;
  /** Show a recorded session (tcplab record) read-only instead of a live lab. */
  replay?: string;
}

export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  const out: DesktopArgs = { simulated: false, shell: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--simulated') out.simulated = true;
    else if (a === '--no-shell') out.shell = false;
    else if (a === '--no-socket') out.socketPath = null;
    else if (a.startsWith('--dev')) out.device = value();
    else if (a.startsWith('--netns')) out.netns = value();
    else if (a.startsWith('--socket')) out.socketPath = value();
    else if (a.startsWith('--replay')) out.replay = value();
  }
  return out;
}
