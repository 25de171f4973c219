// A row for a connection the page never saw in a snapshot (it opened and closed between two of
// them, ~50 ms apart; scenarios do that), rebuilt from its history so its detail (timeline,
// ladder) can still be shown when a hint points at it. What the history does not say is zero.
import type { LabEvent, SegmentEvent, StateEvent } from '../../../core/api/events.ts';
import type { ConnectionRow } from '../../../core/api/snapshot.ts';

export function ghostRow(conn: number, events: readonly LabEvent[], labAddr: string): ConnectionRow | null {
  const segs = events.filter((e): e is SegmentEvent => e.kind === 'segment');
  const first = segs[0];
  if (first === undefined) return null;
  const s = first.segment;
  // 'out' segments go from the lab; 'in' ones come to it.
  const ours = first.dir === 'out' ? { addr: s.src, port: s.srcPort } : { addr: s.dst, port: s.dstPort };
  const theirs = first.dir === 'out' ? { addr: s.dst, port: s.dstPort } : { addr: s.src, port: s.srcPort };
  const states = events.filter((e): e is StateEvent => e.kind === 'state');
  const synOut = segs.find((e) => e.dir === 'out' && e.segment.flags.includes('S'));
  const synIn = segs.find((e) => e.dir === 'in' && e.segment.flags.includes('S'));
  return {
    id: conn,
    state: states.at(-1)?.to ?? 'CLOSED',
    local: `${ours.addr || labAddr}:${ours.port}`,
    remote: `${theirs.addr}:${theirs.port}`,
    localAddr: ours.addr || labAddr,
    localPort: ours.port,
    remoteAddr: theirs.addr,
    remotePort: theirs.port,
    recvQ: 0, sendQ: 0, timer: null, rto: 0, rtt: 0, rttvar: 0, cwnd: 0, cwndBytes: 0, ssthresh: null, mss: 0,
    sndWscale: 0, rcvWscale: 0, sndUna: 0, sndNxt: 0, sndWnd: 0, rcvNxt: 0, rcvWnd: 0,
    iss: synOut?.segment.seq ?? 0,
    irs: synIn?.segment.seq ?? 0,
    retransmits: segs.filter((e) => e.dir === 'out' && e.verdict.startsWith('retrans')).length,
    listener: null, orphan: false, accepted: false, responder: null,
    stateSince: states.at(-1)?.at ?? first.at, sndBuf: 0, rcvBuf: 0, urgentPointer: null,
  };
}
