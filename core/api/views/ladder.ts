// Ladder (sequence) diagram rows from segment events: one row per segment with its direction,
// tcpdump flags, seq, ack, window, length, our state at that moment and the verdict. Sequence
// numbers can be shown relative to each side's initial sequence number, as Wireshark does.
import type { SegmentEvent } from '../events.ts';
import type { TcpState } from '../names.ts';
import type { ConnectionRow } from '../snapshot.ts';
import { segmentRole, type Role } from './state-roles.ts';

export interface LadderRow {
  eventSeq: number;
  at: number;
  /** 'in': kernel -> lab (drawn right to left when the lab is the left column). */
  dir: 'in' | 'out';
  flags: string;
  seq: number;                 // absolute or relative (see LadderOptions)
  /** seq + len, plus one for SYN and FIN (the next seq the sender will use). */
  end: number;
  ack: number | null;
  win: number;
  len: number;
  options: string;
  state: TcpState | null;      // our state when it happened
  verdict: string;
  /** Not accepted by the stack (dropped, answered with RST, ...). */
  rejected: boolean;
  role: Role | null;
  /** 'S. seq 0 ack 1 win 65535 len 0' style summary. */
  label: string;
  /** The tcpdump line. */
  text: string;
}

export interface LadderOptions {
  /** Show seq and ack relative to each side's ISN. */
  relative: boolean;
  /** The connection, for its ISNs (iss, irs) when the SYNs are no longer in the log. */
  conn?: Pick<ConnectionRow, 'iss' | 'irs'> | null;
}

export interface Isns {
  ours: number | null;         // ISN of the lab's side (out)
  theirs: number | null;       // ISN of the kernel's side (in)
}

/** Each side's ISN: from the SYNs in the log, else from the connection row. */
export function findIsns(segments: readonly SegmentEvent[], conn?: Pick<ConnectionRow, 'iss' | 'irs'> | null): Isns {
  let ours: number | null = null;
  let theirs: number | null = null;
  for (const e of segments) {
    if (!e.segment.flags.includes('S')) continue;
    if (e.dir === 'out' && ours === null) ours = e.segment.seq;
    if (e.dir === 'in' && theirs === null) theirs = e.segment.seq;
  }
  return { ours: ours ?? conn?.iss ?? null, theirs: theirs ?? conn?.irs ?? null };
}

/**
 * Whether the stack did not take a segment as it came: anything but '', 'sent', 'accepted' and
 * 'accepted: <what it did>' (e.g. 'accepted: SYN-RECEIVED' for a SYN that makes a request).
 */
export function isRejectedVerdict(verdict: string): boolean {
  return !(verdict === '' || verdict === 'sent' || verdict === 'accepted' || verdict.startsWith('accepted:'));
}

const rel = (n: number, base: number | null): number => (base === null ? n : (n - base) >>> 0);

export function ladderLabel(flags: string, seq: number, end: number, ack: number | null, win: number, len: number): string {
  const seqText = len > 0 ? `${seq}:${end}` : String(seq);
  return `${flags} seq ${seqText}${ack === null ? '' : ` ack ${ack}`} win ${win} len ${len}`;
}

/** Rows for the given segment events, oldest first. */
export function ladderRows(segments: readonly SegmentEvent[], opts: LadderOptions): LadderRow[] {
  const sorted = [...segments].sort((a, b) => a.seq - b.seq);
  const isn = opts.relative ? findIsns(sorted, opts.conn) : { ours: null, theirs: null };
  return sorted.map((e) => {
    const s = e.segment;
    const [seqBase, ackBase] = e.dir === 'out' ? [isn.ours, isn.theirs] : [isn.theirs, isn.ours];
    const seq = rel(s.seq, seqBase);
    const extra = (s.flags.includes('S') ? 1 : 0) + (s.flags.includes('F') ? 1 : 0);
    const end = s.len > 0 ? (seq + s.len) >>> 0 : (seq + extra) >>> 0;
    const ack = s.ack === null ? null : rel(s.ack, ackBase);
    const rejected = isRejectedVerdict(e.verdict);
    return {
      eventSeq: e.seq,
      at: e.at,
      dir: e.dir,
      flags: s.flags,
      seq,
      end,
      ack,
      win: s.win,
      len: s.len,
      options: s.options,
      state: e.state ?? null,
      verdict: e.verdict,
      rejected,
      role: rejected ? 'error' : segmentRole(s.flags),
      label: ladderLabel(s.flags, seq, s.len > 0 ? end : seq, ack, s.win, s.len),
      text: s.text,
    };
  });
}
