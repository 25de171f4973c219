// A root user's lab with nothing set up: instead of asking for `tcplab setup`, this run makes its
// own network namespace (tcplab-<pid>) holding the kernel side of its own TUN (tl<pid>), 10.77.0.1/24
// in the namespace and the lab at 10.77.0.2, and deletes both when it ends:
//   - when the lab closes (lab.close(): quit, SIGINT/SIGTERM handled by the command, normal exit);
//   - at process exit (process.exit, an uncaught exception) through an 'exit' hook;
//   - after any other death (a signal nobody handles, SIGKILL, a native crash) through a small
//     watchdog process of its own session that waits for our end of a pipe to close.
// Leftovers of a watchdog that could not run (machine reset: /run is gone anyway) are swept at the
// next start by their marker (/run/tcplab/ephemeral/NS names the PID that made it).
//
//   const { lab, ephemeral } = await startLab(opts);   // tcplab serve / tui / the desktop host
//   if (ephemeral) print(ephemeral.notice);             // one line: what was made and how to use it
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createPrivateNet, isRoot, NET_PREFIX, sweepStaleNets, type PrivateNet } from '../link/netns.ts';
import { readSetupState, SETUP_DIR, type SetupState } from '../link/setup-state.ts';
import { DEFAULT_TUN_NAME, type Tun } from '../link/tun.ts';
import { createLab, type CreateLabOptions } from './create.ts';
import type { Lab } from './lab.ts';

export const EPHEMERAL_MARKER_DIR = path.join(SETUP_DIR, 'ephemeral');
const NAMES = { ns: /^tcplab-\d+$/, dev: /^tl\d+$/ };

export interface EphemeralDevice {
  /** The namespace holding the kernel side ('tcplab-1234'). */
  readonly ns: string;
  /** The TUN ('tl1234'). */
  readonly dev: string;
  readonly tun: Tun;
  readonly kernelAddr: string;
  readonly labAddr: string;
  /** One line for the user: what this run made, that it goes at exit, and how to reach the lab. */
  readonly notice: string;
  /** Delete the namespace and the TUN now (synchronous, idempotent). */
  close(): void;
}

export interface EphemeralEnv {
  root: boolean;
  /** Whether a network device of that name exists in our namespace. */
  exists(dev: string): boolean;
  setupRecord(dev: string): SetupState | null;
}

const realEnv: EphemeralEnv = {
  root: isRoot,
  exists: (dev) => existsSync(`/sys/class/net/${dev}`),
  setupRecord: (dev) => readSetupState(dev),
};

/**
 * Whether this lab gets an ephemeral device: run as root, on a TUN (not simulated, no open link,
 * no --netns), and nothing set up: no `tcplab setup` record for the device and no such device.
 */
export function wantsEphemeralDevice(opts: Pick<CreateLabOptions, 'device' | 'netns' | 'simulated' | 'link'>, env: EphemeralEnv = realEnv): boolean {
  if (!env.root || (opts.simulated !== undefined && opts.simulated !== false) || opts.link !== undefined || opts.netns !== undefined) return false;
  const dev = opts.device ?? DEFAULT_TUN_NAME;
  return env.setupRecord(dev) === null && !env.exists(dev);
}

/** The one line printed when a run makes its own device. */
export function ephemeralNotice(ns: string, dev: string, kernelAddr: string, labAddr: string): string {
  return `tcplab: nothing is set up here (tcplab setup), so this run has its own namespace ${ns} with TUN ${dev} ` +
    `(kernel ${kernelAddr}/${NET_PREFIX}, lab ${labAddr}), deleted on exit; try: tcplab listen 80 --responder http, ` +
    `then ip netns exec ${ns} curl http://${labAddr}/`;
}

/**
 * A process outliving us in a session of its own (no terminal signals reach it): it waits on a pipe
 * from us; 'done' means we cleaned up ourselves, end of file without it means we died: it deletes
 * the namespace (the TUN in it goes too), the device should it still be in our namespace, and the
 * marker.
 */
function startWatchdog(ns: string, dev: string, marker: string): ChildProcess {
  const script = 'read -r line; [ "$line" = done ] && exit 0; ip netns del "$1"; ip link del "$2"; rm -f "$3"';
  const child = spawn('sh', ['-c', script, 'tcplab-cleanup', ns, dev, marker], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  child.unref();
  (child.stdin as unknown as { unref?(): void } | null)?.unref?.();
  return child;
}

/** Make the namespace and the TUN of this run (root only). */
export async function createEphemeralDevice(opts: { mtu?: number; offload?: boolean; pid?: number } = {}): Promise<EphemeralDevice> {
  await sweepStaleNets(EPHEMERAL_MARKER_DIR, NAMES);
  const pid = opts.pid ?? process.pid;
  const ns = `tcplab-${pid}`;
  const dev = `tl${pid}`;
  if (existsSync(`/run/netns/${ns}`)) throw new Error(`a network namespace named ${ns} exists already (not this run's): delete it with ip netns del ${ns}`);
  const net: PrivateNet = await createPrivateNet({ ns, dev, markerDir: EPHEMERAL_MARKER_DIR, mtu: opts.mtu, offload: opts.offload });
  const watchdog = startWatchdog(ns, dev, path.join(EPHEMERAL_MARKER_DIR, ns));
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    net.cleanupSync();
    watchdog.stdin?.end('done\n');
  };
  process.on('exit', close);
  return {
    ns, dev, tun: net.tun as Tun, kernelAddr: net.kernelAddr, labAddr: net.labAddr,
    notice: ephemeralNotice(ns, dev, net.kernelAddr, net.labAddr),
    close,
  };
}

export interface StartedLab {
  lab: Lab;
  /** The device this run made for itself (closed with the lab), or null. */
  ephemeral: EphemeralDevice | null;
}

/**
 * createLab, except that a root user with nothing set up gets an ephemeral device (see above)
 * instead of a LabSetupError; it is deleted when the lab closes. Everyone else: createLab as is
 * (non-root users still get the one `tcplab setup` command to run).
 */
export async function startLab(opts: CreateLabOptions = {}, env: EphemeralEnv = realEnv): Promise<StartedLab> {
  if (!wantsEphemeralDevice(opts, env)) return { lab: createLab(opts), ephemeral: null };
  const eph = await createEphemeralDevice({ mtu: opts.mtu, offload: opts.offload });
  try {
    const onClose = opts.onClose;
    const lab = createLab({
      ...opts, link: eph.tun, device: eph.dev, netns: eph.ns, labAddr: opts.labAddr ?? eph.labAddr,
      onClose: () => {
        try {
          onClose?.();
        } finally {
          eph.close();
        }
      },
    });
    return { lab, ephemeral: eph };
  } catch (err) {
    eph.close();
    throw err;
  }
}
