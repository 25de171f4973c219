// The knobs: every tunable of the stack, with the Linux sysctl it mirrors (if any), its default
// (Linux's), range and a one-line doc. setKnob validates against this table and refuses with a
// message; the resolved values live in the shared TcpConfig the TCBs read.
import type { TcpConfig } from '../tcp/config.ts';
import type { IsnClock } from '../tcp/isn.ts';

export interface KnobSpec {
  readonly name: string;
  readonly linuxName?: string;
  readonly default: number | string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  readonly unit?: string;
  readonly doc: string;
  /** Other sysctl names that mean this knob (FreeBSD's for the SYN cache); packetdrill maps them too. */
  readonly aliases?: readonly string[];
}

export type Knobs = Record<string, number | string>;

const b = (name: string, linuxName: string, def: number, doc: string): KnobSpec => ({ name, linuxName, default: def, min: 0, max: 1, doc });

export const KNOBS: readonly KnobSpec[] = Object.freeze([
  { name: 'tcp_syn_retries', linuxName: 'net.ipv4.tcp_syn_retries', default: 6, min: 1, max: 127, doc: 'SYN retransmissions of an active open before ETIMEDOUT (1+2+4+...+64 s = 127 s with 6).' },
  { name: 'tcp_synack_retries', linuxName: 'net.ipv4.tcp_synack_retries', default: 5, min: 1, max: 255, doc: 'SYN-ACK retransmissions of a half-open request (after 1, 2, 4, 8, 16 s with 5) before it is dropped (~63 s after the SYN with 5).' },
  { name: 'tcp_retries2', linuxName: 'net.ipv4.tcp_retries2', default: 15, min: 1, max: 255, doc: 'Give up retransmitting after the time N backed-off RTOs from rto_min take (15: ~924.6 s), as Linux.' },
  { name: 'tcp_orphan_retries', linuxName: 'net.ipv4.tcp_orphan_retries', default: 0, min: 0, max: 255, doc: 'tcp_retries2 for connections the user closed; 0 means 8.' },
  { name: 'rto_initial_ms', default: 1000, min: 1, max: 120000, unit: 'ms', doc: 'Initial RTO (RFC 6298 2.1; Linux TCP_TIMEOUT_INIT).' },
  { name: 'rto_min_ms', default: 200, min: 1, max: 120000, unit: 'ms', doc: 'Lower bound of the RTO (Linux TCP_RTO_MIN 200 ms; RFC 6298 recommends 1 s).' },
  { name: 'tcp_rto_max_ms', linuxName: 'net.ipv4.tcp_rto_max_ms', default: 120000, min: 1000, max: 120000, unit: 'ms', doc: 'Upper bound of the RTO and its backoff.' },
  { name: 'delack_ms', default: 40, min: 1, max: 500, unit: 'ms', doc: 'Delayed-ACK timer (Linux TCP_DELACK_MIN 40 ms; RFC 1122 allows up to 500 ms).' },
  { name: 'tcp_fin_timeout', linuxName: 'net.ipv4.tcp_fin_timeout', default: 60, min: 1, max: 3600, unit: 's', doc: 'How long an orphaned connection stays in FIN-WAIT-2.' },
  { name: 'msl', default: 30, min: 1, max: 600, unit: 's', doc: 'Maximum segment lifetime; TIME-WAIT lasts 2*MSL (Linux TCP_TIMEWAIT_LEN = 60 s).' },
  { name: 'tcp_keepalive_time', linuxName: 'net.ipv4.tcp_keepalive_time', default: 7200, min: 1, max: 32767, unit: 's', doc: 'Idle time before the first keepalive probe (sockets with SO_KEEPALIVE).' },
  { name: 'tcp_keepalive_intvl', linuxName: 'net.ipv4.tcp_keepalive_intvl', default: 75, min: 1, max: 32767, unit: 's', doc: 'Time between keepalive probes.' },
  { name: 'tcp_keepalive_probes', linuxName: 'net.ipv4.tcp_keepalive_probes', default: 9, min: 1, max: 127, doc: 'Unanswered probes before the connection is reset (RFC 1122 texts often say 10; Linux 9).' },
  b('tcp_timestamps', 'net.ipv4.tcp_timestamps', 1, 'Offer and accept RFC 7323 timestamps (RTT measurement, PAWS).'),
  b('tcp_sack', 'net.ipv4.tcp_sack', 1, 'Offer and accept SACK-permitted (RFC 2018); SACK blocks are sent for out-of-order data.'),
  b('tcp_dsack', 'net.ipv4.tcp_dsack', 1, 'Report duplicate segments with D-SACK blocks (RFC 2883).'),
  b('tcp_window_scaling', 'net.ipv4.tcp_window_scaling', 1, 'Offer and accept window scaling (RFC 7323 2).'),
  { name: 'rcv_wscale', default: 7, min: 0, max: 14, doc: 'Our window scale shift when both sides offer scaling.' },
  { name: 'tcp_rmem', linuxName: 'net.ipv4.tcp_rmem', default: 262144, min: 2048, max: 16777216, unit: 'bytes', doc: 'Default receive buffer of new sockets (the middle value of Linux tcp_rmem; SO_RCVBUF overrides).' },
  { name: 'tcp_wmem', linuxName: 'net.ipv4.tcp_wmem', default: 262144, min: 2048, max: 16777216, unit: 'bytes', doc: 'Default send buffer of new sockets (the middle value of Linux tcp_wmem; SO_SNDBUF overrides).' },
  { name: 'initcwnd', default: 10, min: 1, max: 100, unit: 'segments', doc: 'Initial congestion window (RFC 6928; Linux TCP_INIT_CWND).' },
  { name: 'tcp_invalid_ratelimit', linuxName: 'net.ipv4.tcp_invalid_ratelimit', default: 500, min: 0, max: 60000, unit: 'ms', doc: 'Per-connection minimum gap between challenge ACKs (RFC 5961 7) and ACKs for out-of-window segments.' },
  b('tcp_rfc1337', 'net.ipv4.tcp_rfc1337', 0, '1: ignore RST in TIME-WAIT (RFC 1337); 0: an RST ends TIME-WAIT (Linux default).'),
  { name: 'syn_window', default: 65535, min: 1, max: 65535, unit: 'bytes', doc: 'Window field of SYN and SYN-ACK (never scaled).' },
  { name: 'isn_clock', default: '64ns', choices: ['64ns', '4us'], doc: 'Tick of the ISN clock M in ISN = M + F(4-tuple, secret): Linux 64 ns or RFC 793/6528 4 µs.' },
  b('tcp_slow_start_after_idle', 'net.ipv4.tcp_slow_start_after_idle', 1, 'Shrink cwnd towards the initial window after an idle period longer than the RTO (RFC 5681 4.1).'),
  b('tcp_nodelay_default', '', 0, 'TCP_NODELAY for new sockets (0: Nagle on, as Linux).'),
  { name: 'ip_local_port_low', default: 32768, min: 1024, max: 65535, doc: 'First ephemeral port (Linux ip_local_port_range).' },
  { name: 'ip_local_port_high', default: 60999, min: 1024, max: 65535, doc: 'Last ephemeral port (Linux ip_local_port_range).' },
  { name: 'somaxconn', linuxName: 'net.core.somaxconn', default: 4096, min: 1, max: 65535, doc: 'Upper limit of a listen backlog (the accept queue).' },
  { name: 'tcp_max_syn_backlog', linuxName: 'net.ipv4.tcp_max_syn_backlog', default: 1024, min: 1, max: 65535, doc: 'Half-open requests: with tcp_syncookies=0 a SYN is dropped when less than a quarter of this is left (the SYN queue itself is full at the listen backlog).' },
  b('tcp_abort_on_overflow', 'net.ipv4.tcp_abort_on_overflow', 0, '1: answer the handshake-completing ACK with RST when the accept queue is full; 0: drop it (the SYN-ACK is retransmitted).'),
  { name: 'tcp_syncookies', linuxName: 'net.ipv4.tcp_syncookies', default: 1, min: 0, max: 2, doc: 'SYN cookies (RFC 4987): 0 off (a SYN to a full SYN queue is dropped), 1 when the SYN queue is full, 2 for every SYN.' },
  { name: 'syn_defence', default: 'queue', choices: ['queue', 'cache'], doc: 'Where half-open requests wait: the listener\'s SYN queue (Linux) or a SYN cache, a bounded hash table evicting the oldest (FreeBSD syncache).' },
  { name: 'syncache_hashsize', default: 512, min: 1, max: 65536, doc: 'SYN cache buckets, a power of two (FreeBSD net.inet.tcp.syncache.hashsize).', aliases: ['net.inet.tcp.syncache.hashsize'] },
  { name: 'syncache_bucketlimit', default: 30, min: 1, max: 65535, doc: 'SYN cache entries per bucket; a new entry in a full bucket evicts its oldest (FreeBSD net.inet.tcp.syncache.bucketlimit).', aliases: ['net.inet.tcp.syncache.bucketlimit'] },
  { name: 'syncache_cachelimit', default: 15360, min: 1, max: 1048576, doc: 'SYN cache entries in all; when full a new entry evicts the oldest of its bucket (FreeBSD net.inet.tcp.syncache.cachelimit).', aliases: ['net.inet.tcp.syncache.cachelimit'] },
  { name: 'syncookie_period_s', default: 60, min: 1, max: 3600, unit: 's', doc: 'Tick of the SYN cookie clock; a cookie is valid for less than 2 ticks (Linux TCP_SYNCOOKIE_PERIOD, 60 s, fixed).' },
  { name: 'ip_default_ttl', linuxName: 'net.ipv4.ip_default_ttl', default: 64, min: 1, max: 255, doc: 'TTL of the packets we send.' },
].map((k) => (k.linuxName === '' ? { ...k, linuxName: undefined } : k)));

const BY_NAME = new Map<string, KnobSpec>(KNOBS.map((k) => [k.name, k]));

export function knobSpec(name: string): KnobSpec | undefined {
  return BY_NAME.get(name);
}

export function defaultKnobs(): Knobs {
  const k: Knobs = {};
  for (const s of KNOBS) k[s.name] = s.default;
  return k;
}

/** Validates one setting: null when fine, else the reason it is refused. */
export function validateKnob(name: string, value: number | string): string | null {
  const spec = BY_NAME.get(name);
  if (spec === undefined) return `unknown knob '${name}'`;
  if (spec.choices !== undefined) {
    if (typeof value !== 'string' || !spec.choices.includes(value)) return `${name} must be one of ${spec.choices.join(', ')}`;
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) return `${name} must be an integer`;
  if (spec.min !== undefined && value < spec.min) return `${name} must be >= ${spec.min}${spec.unit ? ' ' + spec.unit : ''}`;
  if (spec.max !== undefined && value > spec.max) return `${name} must be <= ${spec.max}${spec.unit ? ' ' + spec.unit : ''}`;
  if (name === 'syncache_hashsize' && (value & (value - 1)) !== 0) return `${name} must be a power of two`;
  return null;
}

const n = (k: Knobs, name: string): number => k[name] as number;

/** Writes the knobs into the shared TcpConfig (existing connections see the change, as sysctls). */
export function applyKnobs(k: Knobs, cfg: TcpConfig): void {
  cfg.synRetries = n(k, 'tcp_syn_retries');
  cfg.synackRetries = n(k, 'tcp_synack_retries');
  cfg.retries2 = n(k, 'tcp_retries2');
  cfg.orphanRetries = n(k, 'tcp_orphan_retries');
  cfg.rtoInitialMs = n(k, 'rto_initial_ms');
  cfg.rtoMinMs = n(k, 'rto_min_ms');
  cfg.rtoMaxMs = n(k, 'tcp_rto_max_ms');
  cfg.delackMs = n(k, 'delack_ms');
  cfg.finTimeoutMs = n(k, 'tcp_fin_timeout') * 1000;
  cfg.timeWaitMs = 2 * n(k, 'msl') * 1000;
  cfg.keepIdleMs = n(k, 'tcp_keepalive_time') * 1000;
  cfg.keepIntvlMs = n(k, 'tcp_keepalive_intvl') * 1000;
  cfg.keepCnt = n(k, 'tcp_keepalive_probes');
  cfg.timestamps = n(k, 'tcp_timestamps') === 1;
  cfg.sack = n(k, 'tcp_sack') === 1;
  cfg.dsack = n(k, 'tcp_dsack') === 1;
  cfg.windowScaling = n(k, 'tcp_window_scaling') === 1;
  cfg.wscale = n(k, 'rcv_wscale');
  cfg.rcvbuf = n(k, 'tcp_rmem');
  cfg.sndbuf = n(k, 'tcp_wmem');
  cfg.initCwnd = n(k, 'initcwnd');
  cfg.invalidRatelimitMs = n(k, 'tcp_invalid_ratelimit');
  cfg.rfc1337 = n(k, 'tcp_rfc1337') === 1;
  cfg.synWindow = n(k, 'syn_window');
  cfg.nodelay = n(k, 'tcp_nodelay_default') === 1;
  cfg.slowStartAfterIdle = n(k, 'tcp_slow_start_after_idle') === 1;
}

export function isnClockOf(k: Knobs): IsnClock {
  return k.isn_clock as IsnClock;
}
