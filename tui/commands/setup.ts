// `tcplab setup`: make a persistent TUN owned by a user, so the lab runs unprivileged, with its
// kernel side optionally in a network namespace; `tcplab teardown` (teardown.ts) undoes it.
//
// The namespace subtlety. TUNSETIFF finds a device by name only in the network namespace the
// /dev/net/tun fd was opened in, so once the TUN is in namespace NS an unprivileged process in
// the root namespace cannot attach to it, and it cannot setns() into a namespace that root's
// user namespace owns. So for a non-root --user, setup makes NS inside a user namespace owned by
// that user (`setpriv --reuid USER unshare --user --map-root-user --net`), pins it with
// `ip netns attach NS PID` (so `ip netns exec NS` works for root as usual) and bind-mounts its
// user namespace at /run/tcplab/NS.userns. The lab (core/link/tun.ts, netns option) forks a
// helper that joins that user namespace, then NS, opens /dev/net/tun there, attaches to the
// device and passes the fd back over SCM_RIGHTS. The user may also run kernel-side tools in NS
// without root: `nsenter --preserve-credentials --user=/run/tcplab/NS.userns --net=/run/netns/NS CMD`
// (as root of that namespace only). Attaching still needs /dev/net/tun to be openable by the user
// (mode 0666, the usual default; --chmod-tun sets it when it is not).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SETUP_DIR, readSetupState, setupStatePath, usernsPathFor, type SetupState } from '../../core/link/setup-state.ts';
import type { Command } from './command.ts';

export const DEFAULTS = { dev: 'tcplab0', kernelAddr: '10.77.0.1/24', labAddr: '10.77.0.2', mtu: 1500 };

/** A refusal or failure with a message meant for the person at the terminal. */
export class SetupError extends Error {}

// ---- arguments

export type FlagSpec = Record<string, 'value' | 'bool'>;

/** `--name value`, `--name=value` and boolean `--name`; anything else is refused. */
export function parseFlags(args: string[], spec: FlagSpec): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    const kind = m ? spec[m[1]] : undefined;
    if (!m || kind === undefined) {
      throw new SetupError(`unknown argument '${args[i]}' (known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')})`);
    }
    if (kind === 'bool') {
      if (m[2] !== undefined) throw new SetupError(`--${m[1]} takes no value`);
      out.set(m[1], true);
    } else if (m[2] !== undefined) {
      out.set(m[1], m[2]);
    } else if (i + 1 < args.length) {
      out.set(m[1], args[++i]);
    } else {
      throw new SetupError(`--${m[1]} needs a value`);
    }
  }
  return out;
}

const DEV_RE = /^[A-Za-z0-9_.-]{1,15}$/;
const NETNS_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function checkDev(dev: string): string {
  if (!DEV_RE.test(dev)) throw new SetupError(`invalid device name '${dev}': 1 to 15 letters, digits or _.-`);
  return dev;
}

export function checkNetns(ns: string): string {
  if (!NETNS_RE.test(ns) || ns === '.' || ns === '..') throw new SetupError(`invalid namespace name '${ns}': letters, digits or _.-`);
  return ns;
}

export function parseIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export interface SetupArgs {
  dev: string;
  netns: string | null;
  user: string;
  kernelAddr: string;
  prefixLength: number;
  labAddr: string;
  mtu: number;
  chmodTun: boolean;
}

const SETUP_FLAGS: FlagSpec = {
  dev: 'value', netns: 'value', user: 'value', 'kernel-addr': 'value', 'lab-addr': 'value', mtu: 'value', 'chmod-tun': 'bool',
};

function defaultUser(): string {
  return process.env.SUDO_USER ?? userInfo().username;
}

export function parseSetupArgs(args: string[]): SetupArgs {
  const f = parseFlags(args, SETUP_FLAGS);
  const str = (k: string, d: string): string => (typeof f.get(k) === 'string' ? (f.get(k) as string) : d);
  const [kernelAddr, prefixText = '24'] = str('kernel-addr', DEFAULTS.kernelAddr).split('/');
  const prefixLength = Number(prefixText);
  const kernel = parseIpv4(kernelAddr);
  if (kernel === null || !Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > 32) {
    throw new SetupError(`invalid --kernel-addr '${str('kernel-addr', '')}': expected an IPv4 address with a prefix, like 10.77.0.1/24`);
  }
  const labAddr = str('lab-addr', DEFAULTS.labAddr);
  const lab = parseIpv4(labAddr);
  if (lab === null) throw new SetupError(`invalid --lab-addr '${labAddr}': expected an IPv4 address like 10.77.0.2`);
  if (lab === kernel) throw new SetupError('--lab-addr must differ from the kernel side\'s address');
  const mtu = Number(str('mtu', String(DEFAULTS.mtu)));
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new SetupError(`invalid --mtu '${str('mtu', '')}': 68 to 65535`);
  const netns = f.has('netns') ? checkNetns(str('netns', '')) : null;
  return {
    dev: checkDev(str('dev', DEFAULTS.dev)), netns, user: str('user', defaultUser()), kernelAddr, prefixLength, labAddr, mtu,
    chmodTun: f.get('chmod-tun') === true,
  };
}

// ---- running system commands

export interface RunResult { code: number | null; stdout: string; stderr: string }

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Run a command (bounded in time); `ip`, `mount` and friends are found in sbin too. */
export function sh(argv: string[], timeoutMs = 20_000): RunResult {
  const env = { ...process.env, PATH: [process.env.PATH ?? '/usr/bin:/bin', ...SBIN].join(':') };
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: timeoutMs, env });
  return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? r.error.message : '') };
}

export function must(argv: string[]): RunResult {
  const r = sh(argv);
  if (r.code !== 0) throw new SetupError(`\`${argv.join(' ')}\` failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r;
}

export function ipArgs(netns: string | null): string[] {
  return netns === null ? ['ip'] : ['ip', '-n', netns];
}

export function netnsExists(ns: string): boolean {
  return existsSync(`/run/netns/${ns}`);
}

export interface LinkState {
  kind: string | null;
  tunType: string | null;
  owner: string | null;
  persist: boolean;
  multiQueue: boolean;
  mtu: number;
  up: boolean;
}

/** The device `dev` in namespace `netns` (null = ours), or null when there is no such device. */
export function linkState(netns: string | null, dev: string): LinkState | null {
  const r = sh([...ipArgs(netns), '-d', '-j', 'link', 'show', 'dev', dev]);
  if (r.code !== 0) return null;
  const [l] = JSON.parse(r.stdout) as {
    mtu: number; flags: string[];
    linkinfo?: { info_kind?: string; info_data?: { type?: string; user?: string | number; persist?: boolean; multi_queue?: boolean } };
  }[];
  const data = l.linkinfo?.info_data;
  return {
    kind: l.linkinfo?.info_kind ?? null, tunType: data?.type ?? null, owner: data?.user === undefined ? null : String(data.user),
    persist: data?.persist === true, multiQueue: data?.multi_queue === true, mtu: l.mtu, up: l.flags.includes('UP'),
  };
}

// ---- the plan, step by step

interface User { name: string; uid: number; gid: number }

function resolveUser(user: string): User {
  const r = sh(['getent', 'passwd', user]);
  const fields = r.stdout.trim().split(':');
  if (r.code !== 0 || fields.length < 4) throw new SetupError(`no such user '${user}'`);
  return { name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** The report: one line per step saying what was done or found. */
class Report {
  readonly lines: string[] = [];
  changed = 0;

  did(text: string): void {
    this.lines.push(`  + ${text}`);
    this.changed++;
  }

  ok(text: string): void {
    this.lines.push(`  = ${text}`);
  }

  warn(text: string): void {
    this.lines.push(`  ! ${text}`);
  }
}

/** Wait for a line on a child's stdout (bounded), rejecting with its stderr when it exits first. */
function waitForReady(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new SetupError('the namespace helper did not start in time')), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new SetupError(err.trim() || 'the namespace helper exited'));
    });
  });
}

/**
 * A network namespace owned by `user` through a user namespace the user owns (uid mapped to the
 * namespace's root), pinned at /run/netns/NS, its user namespace at /run/tcplab/NS.userns.
 */
async function makeUserOwnedNetns(ns: string, user: User): Promise<void> {
  const helper = spawn('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups',
    'unshare', '--user', '--map-root-user', '--net', '--', '/bin/sh', '-c', 'echo ready; exec cat >/dev/null'],
  { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => helper.on('exit', () => resolve()));
  try {
    await waitForReady(helper, 10_000);
  } catch (err) {
    throw new SetupError(`cannot make a user namespace for ${user.name}: ${(err as Error).message}. ` +
      'Unprivileged user namespaces may be restricted here (user.max_user_namespaces, ' +
      'kernel.apparmor_restrict_unprivileged_userns). Without them the lab must run as root to reach a namespace: ' +
      `rerun with --user root, or without --netns.`);
  }
  try {
    must(['ip', 'netns', 'attach', ns, String(helper.pid)]);
    mkdirSync(SETUP_DIR, { recursive: true });
    const usernsFile = usernsPathFor(ns);
    writeFileSync(usernsFile, '');
    must(['mount', '--bind', `/proc/${helper.pid}/ns/user`, usernsFile]);
  } finally {
    helper.stdin?.end();
    const timer = setTimeout(() => helper.pid !== undefined && helper.exitCode === null && process.kill(helper.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

async function stepNetns(a: SetupArgs, user: User, r: Report): Promise<boolean> {
  const ns = a.netns as string;
  const userOwned = user.uid !== 0;
  if (netnsExists(ns)) {
    if (userOwned && !existsSync(usernsPathFor(ns))) {
      throw new SetupError(`network namespace '${ns}' exists and belongs to root, so ${user.name}'s lab could not enter it. ` +
        `Choose another --netns, or remove it first (tcplab teardown --dev ${a.dev} --netns ${ns}).`);
    }
    r.ok(`network namespace ${ns} exists${userOwned ? ` (owned by ${user.name}'s user namespace)` : ''}`);
    return false;
  }
  if (userOwned) {
    await makeUserOwnedNetns(ns, user);
    r.did(`created network namespace ${ns}, owned by a user namespace of ${user.name} (${usernsPathFor(ns)})`);
  } else {
    must(['ip', 'netns', 'add', ns]);
    r.did(`created network namespace ${ns}`);
  }
  must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  sh(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  return true;
}

function stepDevice(a: SetupArgs, user: User, previous: SetupState | null, r: Report): LinkState {
  const where = a.netns === null ? 'the root namespace' : `namespace ${a.netns}`;
  let link = linkState(a.netns, a.dev);
  if (link === null && a.netns !== null) {
    const inRoot = linkState(null, a.dev);
    if (inRoot !== null && inRoot.kind === 'tun') {
      must(['ip', 'link', 'set', 'dev', a.dev, 'netns', a.netns]);
      r.did(`moved ${a.dev} into ${where}`);
      link = linkState(a.netns, a.dev);
    }
  }
  if (link === null && previous !== null && previous.netns !== a.netns && previous.netns !== null && netnsExists(previous.netns)) {
    throw new SetupError(`${a.dev} was set up in namespace ${previous.netns}: run \`tcplab teardown --dev ${a.dev}\` first`);
  }
  if (link !== null && (link.kind !== 'tun' || link.tunType !== 'tun')) {
    throw new SetupError(`${a.dev} exists in ${where} and is not a TUN device (${link.tunType ?? link.kind ?? 'unknown kind'}); choose another --dev`);
  }
  if (link !== null && link.multiQueue) {
    throw new SetupError(`${a.dev} is a multi-queue TUN; the lab uses single-queue devices: tcplab teardown --dev ${a.dev}, then setup again`);
  }
  const ownerOk = link !== null && (link.owner === user.name || link.owner === String(user.uid));
  if (link !== null && ownerOk && link.persist) {
    r.ok(`TUN ${a.dev} exists in ${where}, persistent, owned by ${user.name}`);
    return link;
  }
  const add = sh([...ipArgs(a.netns), 'tuntap', 'add', 'dev', a.dev, 'mode', 'tun', 'user', String(user.uid)]);
  if (add.code !== 0) {
    const busy = /busy/i.test(add.stderr);
    throw new SetupError(busy
      ? `${a.dev} is in use by a running process (a lab?): stop it and run setup again`
      : `cannot create TUN ${a.dev} in ${where}: ${add.stderr.trim()}`);
  }
  r.did(link === null ? `created persistent TUN ${a.dev} in ${where}, owned by ${user.name}` : `made TUN ${a.dev} persistent and owned by ${user.name}`);
  return linkState(a.netns, a.dev) as LinkState;
}

function stepAddress(a: SetupArgs, r: Report): void {
  const ip = ipArgs(a.netns);
  const shown = JSON.parse(must([...ip, '-j', 'addr', 'show', 'dev', a.dev]).stdout) as { addr_info?: { family: string; local: string; prefixlen: number }[] }[];
  const inet = (shown[0]?.addr_info ?? []).filter((x) => x.family === 'inet');
  let present = false;
  for (const x of inet) {
    if (x.local === a.kernelAddr && x.prefixlen === a.prefixLength) {
      present = true;
      continue;
    }
    must([...ip, 'addr', 'del', `${x.local}/${x.prefixlen}`, 'dev', a.dev]);
    r.did(`removed old address ${x.local}/${x.prefixlen} from ${a.dev}`);
  }
  if (present) {
    r.ok(`${a.dev} has the kernel-side address ${a.kernelAddr}/${a.prefixLength}`);
  } else {
    must([...ip, 'addr', 'add', `${a.kernelAddr}/${a.prefixLength}`, 'dev', a.dev]);
    r.did(`assigned the kernel-side address ${a.kernelAddr}/${a.prefixLength} to ${a.dev}`);
  }
  const mask = a.prefixLength === 32 ? 0xffffffff : ~(0xffffffff >>> a.prefixLength) >>> 0;
  const sameNet = ((parseIpv4(a.kernelAddr) as number) & mask) === ((parseIpv4(a.labAddr) as number) & mask);
  if (sameNet) {
    r.ok(`the lab's address ${a.labAddr} is on the device's subnet`);
    return;
  }
  const routes = JSON.parse(must([...ip, '-j', 'route', 'show', `${a.labAddr}/32`, 'dev', a.dev]).stdout) as unknown[];
  if (routes.length > 0) {
    r.ok(`route to the lab's address ${a.labAddr} via ${a.dev}`);
  } else {
    must([...ip, 'route', 'replace', `${a.labAddr}/32`, 'dev', a.dev]);
    r.did(`added a route to the lab's address ${a.labAddr} via ${a.dev}`);
  }
}

function stepLink(a: SetupArgs, link: LinkState, r: Report): void {
  const ip = ipArgs(a.netns);
  if (link.mtu !== a.mtu) {
    must([...ip, 'link', 'set', 'dev', a.dev, 'mtu', String(a.mtu)]);
    r.did(`set the MTU of ${a.dev} to ${a.mtu} (was ${link.mtu})`);
  } else {
    r.ok(`MTU ${a.mtu}`);
  }
  const key = `net.ipv6.conf.${a.dev}.disable_ipv6`;
  const inNs = a.netns === null ? [] : ['ip', 'netns', 'exec', a.netns];
  const v6 = sh([...inNs, 'sysctl', '-n', key]);
  if (v6.code === 0 && v6.stdout.trim() === '0') {
    sh([...inNs, 'sysctl', '-qw', `${key}=1`]);
    r.did(`turned IPv6 off on ${a.dev} (the lab speaks IPv4)`);
  }
  if (link.up) {
    r.ok(`${a.dev} is up`);
  } else {
    must([...ip, 'link', 'set', 'dev', a.dev, 'up']);
    r.did(`brought ${a.dev} up`);
  }
}

function stepCloneDevice(a: SetupArgs, user: User, r: Report): void {
  if (user.uid === 0) return;
  let mode: number;
  try {
    mode = statSync('/dev/net/tun').mode & 0o777;
  } catch {
    r.warn('/dev/net/tun does not exist: load the tun driver (modprobe tun)');
    return;
  }
  if ((mode & 0o006) === 0o006) {
    r.ok('/dev/net/tun is open to users (attaching still requires owning the device)');
  } else if (a.chmodTun) {
    must(['chmod', '0666', '/dev/net/tun']);
    r.did(`made /dev/net/tun mode 0666 (was 0${mode.toString(8)}), as most distributions ship it; until reboot`);
  } else {
    r.warn(`/dev/net/tun is mode 0${mode.toString(8)}, so ${user.name} cannot open it and the lab cannot attach unprivileged. ` +
      'Most distributions ship it 0666 (creating a TUN still needs root; attaching needs to own it). ' +
      'Rerun setup with --chmod-tun, or run: chmod 0666 /dev/net/tun');
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The exact command line to run this subcommand as root. */
export function asRootCommand(sub: string, args: string[]): string {
  let script = process.argv[1] ?? 'tcplab';
  try {
    script = realpathSync(script);
  } catch {
    // keep it as given
  }
  const self = script.endsWith('.js') ? [process.execPath, script] : ['tcplab'];
  return ['sudo', ...self, sub, ...args].map(shellQuote).join(' ');
}

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

function canonicalArgs(a: SetupArgs, user: string): string[] {
  const out = ['--dev', a.dev];
  if (a.netns !== null) out.push('--netns', a.netns);
  out.push('--user', user, '--kernel-addr', `${a.kernelAddr}/${a.prefixLength}`, '--lab-addr', a.labAddr, '--mtu', String(a.mtu));
  if (a.chmodTun) out.push('--chmod-tun');
  return out;
}

function usage(a: SetupArgs, user: User): string[] {
  const place = a.netns === null ? '' : ` in namespace ${a.netns}`;
  const lines = [`The lab can now run as ${user.name} without root: it attaches to ${a.dev}${place} ` +
    `(recorded in ${setupStatePath(a.dev)}) and speaks as ${a.labAddr}.`];
  if (a.netns !== null) {
    lines.push(`Kernel-side tools run in the namespace: sudo ip netns exec ${a.netns} curl http://${a.labAddr}/`);
    if (user.uid !== 0) {
      lines.push(`  or, as ${user.name} without sudo (root inside the namespace only):`,
        `  nsenter --preserve-credentials --user=${usernsPathFor(a.netns)} --net=/run/netns/${a.netns} curl http://${a.labAddr}/`);
    }
  }
  lines.push(`Undo with: tcplab teardown --dev ${a.dev}${a.netns ? ` --netns ${a.netns}` : ''}`);
  return lines;
}

/** Run setup; writes the report with `out`; returns the exit code. */
export async function setup(args: string[], out: (text: string) => void): Promise<number> {
  const a = parseSetupArgs(args);
  if (!isRoot()) {
    const state = readSetupState(a.dev);
    const done = state !== null && state.netns === a.netns && state.user === a.user &&
      state.kernelAddr === a.kernelAddr && state.prefixLength === a.prefixLength && state.labAddr === a.labAddr && state.mtu === a.mtu &&
      (a.netns === null || netnsExists(a.netns));
    if (done) {
      out(`tcplab setup: ${a.dev} is already set up as asked (${setupStatePath(a.dev)}); nothing to do.\n`);
      return 0;
    }
    out('tcplab setup needs root to create the TUN device' + (a.netns ? ' and the network namespace' : '') +
      '. Run this once as root; the lab then runs as you:\n\n' +
      `  ${asRootCommand('setup', canonicalArgs(a, a.user))}\n`);
    return 1;
  }
  const user = resolveUser(a.user);
  const previous = readSetupState(a.dev);
  const r = new Report();
  let createdNetns = previous !== null && previous.netns === a.netns && previous.createdNetns;
  if (a.netns !== null) createdNetns = (await stepNetns(a, user, r)) || createdNetns;
  const link = stepDevice(a, user, previous, r);
  stepAddress(a, r);
  stepLink(a, link, r);
  stepCloneDevice(a, user, r);
  const state: SetupState = {
    dev: a.dev, netns: a.netns, netnsPath: a.netns === null ? null : `/run/netns/${a.netns}`,
    usernsPath: a.netns !== null && user.uid !== 0 ? usernsPathFor(a.netns) : null,
    user: user.name, uid: user.uid, kernelAddr: a.kernelAddr, prefixLength: a.prefixLength, labAddr: a.labAddr, mtu: a.mtu,
    createdNetns,
  };
  mkdirSync(SETUP_DIR, { recursive: true });
  writeFileSync(setupStatePath(a.dev), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  const head = r.changed === 0 ? `tcplab setup: ${a.dev} was already set up; nothing changed.` : `tcplab setup: ${a.dev} is ready (${r.changed} change${r.changed === 1 ? '' : 's'}).`;
  out(`${head}\n${r.lines.join('\n')}\n\n${usage(a, user).join('\n')}\n`);
  return 0;
}

/** Remove the setup record (teardown). */
export function removeSetupState(dev: string): boolean {
  const p = setupStatePath(dev);
  if (!existsSync(p)) return false;
  rmSync(p, { force: true });
  return true;
}

export const setupCommand: Command = {
  name: 'setup',
  summary: 'as root: create a persistent TUN owned by a user (optionally with its kernel side in a network namespace)',
  async run(args) {
    try {
      return await setup(args, (t) => process.stdout.write(t));
    } catch (err) {
      if (err instanceof SetupError) {
        process.stderr.write(`tcplab setup: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
