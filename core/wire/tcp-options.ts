// TCP options (RFC 9293 3.1, RFC 7323, RFC 2018). Codec to be completed by the wire work.
import type { Seq } from './seq.ts';

export interface SackBlock {
  readonly left: Seq;
  readonly right: Seq;
}

export interface Timestamps {
  /** TSval */
  readonly value: number;
  /** TSecr */
  readonly echo: number;
}

/** The options of one segment; absent fields were not present on the wire. */
export interface TcpOptions {
  readonly mss?: number;
  readonly wscale?: number;
  readonly sackPermitted?: boolean;
  readonly sack?: readonly SackBlock[];
  readonly timestamps?: Timestamps;
  /** Options we do not interpret, skipped by their length. */
  readonly unknown?: readonly { readonly kind: number; readonly length: number }[];
}

export const NO_OPTIONS: TcpOptions = Object.freeze({});
