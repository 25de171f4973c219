// Script flags (`--tolerance_usecs=10000`) -> the runner's configuration. Defaults are
// packetdrill's: 192.168.0.1 is the host under test (our stack), 192.0.2.1 the remote side
// the script plays, port 8080 for bind() and connect(), 4 ms timing tolerance.
import { parseAddress } from '../wire/ipv4.ts';
import type { ScriptError, ScriptFlag } from './script.ts';

export interface RunConfig {
  /** Allowed lateness or earliness of an event, in microseconds. */
  readonly toleranceUsecs: number;
  /** Our address (the stack's), u32. */
  readonly localIp: number;
  /** The script's address, u32. */
  readonly remoteIp: number;
  /** The port bind(..., ...) gives a socket. */
  readonly bindPort: number;
  /** The port connect(..., ...) connects to. */
  readonly connectPort: number;
  /** The script's port for connections it opens to us (packetdrill picks one at random; we do not). */
  readonly remotePort: number;
  readonly mtu: number;
  /** When set, TS val of outbound packets is checked at this clock rate (as packetdrill does). */
  readonly tsTickUsecs: number | null;
}

export const DEFAULT_CONFIG: RunConfig = {
  toleranceUsecs: 4000,
  localIp: 0xc0a80001, // 192.168.0.1
  remoteIp: 0xc0000201, // 192.0.2.1
  bindPort: 8080,
  connectPort: 8080,
  remotePort: 40000,
  mtu: 1500,
  tsTickUsecs: null,
};

export interface ResolvedConfig {
  readonly config: RunConfig;
  /** Flags we do not know or do not act on, reported. */
  readonly warnings: readonly ScriptError[];
}

/** Flags of packetdrill's that do not change anything for our runner. */
const IGNORED_FLAGS = new Set([
  'verbose', 'dry_run', 'gateway_ip', 'netmask_ip', 'init_scripts', 'speed', 'non_fatal', 'so_filename',
  'so_flags', 'wire_client', 'wire_server', 'wire_server_ip', 'wire_server_port', 'wire_client_dev',
  'wire_server_dev', 'mtu_tcp', 'ip_version_tcp', 'strict_segments', 'persistent_tun',
]);

export function resolveConfig(flags: readonly ScriptFlag[], base: RunConfig = DEFAULT_CONFIG): ResolvedConfig | { error: ScriptError } {
  let config: RunConfig = base;
  const warnings: ScriptError[] = [];
  for (const f of flags) {
    const applied = applyFlag(config, f);
    if ('error' in applied) return { error: { loc: f.loc, message: applied.error } };
    if ('warning' in applied) warnings.push({ loc: f.loc, message: applied.warning });
    else config = applied.config;
  }
  return { config, warnings };
}

type Applied = { config: RunConfig } | { warning: string } | { error: string };

function applyFlag(c: RunConfig, f: ScriptFlag): Applied {
  const v = f.value ?? '';
  switch (f.name) {
    case 'tolerance_usecs':
      return int(v, 0, 60_000_000, f.name, (n) => ({ ...c, toleranceUsecs: n }));
    case 'tcp_ts_tick_usecs':
      return int(v, 0, 1_000_000, f.name, (n) => ({ ...c, tsTickUsecs: n === 0 ? null : n }));
    case 'bind_port':
      return int(v, 1, 65535, f.name, (n) => ({ ...c, bindPort: n }));
    case 'connect_port':
      return int(v, 1, 65535, f.name, (n) => ({ ...c, connectPort: n }));
    case 'mtu':
      return int(v, 68, 65535, f.name, (n) => ({ ...c, mtu: n }));
    case 'local_ip':
    case 'remote_ip': {
      const a = parseAddress(v);
      if (a === null) return { error: `--${f.name}: '${v}' is not an IPv4 address (only IPv4 is supported)` };
      return { config: f.name === 'local_ip' ? { ...c, localIp: a } : { ...c, remoteIp: a } };
    }
    case 'ip_version':
      return v === 'ipv4' ? { config: c } : { error: `--ip_version=${v}: only ipv4 is supported` };
    default:
      if (IGNORED_FLAGS.has(f.name)) return { warning: `flag --${f.name} has no effect here (ignored)` };
      return { warning: `unknown flag --${f.name} (ignored)` };
  }
}

function int(v: string, min: number, max: number, name: string, set: (n: number) => RunConfig): Applied {
  if (!/^\d+$/.test(v)) return { error: `--${name}: expected an integer, got '${v}'` };
  const n = Number(v);
  if (n < min || n > max) return { error: `--${name}: ${n} is out of range ${min}..${max}` };
  return { config: set(n) };
}
