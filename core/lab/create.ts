// createLab: a Lab on a TUN device (made by `tcplab setup`, possibly with its kernel side in a
// network namespace), on an already open link (tests), or on a simulated wire where a second
// stack plays the kernel. Time is real, or a ManualClock the caller moves (tests).
//
//   createLab({ device: 'tcplab0' })                        the TUN setup made (namespace from its record)
//   createLab({ device: 'tcplab0', netns: 'lab' })          attach to it inside that namespace
//   createLab({ link: tun, device: tun.name })              an open Tun (interop tests)
//   createLab({ simulated: true })                          no TUN: a memory wire and a peer stack
//   createLab({ simulated: true, clock: new ManualClock() }) the same on manual time (unit tests)
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Link } from '../link/link.ts';
import { MemoryWire, type FaultModel } from '../link/memory-wire.ts';
import { readSetupState } from '../link/setup-state.ts';
import { DEFAULT_TUN_NAME, Tun, TunError } from '../link/tun.ts';
import { ManualClock, type Clock } from '../stack/clock.ts';
import type { Knobs } from '../stack/knobs.ts';
import { cryptoRandom, seededRandom, type Random } from '../stack/random.ts';
import type { Schedulable } from '../stack/runtime.ts';
import { Stack } from '../stack/stack.ts';
import { parseAddress } from '../wire/ipv4.ts';
import { LabSetupError } from './errors.ts';
import { Lab } from './lab.ts';
import { LabTime } from './lab-time.ts';
import { RESPONDER_DEFAULTS, type ResponderOptions } from './responders/index.ts';
import type { Scenario } from './scenarios.ts';
import { ALL_SCENARIOS } from './scenarios/index.ts';
import { SimulatedPeer } from './simulated-peer.ts';

export const DEFAULT_LAB_ADDR = '10.77.0.2';
export const DEFAULT_KERNEL_ADDR = '10.77.0.1';

export interface SimulatedOptions {
  /** One-way delay of the memory wire (ms, default 0.5). */
  delayMs?: number;
  /** Faults of the wire itself (the lab's fault injector works on top of any wire). */
  faults?: FaultModel;
  /** Knobs of the peer stack. */
  peerKnobs?: Partial<Knobs>;
}

export interface CreateLabOptions {
  /** The TUN device (default tcplab0, unless `link` or `simulated` is given). */
  device?: string;
  /**
   * The namespace holding the device's kernel side (default: what `tcplab setup` recorded, else
   * none). With `link`, it only records where the kernel side is (lab.netns).
   */
  netns?: string;
  /**
   * Open the TUN with TCP offloads (core/link/offload.ts): the kernel may hand over 64 KB TCP
   * super-segments (shown as such, like tcpdump on a host with GRO), and our consecutive segments
   * go to the kernel as GSO packets. Faster; default false (every packet one segment).
   */
  offload?: boolean;
  /** An open link to use instead of opening a device (the lab closes it when it closes). */
  link?: Link;
  /** A memory wire with a peer stack playing the kernel, instead of a TUN. */
  simulated?: boolean | SimulatedOptions;
  /** 'real' (default) or a ManualClock the caller moves (lab.advance / lab.runUntil). */
  clock?: 'real' | ManualClock;
  labAddr?: string;
  kernelAddr?: string;
  /** MTU (default: the device's; 1500 on the simulated wire or an unknown link). */
  mtu?: number;
  knobs?: Partial<Knobs>;
  /** Seed for the stack's randomness (ISN secret, ports); default: crypto randomness (seeded 1 on a manual clock). */
  seed?: number;
  /** Capacity of the stack's event ring (default 32768). */
  eventRingSize?: number;
  labEventCapacity?: number;
  scenarios?: readonly Scenario<Lab>[];
  responder?: Partial<ResponderOptions>;
  /** Called last when the lab closes (after the link is released). */
  onClose?: () => void;
}

function address(field: string, s: string): number {
  const a = parseAddress(s);
  if (a === null) throw new RangeError(`${field}: '${s}' is not a dotted IPv4 address`);
  return a;
}

/** The `tcplab setup` command that makes `device` (in `netns`) for the current user. */
export function setupCommand(device: string, netns: string | null): string {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return '<you>';
    }
  })();
  return `${root ? '' : 'sudo '}tcplab setup --dev ${device}${netns !== null ? ` --netns ${netns}` : ''} --user ${user}`;
}

interface OpenedDevice {
  tun: Tun;
  device: string;
  netns: string | null;
  kernelAddr: string;
  labAddr: string;
  mtu: number;
}

/** Opens the TUN `tcplab setup` made; every way this fails says what to run. */
export function openLabDevice(opts: { device?: string; netns?: string; labAddr?: string; kernelAddr?: string; offload?: boolean }): OpenedDevice {
  const device = opts.device ?? DEFAULT_TUN_NAME;
  const state = readSetupState(device);
  const netns = opts.netns ?? state?.netns ?? null;
  const cmd = setupCommand(device, netns);
  if (netns === null && !existsSync(`/sys/class/net/${device}`)) {
    throw new LabSetupError(`the TUN device '${device}' does not exist (tcplab setup makes it; it is gone after a reboot)`, cmd);
  }
  if (netns !== null && !netns.includes('/') && !existsSync(`/run/netns/${netns}`)) {
    throw new LabSetupError(`the network namespace '${netns}' for TUN '${device}' does not exist`, cmd);
  }
  let tun: Tun;
  try {
    tun = Tun.open({ name: device, ...(netns !== null ? { netns } : {}), offload: opts.offload });
  } catch (err) {
    if (err instanceof TunError) {
      const fixable = err.code === 'permission' || err.code === 'no-netns' || err.code === 'netns-permission' || err.code === 'not-a-tun';
      throw new LabSetupError(err.message, fixable ? cmd : null, { cause: err });
    }
    throw err;
  }
  const info = tun.info();
  if (info.ipv4 === null || !info.up) {
    tun.close();
    throw new LabSetupError(`the TUN device '${device}' is ${info.up ? 'up but has no kernel-side address' : 'down'}: it is not set up for the lab`, cmd);
  }
  return {
    tun, device: info.name, netns, mtu: info.mtu,
    kernelAddr: opts.kernelAddr ?? info.ipv4,
    labAddr: opts.labAddr ?? state?.labAddr ?? DEFAULT_LAB_ADDR,
  };
}

export function createLab(opts: CreateLabOptions = {}): Lab {
  const manualClock = opts.clock instanceof ManualClock ? opts.clock : null;
  // Lab time: real time that the lab may pause, step or scale (lab-time.ts), or the test's clock.
  const clock: Clock = manualClock ?? new LabTime();
  const random: Random = opts.seed !== undefined ? seededRandom(opts.seed) : manualClock !== null ? seededRandom(1) : cryptoRandom();
  const responder = { ...RESPONDER_DEFAULTS, ...opts.responder };
  const common = { clock, manualClock, labEventCapacity: opts.labEventCapacity, scenarios: opts.scenarios ?? ALL_SCENARIOS, responder };
  const stackFor = (labAddr: string, mtu: number): Stack => new Stack({
    address: address('labAddr', labAddr), clock, random, mtu, knobs: opts.knobs, eventRingSize: opts.eventRingSize ?? 32768,
  });

  if (opts.simulated !== undefined && opts.simulated !== false) {
    const sim: SimulatedOptions = opts.simulated === true ? {} : opts.simulated;
    const labAddr = opts.labAddr ?? DEFAULT_LAB_ADDR;
    const kernelAddr = opts.kernelAddr ?? DEFAULT_KERNEL_ADDR;
    const mtu = opts.mtu ?? 1500;
    const wire = new MemoryWire({ clock, seed: opts.seed ?? 1, mtu, faults: { delayMs: sim.delayMs ?? 0.5, ...sim.faults } });
    const stack = stackFor(labAddr, mtu);
    let lab: Lab | null = null;
    const peer = new SimulatedPeer({
      address: address('kernelAddr', kernelAddr), labAddress: address('labAddr', labAddr), clock,
      random: seededRandom((opts.seed ?? random.u32()) ^ 0x5eed), link: wire.b, mtu, knobs: sim.peerKnobs, responder,
      afterBatch: () => lab?.kick(),
    });
    const parts: Schedulable[] = [wire, peer.stack];
    lab = new Lab({
      ...common, stack, link: wire.a, parts, peer,
      info: { device: null, simulated: true, labAddr, kernelAddr, timeScale: 1 },
      onClose: () => {
        wire.b.close();
        opts.onClose?.();
      },
    });
    return lab;
  }

  let link: Link;
  let device: string | null;
  let netns: string | null = opts.netns ?? null;
  let labAddr = opts.labAddr ?? DEFAULT_LAB_ADDR;
  let kernelAddr = opts.kernelAddr ?? DEFAULT_KERNEL_ADDR;
  let mtu = opts.mtu ?? 1500;
  if (opts.link !== undefined) {
    link = opts.link;
    device = opts.device ?? null;
    mtu = opts.mtu ?? (link instanceof Tun ? link.mtu : link.mtu || 1500);
    if (link instanceof Tun && opts.kernelAddr === undefined) kernelAddr = link.info().ipv4 ?? kernelAddr;
  } else {
    const d = openLabDevice(opts);
    link = d.tun;
    device = d.device;
    netns = d.netns;
    labAddr = d.labAddr;
    kernelAddr = d.kernelAddr;
    mtu = opts.mtu ?? d.mtu;
  }
  const stack = stackFor(labAddr, mtu);
  address('kernelAddr', kernelAddr);
  return new Lab({ ...common, stack, link, netns, info: { device, simulated: false, labAddr, kernelAddr, timeScale: 1 }, onClose: opts.onClose });
}
