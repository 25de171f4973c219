// Round-trip time estimation and the retransmission timeout (RFC 6298), with Karn's
// algorithm (no samples from retransmitted segments unless timestamps tell them apart) and
// exponential backoff. The timeout bound for giving up follows Linux's tcp_model_timeout.
import { F_RTT_VALID } from './tcb.ts';
import type { Tcb } from './tcb.ts';

/** Clock granularity G of RFC 6298 (ms). */
export const CLOCK_GRANULARITY_MS = 1;

/** RFC 6298 2.2 / 2.3: feed one RTT measurement r (ms). */
export function rttSample(tcb: Tcb, r: number): void {
  if (r < 0) return;
  const rUs = Math.round(r * 1000);
  if ((tcb.flags & F_RTT_VALID) === 0) {
    // RFC 6298 2.2: the first measurement.
    tcb.srttUs = rUs;
    tcb.rttvarUs = Math.round(rUs / 2);
    tcb.flags |= F_RTT_VALID;
  } else {
    // RFC 6298 2.3: alpha = 1/8, beta = 1/4 (RTTVAR first, with the old SRTT).
    tcb.rttvarUs = Math.round(0.75 * tcb.rttvarUs + 0.25 * Math.abs(tcb.srttUs - rUs));
    tcb.srttUs = Math.round(0.875 * tcb.srttUs + 0.125 * rUs);
  }
  // RFC 6298 2.3: RTO = SRTT + max(G, 4*RTTVAR), in whole ms (rounded up).
  tcb.rto = boundedRto(tcb, Math.ceil((tcb.srttUs + Math.max(CLOCK_GRANULARITY_MS * 1000, 4 * tcb.rttvarUs)) / 1000));
}

/**
 * RFC 6298 2.4/2.5 with the lab's bounds: at least rto_min (Linux's 200 ms; the RFC says 1 s)
 * and at most rto_max (120 s).
 */
export function boundedRto(tcb: Tcb, rto: number): number {
  return Math.min(tcb.cfg.rtoMaxMs, Math.max(tcb.cfg.rtoMinMs, rto));
}

/** The RTO with the current backoff (RFC 6298 5.5), bounded by rto_max. */
export function currentRto(tcb: Tcb): number {
  return Math.min(tcb.cfg.rtoMaxMs, tcb.rto * 2 ** tcb.backoff);
}

/**
 * Linux's tcp_model_timeout: how long `boundary` retransmissions take when the RTO starts at
 * rtoBase and doubles up to rto_max. tcp_retries2 = 15 with a 200 ms base gives 924.6 s.
 */
export function modelTimeout(boundary: number, rtoBase: number, rtoMax: number): number {
  const thresh = Math.floor(Math.log2(rtoMax / rtoBase));
  if (boundary <= thresh) return (2 ** (boundary + 1) - 1) * rtoBase;
  return (2 ** (thresh + 1) - 1) * rtoBase + (boundary - thresh) * rtoMax;
}
