// The numbers the state machine reads. The stack fills one shared TcpConfig from its knobs
// (core/stack/knobs.ts, Linux names and defaults there); every TCB points at it.

export interface TcpConfig {
  /** Link MTU; the MSS we advertise is mtu - 40. */
  mtu: number;
  /** RFC 6298 2.1 initial RTO (Linux TCP_TIMEOUT_INIT, 1 s). */
  rtoInitialMs: number;
  /** Lower bound of the RTO (Linux TCP_RTO_MIN, 200 ms; RFC 6298 says 1 s). */
  rtoMinMs: number;
  /** Upper bound of the RTO (Linux TCP_RTO_MAX, 120 s). */
  rtoMaxMs: number;
  /** tcp_retries2: how long (as an equivalent number of backed-off RTOs) to retransmit before giving up. */
  retries2: number;
  /** tcp_orphan_retries for connections the user has closed; 0 means 8 (Linux). */
  orphanRetries: number;
  /** tcp_syn_retries: SYN retransmissions for an active open. */
  synRetries: number;
  /** tcp_synack_retries: SYN-ACK retransmissions for a passive open. */
  synackRetries: number;
  /** Delayed-ACK timer. */
  delackMs: number;
  /** tcp_fin_timeout: lifetime of an orphaned FIN-WAIT-2 connection. */
  finTimeoutMs: number;
  /** TIME-WAIT duration, 2*MSL (Linux TCP_TIMEWAIT_LEN 60 s). */
  timeWaitMs: number;
  keepIdleMs: number;
  keepIntvlMs: number;
  keepCnt: number;
  /** tcp_timestamps, tcp_sack, tcp_dsack, tcp_window_scaling: offer and accept these options. */
  timestamps: boolean;
  sack: boolean;
  dsack: boolean;
  windowScaling: boolean;
  /** Our window scale shift when both sides offer window scaling. */
  wscale: number;
  /** Default receive and send buffer sizes (bytes). */
  rcvbuf: number;
  sndbuf: number;
  /** Initial congestion window in segments (RFC 6928). */
  initCwnd: number;
  /** tcp_invalid_ratelimit: minimum gap between challenge / out-of-window ACKs of one connection. */
  invalidRatelimitMs: number;
  /** tcp_rfc1337: 1 = ignore RST in TIME-WAIT (RFC 1337); 0 = Linux default, RST ends TIME-WAIT. */
  rfc1337: boolean;
  /** Window field of SYN and SYN-ACK (never scaled, RFC 7323 2.2). */
  synWindow: number;
  /** TCP_NODELAY default for new sockets. */
  nodelay: boolean;
  /** tcp_slow_start_after_idle: shrink cwnd after an idle period longer than the RTO (RFC 5681 4.1). */
  slowStartAfterIdle: boolean;
}

export const DEFAULT_TCP_CONFIG: Readonly<TcpConfig> = Object.freeze({
  mtu: 1500,
  rtoInitialMs: 1000,
  rtoMinMs: 200,
  rtoMaxMs: 120_000,
  retries2: 15,
  orphanRetries: 0,
  synRetries: 6,
  synackRetries: 5,
  delackMs: 40,
  finTimeoutMs: 60_000,
  timeWaitMs: 60_000,
  keepIdleMs: 7_200_000,
  keepIntvlMs: 75_000,
  keepCnt: 9,
  timestamps: true,
  sack: true,
  dsack: true,
  windowScaling: true,
  wscale: 7,
  rcvbuf: 262_144,
  sndbuf: 262_144,
  initCwnd: 10,
  invalidRatelimitMs: 500,
  rfc1337: false,
  synWindow: 65_535,
  nodelay: false,
  slowStartAfterIdle: true,
});

export function defaultTcpConfig(overrides: Partial<TcpConfig> = {}): TcpConfig {
  return { ...DEFAULT_TCP_CONFIG, ...overrides };
}
