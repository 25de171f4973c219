// The TCP header (RFC 9293 3.1). Codec to be completed by the wire work.
import type { Seq } from './seq.ts';
import type { TcpOptions } from './tcp-options.ts';

// Flag bits as on the wire. ACK and URG are not in `flags`: they are implied by
// `ack !== null` and `urgent !== null`, so a segment cannot claim one without the other.
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK_BIT = 0x10;
export const URG_BIT = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

export interface TcpSegment {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: Seq;
  /** The acknowledgment number; non-null exactly when the ACK flag is set. */
  readonly ack: Seq | null;
  /** FIN | SYN | RST | PSH | ECE | CWR bits (ACK and URG are derived, see above). */
  readonly flags: number;
  /** The raw 16-bit window field (not scaled). */
  readonly window: number;
  /** The urgent pointer; non-null exactly when the URG flag is set. */
  readonly urgent: number | null;
  readonly options: TcpOptions;
  readonly payload: Uint8Array;
}
