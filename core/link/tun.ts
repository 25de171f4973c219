// The TUN link: a Linux TUN device (IFF_TUN | IFF_NO_PI) through tcplab's own N-API addon
// (core/native/tun.cc), with a tuntap2-like API. Reads come from a uv_poll readiness loop that
// drains the non-blocking fd in batches into one preallocated arena; writes are copied into
// another arena and written in one native call per flush. No per-packet allocation beyond the
// Uint8Array views handed to the receive handler.
import { createRequire } from 'node:module';
import type { Link, PacketHandler } from './link.ts';
import { completeChecksum, GsoMerger, isGso, plainHeader, VNET_HDR_LEN } from './offload.ts';

/** What the addon answers about the device (it follows the device into another namespace). */
export interface TunInfo {
  name: string;
  mtu: number;
  up: boolean;
  running: boolean;
  /** The kernel side's IPv4 address on the device, dotted, or null when it has none. */
  ipv4: string | null;
  ipv4Address: number | null;
  prefixLength: number | null;
  /** Inode of the network namespace the device is in (as `ls -iL /proc/self/ns/net` shows). */
  netnsInode: number;
}

export interface TunStats {
  rxPackets: number;
  rxBytes: number;
  rxBatches: number;
  txPackets: number;
  txBytes: number;
  /** Packets the kernel refused on write (e.g. EIO while the device is down); they are dropped. */
  txErrors: number;
  lastTxError: string | null;
  /** Packets refused before reaching the kernel (empty or larger than 65535 bytes). */
  txRejected: number;
  /** Offload mode: super-segments received, and segments merged into GSO packets written. */
  rxGso: number;
  txMerged: number;
}

export interface TunOptions {
  /** Interface name, at most 15 characters (default 'tcplab0'); 'tl%d' lets the kernel choose. */
  name?: string;
  /**
   * Open the device inside this network namespace: a name (meaning /run/netns/NAME, as `ip netns`
   * makes them) or a path to a namespace file (/proc/PID/ns/net). A forked helper enters it (and,
   * for a namespace owned by the user's own user namespace, that user namespace first: see
   * `tcplab setup`) and passes the fd back. Without it the device is looked up or created in our
   * own namespace.
   */
  netns?: string;
  /** Most packets handed over per wakeup (default 256). */
  maxBatch?: number;
  /** Receive arena size in bytes (default 1 MiB; at least 65535). */
  rxArenaBytes?: number;
  /** Transmit arena size in bytes (default 1 MiB; at least 65535). */
  txArenaBytes?: number;
  /**
   * TCP offloads (offload.ts): open with the virtio-net header and TSO, so the kernel may hand
   * over 64 KB TCP super-segments (as GRO makes them) and consecutive data segments we write in
   * one flush go to the kernel as one GSO packet. Default false: every packet is one segment.
   */
  offload?: boolean;
}

export type TunErrorCode =
  | 'addon-missing' | 'no-clone-device' | 'permission' | 'busy' | 'not-a-tun' | 'no-netns'
  | 'netns-permission' | 'closed' | 'io' | 'other';

/** An error opening or using a TUN, with an explanation a person can act on. */
export class TunError extends Error {
  readonly code: TunErrorCode;
  /** The errno name from the kernel ('EACCES', 'EBUSY', ...), when there is one. */
  readonly errno: string | null;
  /** Which step failed: 'open /dev/net/tun', 'TUNSETIFF', 'setns net', 'read', ... */
  readonly stage: string | null;
  readonly device: string;
  constructor(code: TunErrorCode, message: string, device: string, errno: string | null = null, stage: string | null = null) {
    super(message);
    this.name = 'TunError';
    this.code = code;
    this.device = device;
    this.errno = errno;
    this.stage = stage;
  }
}

// ---- the addon

interface NativeInfo {
  name: string; mtu: number; flags: number; up: boolean; running: boolean;
  ipv4: number | null; prefixLength: number | null; netnsInode: number;
}
interface NativeStats { rxPackets: number; rxBytes: number; rxBatches: number; txPackets: number; txBytes: number; txErrors: number; lastTxError: string | null }
interface NativeTun {
  readonly fd: number;
  start(arena: Uint8Array, lengths: Int32Array, maxBatch: number, onBatch: (count: number) => void, onError: (e: Error) => void): void;
  stop(): void;
  write(arena: Uint8Array, lengths: Int32Array, count: number): number;
  info(): NativeInfo;
  close(): void;
  setRef(ref: boolean): void;
  stats(): NativeStats;
}
interface NativeModule {
  Tun: new (name: string, netnsPath: string | null, offload?: boolean) => NativeTun;
  maxPacket: number;
}
interface NativeError extends Error { code?: string; stage?: string }

const ADDON_PATHS = ['../../build/Release/tcplab_tun.node', '../../build/Debug/tcplab_tun.node'];
let addon: NativeModule | null = null;

/** Load the addon once; a missing or broken build becomes a TunError saying how to build it. */
export function loadTunAddon(): NativeModule {
  if (addon !== null) return addon;
  const require = createRequire(import.meta.url);
  let lastError: unknown = null;
  for (const p of ADDON_PATHS) {
    try {
      addon = require(p) as NativeModule;
      return addon;
    } catch (err) {
      lastError = err;
      if ((err as NativeError).code !== 'MODULE_NOT_FOUND') break;
    }
  }
  const missing = (lastError as NativeError | null)?.code === 'MODULE_NOT_FOUND';
  const why = missing ? 'it is not built' : `it does not load (${(lastError as Error).message})`;
  throw new TunError('addon-missing',
    `the TUN addon (build/Release/tcplab_tun.node) is unavailable: ${why}. ` +
    'Build it with `npm run build:native` (needs python3, make and g++).', '');
}

export const DEFAULT_TUN_NAME = 'tcplab0';
const MAX_PACKET = 65535;
const MAX_READ = MAX_PACKET + VNET_HDR_LEN;
const NAME_RE = /^[A-Za-z0-9_.%:-]{1,15}$/;

/** The namespace file for a `netns` option: a bare name means /run/netns/NAME (ip netns). */
export function netnsPath(netns: string): string {
  return netns.includes('/') ? netns : `/run/netns/${netns}`;
}

function formatIpv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Turn the addon's raw error into an explanation (what happened, what to run). */
export function explainTunError(err: NativeError, device: string, netns: string | null): TunError {
  const errno = err.code ?? null;
  const stage = err.stage ?? null;
  const where = netns !== null ? ` in network namespace '${netns}'` : '';
  const setupHint = `as root: tcplab setup --dev ${device}${netns !== null ? ` --netns ${netns}` : ''} --user <you>`;
  const make = (code: TunErrorCode, text: string): TunError => new TunError(code, text, device, errno, stage);
  switch (stage) {
    case 'open /dev/net/tun':
      if (errno === 'ENOENT') {
        return make('no-clone-device', '/dev/net/tun does not exist: load the tun driver (modprobe tun) or create the node (mknod /dev/net/tun c 10 200; chmod 0666 /dev/net/tun).');
      }
      if (errno === 'ENODEV' || errno === 'ENXIO') {
        return make('no-clone-device', 'the tun driver is not available (/dev/net/tun has no driver behind it): modprobe tun.');
      }
      if (errno === 'EACCES' || errno === 'EPERM') {
        return make('permission', 'permission denied opening /dev/net/tun. Most distributions make it mode 0666 ' +
          '(creating a TUN still needs root; attaching to one you own does not); here it is not: as root run ' +
          `chmod 0666 /dev/net/tun, or run tcplab as root. To get a TUN you own, ${setupHint}.`);
      }
      break;
    case 'TUNSETIFF':
      if (errno === 'EPERM' || errno === 'EACCES') {
        return make('permission', `not permitted to open TUN '${device}'${where}: creating a TUN needs CAP_NET_ADMIN ` +
          `and attaching to an existing one needs to own it. Create one you own ${setupHint}.`);
      }
      if (errno === 'EBUSY') {
        return make('busy', `TUN '${device}'${where} is busy: another process has it open (a single-queue TUN has one reader). ` +
          'Stop that process or choose another device name.');
      }
      if (errno === 'EINVAL') {
        return make('not-a-tun', `'${device}'${where} exists but is not a TUN device this lab can use ` +
          '(it is another kind of interface, a TAP, or a multi-queue TUN). Choose another name.');
      }
      break;
    case 'open netns':
      if (errno === 'ENOENT') {
        return make('no-netns', `network namespace '${netns}' does not exist (${netnsPath(netns ?? '')}). Create it ${setupHint}.`);
      }
      break;
    case 'setns net':
    case 'setns user':
      if (errno === 'EPERM') {
        return make('netns-permission', `not permitted to enter network namespace '${netns}': it belongs to root. ` +
          `Run the lab as root, or make a namespace you may enter ${setupHint}.`);
      }
      break;
    default:
      break;
  }
  return make('other', `cannot open TUN '${device}'${where}: ${err.message}`);
}

/** A TUN device as a Link. Opening throws a TunError with an explanation. */
export class Tun implements Link {
  private readonly native: NativeTun;
  private readonly rxArena: Uint8Array;
  private readonly rxLengths: Int32Array;
  private readonly maxBatch: number;
  private readonly txArena: Uint8Array;
  private readonly txLengths: Int32Array;
  private txCount = 0;
  private txOffset = 0;
  private txRejected = 0;
  private readonly views: Uint8Array[] = [];
  private handler: PacketHandler | null = null;
  private errorHandler: ((err: TunError) => void) | null = null;
  private closed = false;
  private lastName: string;
  /** Offload mode (virtio-net header on every packet), and its GSO merger for writes. */
  readonly offload: boolean;
  private readonly merger: GsoMerger | null;
  private rxGso = 0;

  private constructor(native: NativeTun, name: string, opts: TunOptions) {
    this.native = native;
    this.lastName = name;
    this.maxBatch = opts.maxBatch ?? 256;
    this.rxArena = new Uint8Array(Math.max(opts.rxArenaBytes ?? 1 << 20, MAX_READ));
    this.rxLengths = new Int32Array(this.maxBatch);
    this.txArena = new Uint8Array(Math.max(opts.txArenaBytes ?? 1 << 20, MAX_READ));
    this.txLengths = new Int32Array(1024);
    this.offload = opts.offload === true;
    this.merger = this.offload ? new GsoMerger() : null;
  }

  /** Open (attach to, or create) the TUN device. */
  static open(opts: TunOptions = {}): Tun {
    const name = opts.name ?? DEFAULT_TUN_NAME;
    if (!NAME_RE.test(name)) {
      throw new TunError('other', `invalid interface name '${name}': 1 to 15 letters, digits or _.-:%`, name);
    }
    if (opts.maxBatch !== undefined && !(Number.isInteger(opts.maxBatch) && opts.maxBatch >= 1 && opts.maxBatch <= 4096)) {
      throw new TunError('other', `maxBatch must be an integer from 1 to 4096, not ${opts.maxBatch}`, name);
    }
    const mod = loadTunAddon();
    const netns = opts.netns ?? null;
    let native: NativeTun;
    try {
      native = new mod.Tun(name, netns === null ? null : netnsPath(netns), opts.offload === true);
    } catch (err) {
      throw explainTunError(err as NativeError, name, netns);
    }
    return new Tun(native, native.info().name, opts);
  }

  /** The interface's current name (it can be renamed while open). */
  get name(): string {
    return this.closed ? this.lastName : (this.lastName = this.native.info().name);
  }

  /** The device's MTU, asked from the kernel on each read (a few system calls; read it once per use). */
  get mtu(): number {
    return this.info().mtu;
  }

  get isUp(): boolean {
    return this.info().up;
  }

  /** The kernel side's address as 'a.b.c.d/prefix', or null when it has none. */
  get ipv4(): string | null {
    const i = this.info();
    return i.ipv4 === null ? null : `${i.ipv4}/${i.prefixLength ?? 32}`;
  }

  /** The file descriptor (for diagnostics). */
  get fd(): number {
    return this.native.fd;
  }

  info(): TunInfo {
    this.requireOpen();
    const n = this.native.info();
    this.lastName = n.name;
    return {
      name: n.name, mtu: n.mtu, up: n.up, running: n.running,
      ipv4: n.ipv4 === null ? null : formatIpv4(n.ipv4), ipv4Address: n.ipv4, prefixLength: n.prefixLength,
      netnsInode: n.netnsInode,
    };
  }

  /**
   * Receive packets in batches (one call per readiness wakeup, up to maxBatch packets). The
   * packets are views into one arena that the next batch overwrites, and the array itself is
   * reused: copy what must outlive the call. The first call starts reading.
   */
  onReceive(handler: PacketHandler): void {
    this.requireOpen();
    const first = this.handler === null;
    this.handler = handler;
    if (first) this.native.start(this.rxArena, this.rxLengths, this.maxBatch, this.onBatch, this.onNativeError);
  }

  /** Called once if reading fails for good (for example the device was deleted); reading stops. */
  onError(handler: (err: TunError) => void): void {
    this.errorHandler = handler;
  }

  private readonly onBatch = (count: number): void => {
    const views = this.views;
    views.length = count;
    let off = 0;
    for (let i = 0; i < count; i++) {
      const len = this.rxLengths[i];
      const p = this.rxArena.subarray(off, off + len);
      if (this.offload) {
        if (isGso(p)) this.rxGso++;
        const at = completeChecksum(p);
        views[i] = at < 0 ? p.subarray(0, 0) : p.subarray(at);
      } else {
        views[i] = p;
      }
      off += (len + 7) & ~7; // the addon starts each packet 8-byte aligned
    }
    this.handler?.(views);
  };

  private readonly onNativeError = (err: Error): void => {
    const e = err as NativeError;
    const gone = e.code === 'EBADFD';
    const text = gone ? `TUN '${this.lastName}' was deleted while open; reading stopped` : `${err.message}; reading stopped`;
    const tunErr = new TunError('io', text, this.lastName, e.code ?? null, 'read');
    if (this.errorHandler) this.errorHandler(tunErr);
    else process.emitWarning(tunErr.message, 'TunWarning');
  };

  /** Queue one IPv4 packet (copied now). Empty or oversized packets are counted and dropped. */
  write(packet: Uint8Array): void {
    this.requireOpen();
    const len = packet.length;
    if (len === 0 || len > MAX_PACKET) {
      this.txRejected++;
      return;
    }
    const merger = this.merger;
    if (merger === null) {
      if (this.txCount === this.txLengths.length || this.txOffset + len > this.txArena.length) this.flush();
      this.txArena.set(packet, this.txOffset);
      this.txLengths[this.txCount++] = len;
      this.txOffset += len;
      return;
    }
    if (this.txCount === this.txLengths.length || this.txOffset + VNET_HDR_LEN + len > this.txArena.length) this.flush();
    const grew = merger.tryAppend(this.txArena, packet);
    if (grew >= 0) {
      this.txLengths[this.txCount - 1] += grew;
      this.txOffset += grew;
      return;
    }
    const at = this.txOffset;
    plainHeader(this.txArena, at);
    this.txArena.set(packet, at + VNET_HDR_LEN);
    this.txLengths[this.txCount++] = len + VNET_HDR_LEN;
    this.txOffset += len + VNET_HDR_LEN;
    merger.opened(this.txArena, at, len + VNET_HDR_LEN);
  }

  /** Write every queued packet to the device (one native call). */
  flush(): void {
    if (this.txCount === 0 || this.closed) return;
    this.native.write(this.txArena, this.txLengths, this.txCount);
    this.txCount = 0;
    this.txOffset = 0;
    this.merger?.reset();
  }

  /** Write a batch of packets now. */
  writeBatch(packets: readonly Uint8Array[]): void {
    for (const p of packets) this.write(p);
    this.flush();
  }

  stats(): TunStats {
    return { ...this.native.stats(), txRejected: this.txRejected, rxGso: this.rxGso, txMerged: this.merger?.merged ?? 0 };
  }

  /** Whether a receiving device keeps the process alive (default true, like a listening socket). */
  ref(): void {
    this.native.setRef(true);
  }

  unref(): void {
    this.native.setRef(false);
  }

  /** Stop receiving and release the device (a non-persistent TUN disappears). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.handler = null;
    this.native.close();
  }

  /** tuntap2's name for close(). */
  release(): void {
    this.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private requireOpen(): void {
    if (this.closed) throw new TunError('closed', `TUN '${this.lastName}' is closed`, this.lastName);
  }
}
