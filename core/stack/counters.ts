// Counters with the names Linux uses (netstat -s / nstat: Tcp*, TcpExt*, Ip*, Icmp*), stored
// in one Float64Array; the hot path increments by index.

export const COUNTER_NAMES = [
  // Tcp (RFC 4022 / Linux /proc/net/snmp)
  'ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs',
  'RetransSegs', 'InErrs', 'OutRsts', 'InCsumErrors',
  // TcpExt (Linux /proc/net/netstat)
  'ListenOverflows', 'ListenDrops', 'TCPTimeouts', 'DelayedACKs', 'TCPChallengeACK', 'TCPSYNChallenge',
  'TCPACKSkippedChallenge', 'TCPACKSkippedSeq', 'TCPACKSkippedPAWS', 'PAWSEstabRejected', 'TCPAbortOnData',
  'TCPAbortOnClose', 'TCPAbortOnTimeout', 'TCPAbortOnLinger', 'TCPKeepAliveTimeouts', 'TCPWinProbe', 'TCPRenoRecovery',
  'TCPFastRetrans', 'TCPSackRecovery', 'TCPOFOQueue', 'TCPTimeWaitFinRetrans', 'TCPURGRecv', 'TW', 'TCPReqQFullDrop',
  'EmbryonicRsts', 'TCPOrphanDrops', 'TWRecycled', 'SyncookiesSent', 'SyncookiesRecv', 'SyncookiesFailed',
  'TCPReqQFullDoCookies', 'TCPSynRetrans', 'TCPACKSkippedSynRecv',
  // The SYN cache (syn_defence=cache), as FreeBSD's netstat -s counts it (tcps_sc_*)
  'SyncacheAdded', 'SyncacheBucketOverflow', 'SyncacheCacheOverflow',
  // Ip
  'InReceives', 'InHdrErrors', 'InAddrErrors', 'InUnknownProtos', 'InDelivers', 'OutRequests',
  'ReasmReqds', 'ReasmFails',
  // Icmp
  'InMsgs', 'InErrors', 'InEchos', 'OutEchoReps', 'InDestUnreachs', 'OutMsgs',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

const INDEX = new Map<string, number>(COUNTER_NAMES.map((n, i) => [n, i]));

export function counterIndex(name: CounterName): number {
  return INDEX.get(name) as number;
}

export class Counters {
  readonly values = new Float64Array(COUNTER_NAMES.length);

  get(name: string): number {
    const i = INDEX.get(name);
    return i === undefined ? 0 : this.values[i];
  }

  /** Increment by name (unknown names are ignored). */
  add(name: string, n = 1): void {
    const i = INDEX.get(name);
    if (i !== undefined) this.values[i] += n;
  }

  inc(index: number, n = 1): void {
    this.values[index] += n;
  }

  all(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < COUNTER_NAMES.length; i++) out[COUNTER_NAMES[i]] = this.values[i];
    return out;
  }
}

// Indices for the hot path.
export const C_InSegs = counterIndex('InSegs');
export const C_OutSegs = counterIndex('OutSegs');
export const C_InReceives = counterIndex('InReceives');
export const C_InDelivers = counterIndex('InDelivers');
export const C_OutRequests = counterIndex('OutRequests');
export const C_OutRsts = counterIndex('OutRsts');
