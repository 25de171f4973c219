// Timers as data (DESIGN.md 4.4): each is a deadline field in the TCB (ms, 0 = off). Setting
// and cancelling report to the sink, which keeps the stack's queue of earliest deadlines.
import type { TcpSink, TimerName } from './effects.ts';
import type { Tcb } from './tcb.ts';

/** Deadlines are whole milliseconds (the lab's timer granularity, like Linux's jiffies). */
export function deadlineAfter(now: number, delayMs: number): number {
  return Math.max(1, Math.ceil(now + delayMs));
}

export function timerValue(tcb: Tcb, name: TimerName): number {
  switch (name) {
    case 'retransmit':
    case 'syn-ack':
      return tcb.tRtx;
    case 'persist':
      return tcb.tPersist;
    case 'delack':
      return tcb.tDelack;
    case 'keepalive':
      return tcb.tKeep;
    case 'time-wait':
    case 'fin-wait-2':
      return tcb.t2msl;
  }
}

function store(tcb: Tcb, name: TimerName, v: number): void {
  switch (name) {
    case 'retransmit':
    case 'syn-ack':
      tcb.tRtx = v;
      return;
    case 'persist':
      tcb.tPersist = v;
      return;
    case 'delack':
      tcb.tDelack = v;
      return;
    case 'keepalive':
      tcb.tKeep = v;
      return;
    case 'time-wait':
    case 'fin-wait-2':
      tcb.t2msl = v;
      return;
  }
}

/** The name the retransmission timer goes by in this state. */
export function rtxTimerName(tcb: Tcb): TimerName {
  return tcb.state === 'SYN-RECEIVED' ? 'syn-ack' : 'retransmit';
}

export function twoMslTimerName(tcb: Tcb): TimerName {
  return tcb.state === 'FIN-WAIT-2' ? 'fin-wait-2' : 'time-wait';
}

export function setTimer(tcb: Tcb, name: TimerName, now: number, delayMs: number, sink: TcpSink): void {
  const d = deadlineAfter(now, delayMs);
  store(tcb, name, d);
  sink.timer(tcb, name, 'set', d);
}

export function cancelTimer(tcb: Tcb, name: TimerName, sink: TcpSink): void {
  if (timerValue(tcb, name) === 0) return;
  store(tcb, name, 0);
  sink.timer(tcb, name, 'cancel', 0);
}

/** Clears a timer that fired (the caller then handles it). */
export function clearFired(tcb: Tcb, name: TimerName, sink: TcpSink): void {
  const d = timerValue(tcb, name);
  store(tcb, name, 0);
  sink.timer(tcb, name, 'fire', d);
}

export function cancelAllTimers(tcb: Tcb, sink: TcpSink): void {
  cancelTimer(tcb, rtxTimerName(tcb), sink);
  cancelTimer(tcb, 'persist', sink);
  cancelTimer(tcb, 'delack', sink);
  cancelTimer(tcb, 'keepalive', sink);
  cancelTimer(tcb, twoMslTimerName(tcb), sink);
}

/** Earliest running deadline of this TCB, 0 if none. */
export function earliestDeadline(tcb: Tcb): number {
  let d = 0;
  if (tcb.tRtx !== 0) d = tcb.tRtx;
  if (tcb.tPersist !== 0 && (d === 0 || tcb.tPersist < d)) d = tcb.tPersist;
  if (tcb.tDelack !== 0 && (d === 0 || tcb.tDelack < d)) d = tcb.tDelack;
  if (tcb.tKeep !== 0 && (d === 0 || tcb.tKeep < d)) d = tcb.tKeep;
  if (tcb.t2msl !== 0 && (d === 0 || tcb.t2msl < d)) d = tcb.t2msl;
  return d;
}

/** A timer of this TCB due at `now`, or null. Order: the 2MSL timer, retransmit, persist, delack, keepalive. */
export function dueTimer(tcb: Tcb, now: number): TimerName | null {
  if (tcb.t2msl !== 0 && tcb.t2msl <= now) return twoMslTimerName(tcb);
  if (tcb.tRtx !== 0 && tcb.tRtx <= now) return rtxTimerName(tcb);
  if (tcb.tPersist !== 0 && tcb.tPersist <= now) return 'persist';
  if (tcb.tDelack !== 0 && tcb.tDelack <= now) return 'delack';
  if (tcb.tKeep !== 0 && tcb.tKeep <= now) return 'keepalive';
  return null;
}
