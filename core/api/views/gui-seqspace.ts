// The sequence-space view (GUI): where SND.UNA, SND.NXT, RCV.NXT and the two windows sit on the
// 32-bit circle, so wraparound is visible. Pure geometry over the snapshot's numbers; the
// renderer draws it. Angles are in turns (0..1), clockwise from the top; arithmetic is modulo
// 2^32 like the kernel's before()/after().

const SPACE = 2 ** 32;

/** (b - a) mod 2^32: how far b is ahead of a. */
export function seqDistance(a: number, b: number): number {
  return (((b - a) % SPACE) + SPACE) % SPACE;
}

export function seqTurn(s: number): number {
  return (((s % SPACE) + SPACE) % SPACE) / SPACE;
}

export interface SeqMark {
  key: string;                  // 'SND.UNA', 'SND.NXT', ...
  value: number;                // the sequence number (u32)
  turn: number;                 // where on the circle (0..1)
  offset: number;               // distance from the side's origin (ISS or IRS), mod 2^32
}

export interface SeqArc {
  key: string;                  // 'in flight', 'usable window', 'receive window'
  start: number;                // u32
  length: number;               // bytes
  startTurn: number;
  endTurn: number;
  wraps: boolean;               // crosses 0 (2^32 -> 0)
}

export interface SeqSide {
  name: 'send' | 'receive';
  origin: number | null;        // ISS or IRS
  marks: SeqMark[];
  arcs: SeqArc[];
  /** A linear zoom around the interesting span: [lo, hi) in offsets from `zoomBase`. */
  zoomBase: number;
  zoomSpan: number;
}

export interface SeqSpaceInput {
  iss: number;
  irs: number | null;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
}

function mark(key: string, value: number, origin: number | null): SeqMark {
  return { key, value: value >>> 0, turn: seqTurn(value), offset: origin === null ? 0 : seqDistance(origin, value) };
}

export function arc(key: string, start: number, length: number): SeqArc {
  const s = start >>> 0;
  const end = s + length;
  return { key, start: s, length, startTurn: seqTurn(s), endTurn: seqTurn(end), wraps: end > SPACE || (end === SPACE && length > 0) };
}

function zoom(points: number[]): { base: number; span: number } {
  // All points as distances from the first; the span covers them with a margin.
  const base = points[0] >>> 0;
  let span = 1;
  for (const p of points) span = Math.max(span, seqDistance(base, p));
  const margin = Math.max(16, Math.ceil(span * 0.08));
  return { base: (base - margin + SPACE) % SPACE, span: span + 2 * margin };
}

export function sequenceSpace(c: SeqSpaceInput): { send: SeqSide; receive: SeqSide } {
  const inFlight = seqDistance(c.sndUna, c.sndNxt);
  const usable = Math.max(0, c.sndWnd - inFlight);
  const sendZoom = zoom([c.sndUna, c.sndNxt, c.sndUna + c.sndWnd]);
  const send: SeqSide = {
    name: 'send',
    origin: c.iss >>> 0,
    marks: [mark('ISS', c.iss, c.iss), mark('SND.UNA', c.sndUna, c.iss), mark('SND.NXT', c.sndNxt, c.iss), mark('SND.UNA+SND.WND', c.sndUna + c.sndWnd, c.iss)],
    arcs: [arc('in flight', c.sndUna, inFlight), arc('usable window', c.sndNxt, usable)],
    zoomBase: sendZoom.base,
    zoomSpan: sendZoom.span,
  };
  const rz = zoom([c.rcvNxt, c.rcvNxt + c.rcvWnd]);
  const receive: SeqSide = {
    name: 'receive',
    origin: c.irs === null ? null : c.irs >>> 0,
    marks: [
      ...(c.irs === null ? [] : [mark('IRS', c.irs, c.irs)]),
      mark('RCV.NXT', c.rcvNxt, c.irs),
      mark('RCV.NXT+RCV.WND', c.rcvNxt + c.rcvWnd, c.irs),
    ],
    arcs: [arc('receive window', c.rcvNxt, c.rcvWnd)],
    zoomBase: rz.base,
    zoomSpan: rz.span,
  };
  return { send, receive };
}

/** Position of `value` in a zoom strip, 0..1 (may fall outside when far away). */
export function zoomPosition(side: Pick<SeqSide, 'zoomBase' | 'zoomSpan'>, value: number): number {
  return seqDistance(side.zoomBase, value) / side.zoomSpan;
}

/** Relative sequence numbers as Wireshark shows them: offset from the origin, mod 2^32. */
export function relativeSeq(value: number, origin: number | null): number {
  return origin === null ? value >>> 0 : seqDistance(origin, value);
}
