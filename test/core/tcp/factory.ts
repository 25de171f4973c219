// State factories: build a TCB in any state directly, and helpers to feed it segments.
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import type { TcpConfig } from '../../../core/tcp/config.ts';
import { RecordingSink } from '../../../core/tcp/effects.ts';
import { initCongestion } from '../../../core/tcp/congestion.ts';
import { updateMss } from '../../../core/tcp/handshake.ts';
import type { TcpState } from '../../../core/tcp/state.ts';
import {
  F_FIN_ACKED, F_FIN_QUEUED, F_FIN_RCVD, F_FIN_SENT, F_PASSIVE, F_SACK, F_TS, F_WSCALE, Tcb,
} from '../../../core/tcp/tcb.ts';
import { seq, seqAdd } from '../../../core/wire/seq.ts';
import type { Seq } from '../../../core/wire/seq.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';
import { NO_OPTIONS } from '../../../core/wire/tcp-options.ts';
import type { TcpOptions } from '../../../core/wire/tcp-options.ts';

export const LOCAL = 0x0a4d0002;
export const REMOTE = 0x0a4d0001;
export const LPORT = 8080;
export const RPORT = 40000;
export const ISS = 1000;
export const IRS = 5000;

export interface TcbSpec {
  state: TcpState;
  iss?: number;
  irs?: number;
  cfg?: Partial<TcpConfig>;
  ts?: boolean;
  sack?: boolean;
  wscale?: boolean;
  sndWnd?: number;
  peerMss?: number;
  passive?: boolean;
}

/**
 * A TCB in `state` as if the handshake (and close steps) happened: our ISS, their IRS, window
 * 65535 both ways, MSS 1460 (or peerMss), options off unless asked for. In states after our
 * FIN the FIN has sequence number ISS+1; after theirs, RCV.NXT = IRS+2.
 */
export function makeTcb(spec: TcbSpec): Tcb {
  const cfg = defaultTcpConfig(spec.cfg);
  const t = new Tcb(1, cfg, LOCAL, LPORT, REMOTE, RPORT);
  const iss = seq(spec.iss ?? ISS);
  const irs = seq(spec.irs ?? IRS);
  t.iss = iss;
  t.irs = irs;
  t.sndUna = seqAdd(iss, 1);
  t.sndNxt = seqAdd(iss, 1);
  t.sndMax = t.sndNxt;
  t.sndSml = t.sndUna;
  t.rcvNxt = seqAdd(irs, 1);
  t.sndWnd = spec.sndWnd ?? 65535;
  t.maxSndWnd = t.sndWnd;
  t.sndWl1 = irs;
  t.sndWl2 = t.sndUna;
  t.peerMss = spec.peerMss ?? 1460;
  if (spec.ts) {
    t.flags |= F_TS;
    t.tsRecent = 100;
  }
  if (spec.sack) t.flags |= F_SACK;
  if (spec.wscale) {
    t.flags |= F_WSCALE;
    t.sndWscale = 7;
    t.rcvWscale = 7;
  }
  if (spec.passive) t.flags |= F_PASSIVE;
  updateMss(t);
  initCongestion(t);
  t.rcvAdv = seqAdd(t.rcvNxt, Math.min(cfg.rcvbuf, spec.wscale ? cfg.rcvbuf : 65535));
  t.lastAckSent = t.rcvNxt;
  const st = spec.state;
  if (st === 'SYN-SENT') {
    t.sndUna = iss;
    t.rcvNxt = seq(0);
    t.rcvAdv = seq(0);
  }
  if (st === 'SYN-RECEIVED') t.sndUna = iss;
  const ourFin = st === 'FIN-WAIT-1' || st === 'FIN-WAIT-2' || st === 'CLOSING' || st === 'LAST-ACK' || st === 'TIME-WAIT';
  if (ourFin) {
    t.flags |= F_FIN_QUEUED | F_FIN_SENT;
    t.sndNxt = seqAdd(iss, 2);
    t.sndMax = t.sndNxt;
    // Our FIN is acknowledged in FIN-WAIT-2 and TIME-WAIT.
    if (st === 'FIN-WAIT-2' || st === 'TIME-WAIT') {
      t.sndUna = t.sndNxt;
      t.flags |= F_FIN_ACKED;
    }
  }
  const theirFin = st === 'CLOSE-WAIT' || st === 'CLOSING' || st === 'LAST-ACK' || st === 'TIME-WAIT';
  if (theirFin) {
    t.flags |= F_FIN_RCVD;
    t.rcvNxt = seqAdd(irs, 2);
    t.rcvAdv = seqAdd(t.rcvAdv, 1);
    t.lastAckSent = t.rcvNxt;
  }
  t.state = st;
  return t;
}

export interface SegSpec {
  seq: number;
  ack?: number | null;
  flags?: number;
  window?: number;
  payload?: Uint8Array | number;
  options?: TcpOptions;
  urgent?: number | null;
}

/** A segment from the remote (RPORT -> LPORT). `payload` may be a length (bytes 0..n-1 mod 256). */
export function seg(s: SegSpec): TcpSegment {
  let payload: Uint8Array;
  if (typeof s.payload === 'number') {
    payload = new Uint8Array(s.payload);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
  } else payload = s.payload ?? new Uint8Array(0);
  return {
    srcPort: RPORT,
    dstPort: LPORT,
    seq: seq(s.seq),
    ack: s.ack === undefined || s.ack === null ? null : seq(s.ack),
    flags: s.flags ?? 0,
    window: s.window ?? 65535,
    urgent: s.urgent ?? null,
    options: s.options ?? NO_OPTIONS,
    payload,
  };
}

export function sink(): RecordingSink {
  return new RecordingSink();
}

export function s(n: number): Seq {
  return seq(n);
}
