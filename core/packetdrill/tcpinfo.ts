// tcp_info for `%{ }%` snippets: Linux's tcpi_* fields from our socket's info() (SocketInfo,
// core/stack/snapshot.ts). Units are Linux's: times in microseconds, windows in segments.
import type { SocketInfo } from '../stack/snapshot.ts';
import { TCP_STATE_CONSTANTS } from './code.ts';
import type { InfoLookup } from './code.ts';
import type { PdSocket } from './stack-port.ts';

const STATE_NUMBERS: Readonly<Record<string, number>> = {
  ESTABLISHED: TCP_STATE_CONSTANTS.TCP_ESTABLISHED,
  'SYN-SENT': TCP_STATE_CONSTANTS.TCP_SYN_SENT,
  'SYN-RECEIVED': TCP_STATE_CONSTANTS.TCP_SYN_RECV,
  'FIN-WAIT-1': TCP_STATE_CONSTANTS.TCP_FIN_WAIT1,
  'FIN-WAIT-2': TCP_STATE_CONSTANTS.TCP_FIN_WAIT2,
  'TIME-WAIT': TCP_STATE_CONSTANTS.TCP_TIME_WAIT,
  CLOSED: TCP_STATE_CONSTANTS.TCP_CLOSE,
  'CLOSE-WAIT': TCP_STATE_CONSTANTS.TCP_CLOSE_WAIT,
  'LAST-ACK': TCP_STATE_CONSTANTS.TCP_LAST_ACK,
  LISTEN: TCP_STATE_CONSTANTS.TCP_LISTEN,
  CLOSING: TCP_STATE_CONSTANTS.TCP_CLOSING,
};

const usecs = (ms: number): number => Math.round(ms * 1000);

/** Linux's TCPI_OPT_* bits. */
function options(i: SocketInfo): number {
  return (i.timestamps ? 1 : 0) | (i.sack ? 2 : 0) | (i.wscaleOk ? 4 : 0);
}

/** The tcpi_* fields we provide; the others are unsupported (the snippet runner reports them). */
const FIELDS: Readonly<Record<string, (i: SocketInfo, sock: PdSocket) => number | undefined>> = {
  tcpi_state: (_i, s) => STATE_NUMBERS[s.state],
  tcpi_rto: (i) => usecs(i.rto),
  tcpi_rtt: (i) => usecs(i.srtt),
  tcpi_rttvar: (i) => usecs(i.rttvar),
  tcpi_snd_cwnd: (i) => i.cwndSegments,
  tcpi_snd_ssthresh: (i) => i.ssthreshSegments,
  tcpi_retransmits: (i) => i.retransmits,
  tcpi_backoff: (i) => i.backoff,
  tcpi_total_retrans: (i) => i.totalRetrans,
  tcpi_probes: (i) => i.probes,
  tcpi_unacked: (i) => i.unacked,
  tcpi_snd_mss: (i) => i.mss,
  tcpi_rcv_mss: (i) => i.rcvMss,
  tcpi_advmss: (i) => i.advMss,
  tcpi_snd_wscale: (i) => i.sndWscale,
  tcpi_rcv_wscale: (i) => i.rcvWscale,
  tcpi_options: options,
};

export const SUPPORTED_TCPI_FIELDS: readonly string[] = Object.keys(FIELDS);

export function tcpInfoLookup(sock: PdSocket): InfoLookup {
  let info: SocketInfo | null = null;
  return (name) => {
    const f = FIELDS[name];
    if (f === undefined) return undefined;
    info ??= sock.info();
    return f(info, sock);
  };
}
