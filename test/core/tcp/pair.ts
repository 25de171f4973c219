// Two TCBs wired to each other directly (no IP, no stack): segments from one are fed to the
// other, timers fire on a hand-moved clock. For pure state-machine integration tests.
import { defaultTcpConfig } from '../../../core/tcp/config.ts';
import type { TcpConfig } from '../../../core/tcp/config.ts';
import type { SocketErrorCode, TcpSink, TimerName } from '../../../core/tcp/effects.ts';
import { openActive, openPassive } from '../../../core/tcp/handshake.ts';
import type { TcpState } from '../../../core/tcp/state.ts';
import { onSegment } from '../../../core/tcp/step.ts';
import { Tcb } from '../../../core/tcp/tcb.ts';
import { onTimer } from '../../../core/tcp/timeouts.ts';
import { dueTimer, earliestDeadline } from '../../../core/tcp/timers.ts';
import { seq } from '../../../core/wire/seq.ts';
import type { TcpSegment } from '../../../core/wire/tcp.ts';

interface InFlight {
  at: number;
  to: 0 | 1;
  seg: TcpSegment;
}

export class Pair implements TcpSink {
  readonly t: [Tcb, Tcb];
  now = 0;
  delay = 5;
  /** Return true to drop a segment (called with the sender's index and the segment). */
  drop: (from: 0 | 1, seg: TcpSegment) => boolean = () => false;
  readonly queue: InFlight[] = [];
  readonly log: { from: 0 | 1; seg: TcpSegment; at: number }[] = [];
  readonly errors: (SocketErrorCode | null)[] = [null, null];

  constructor(cfg: Partial<TcpConfig> = {}) {
    const c = defaultTcpConfig(cfg);
    this.t = [new Tcb(1, c, 1, 1000, 2, 2000), new Tcb(2, c, 2, 2000, 1, 1000)];
  }

  /** Active open from t[0]; t[1] is created for the SYN (passive). */
  open(iss0: number, iss1: number): void {
    openActive(this.t[0], seq(iss0), 0, this.now, this);
    this.iss1 = iss1;
  }
  private iss1 = 0;

  send(tcb: Tcb, seg: TcpSegment): void {
    const from = tcb === this.t[0] ? 0 : 1;
    const copy = { ...seg, payload: seg.payload.slice() };
    this.log.push({ from, seg: copy, at: this.now });
    if (this.drop(from, copy)) return;
    this.queue.push({ at: this.now + this.delay, to: from === 0 ? 1 : 0, seg: copy });
  }
  timer(_t: Tcb, _n: TimerName, _a: 'set' | 'cancel' | 'fire', _d: number): void {}
  state(_t: Tcb, _f: TcpState, _to: TcpState, _c: string): void {}
  readable(): void {}
  writable(): void {}
  connected(): void {}
  enqueueAccept(): void {}
  error(t: Tcb, code: SocketErrorCode): void {
    this.errors[t === this.t[0] ? 0 : 1] = code;
  }
  release(): void {}
  count(): void {}

  /** Runs until nothing is in flight and no timer is due before `until`. */
  run(until: number): void {
    for (;;) {
      let next = Infinity;
      for (const q of this.queue) next = Math.min(next, q.at);
      for (const t of this.t) {
        const d = earliestDeadline(t);
        if (d !== 0) next = Math.min(next, d);
      }
      if (next === Infinity || next > until) {
        this.now = Math.max(this.now, until);
        return;
      }
      this.now = Math.max(this.now, next);
      const due = this.queue.filter((q) => q.at <= this.now);
      for (const q of due) this.queue.splice(this.queue.indexOf(q), 1);
      for (const q of due) this.deliver(q.to, q.seg);
      for (const t of this.t) for (let n = dueTimer(t, this.now); n !== null; n = dueTimer(t, this.now)) onTimer(t, n, this.now, this);
    }
  }

  private deliver(to: 0 | 1, seg: TcpSegment): void {
    const t = this.t[to];
    if (to === 1 && t.state === 'CLOSED' && seg.ack === null) {
      openPassive(t, seg, seq(this.iss1), 12345, this.now, this);
      return;
    }
    onSegment(t, seg, this.now, this);
  }
}
