// What `tcplab setup` made, so the lab (running unprivileged) and `tcplab teardown` know where
// the device is: /run/tcplab/<dev>.json, readable by everyone, gone at reboot like the device.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SETUP_DIR = '/run/tcplab';

export interface SetupState {
  dev: string;
  /** The network namespace holding the kernel side, or null for the root namespace. */
  netns: string | null;
  netnsPath: string | null;
  /**
   * For a namespace the user may enter unprivileged: the bind-mounted user namespace that owns
   * it (`nsenter --preserve-credentials --user=<this> --net=<netnsPath> CMD`). Null otherwise.
   */
  usernsPath: string | null;
  user: string;
  uid: number;
  kernelAddr: string;
  prefixLength: number;
  labAddr: string;
  mtu: number;
  /** Whether setup created the namespace (teardown then deletes it). */
  createdNetns: boolean;
}

export function setupStatePath(dev: string): string {
  return path.join(SETUP_DIR, `${dev}.json`);
}

export function usernsPathFor(netns: string): string {
  return path.join(SETUP_DIR, `${netns}.userns`);
}

/** The recorded setup of `dev`, or null when there is none (or it is unreadable). */
export function readSetupState(dev: string, dir = SETUP_DIR): SetupState | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, `${dev}.json`), 'utf8')) as SetupState;
  } catch {
    return null;
  }
}
