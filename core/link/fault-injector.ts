// The fault injector: a Link between the stack and the real link that drops, delays, duplicates,
// corrupts and reorders packets by rules (core/link/fault-rules.ts) or at seeded random, changed
// at runtime, and reports every fault it injects as plain data:
//   { kind: 'fault', at, rule, action, dir, summary }
// Time comes from an injected Scheduler (a manual one in tests, real timers in the lab); held
// packets are data with release times, and one timer is armed for the earliest.
// With no rules, no random faults and nothing held, packets pass straight through.
import { IPV4_CHECKSUM } from '../wire/ipv4.ts';
import { formatPacket } from '../wire/pretty.ts';
import { TCP_CHECKSUM } from '../wire/tcp.ts';
import {
  compileRandom, compileRule, describeAction, matches, viewPacket,
  type CompiledRandom, type CompiledRule, type FaultAction, type FaultDirection, type PacketView, type RandomFaults, type FaultRule,
} from './fault-rules.ts';
import type { Link, PacketHandler } from './link.ts';
import type { Scheduler } from './timing.ts';

export interface FaultEvent {
  kind: 'fault';
  /** The scheduler's time (ms). */
  at: number;
  /** The rule's id, or 'random'. */
  rule: string;
  /** 'drop', 'delay 5000 ms', 'duplicate', 'corrupt checksum', 'reorder after 1'. */
  action: string;
  dir: FaultDirection;
  /** The packet as tcpdump prints it: 'IP 10.77.0.1.40000 > 10.77.0.2.80: Flags [S], ...'. */
  summary: string;
}

export interface FaultCounts { dropped: number; delayed: number; duplicated: number; corrupted: number; reordered: number }

export interface RuleStatus { rule: FaultRule; matched: number; fired: number }

export interface FaultStatus {
  rules: RuleStatus[];
  random: RandomFaults | null;
  /** Packets held now (delayed or waiting to be reordered). */
  held: number;
  counts: FaultCounts;
}

/** Injected randomness (the same shape as core/stack's Random). */
export interface Random {
  u32(): number;
}

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    u32() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    },
  };
}

function roll(rng: Random, p: number): boolean {
  if (p >= 1) return true;
  if (p <= 0) return false;
  return rng.u32() / 0x1_0000_0000 < p;
}

export interface FaultInjectorOptions {
  scheduler: Scheduler;
  /** Randomness for rules with a probability (default: seeded with 1). */
  random?: Random;
}

interface RuleState extends CompiledRule { matched: number; fired: number }
interface Held { dir: FaultDirection; bytes: Uint8Array; releaseAt: number; after: number; order: number }
type Emit = (packet: Uint8Array) => void;

export class FaultInjector implements Link {
  private readonly inner: Link;
  private readonly scheduler: Scheduler;
  private readonly ruleRng: Random;
  private ruleList: RuleState[] = [];
  private randomFaults: (CompiledRandom & { rng: Random }) | null = null;
  private held: Held[] = [];
  private active = false;
  private handler: PacketHandler | null = null;
  private readonly listeners = new Set<(e: FaultEvent) => void>();
  private cancelTimer: (() => void) | null = null;
  private timerAt = Infinity;
  private nextRuleId = 1;
  private order = 0;
  private readonly counts: FaultCounts = { dropped: 0, delayed: 0, duplicated: 0, corrupted: 0, reordered: 0 };
  private readonly emitOut: Emit = (p) => this.inner.write(p);

  constructor(inner: Link, opts: FaultInjectorOptions) {
    this.inner = inner;
    this.scheduler = opts.scheduler;
    this.ruleRng = opts.random ?? seededRandom(1);
  }

  // ---- control (plain data in, plain data out)

  /** Add a rule (JSON data); a bad rule is refused with a message naming the field. */
  addRule(rule: unknown): { ok: true; id: string } | { ok: false; error: string } {
    const compiled = compileRule(rule, `rule-${this.nextRuleId}`);
    if (!compiled.ok) return { ok: false, error: `bad fault rule: ${compiled.error}` };
    if (this.ruleList.some((r) => r.id === compiled.value.id)) return { ok: false, error: `bad fault rule: id: '${compiled.value.id}' is taken` };
    this.nextRuleId++;
    this.ruleList.push({ ...compiled.value, matched: 0, fired: 0 });
    this.updateActive();
    return { ok: true, id: compiled.value.id };
  }

  removeRule(id: string): boolean {
    const before = this.ruleList.length;
    this.ruleList = this.ruleList.filter((r) => r.id !== id);
    this.updateActive();
    return this.ruleList.length !== before;
  }

  clearRules(): void {
    this.ruleList = [];
    this.updateActive();
  }

  /** Set (or with null, stop) seeded random faults. */
  setRandom(config: unknown): { ok: true } | { ok: false; error: string } {
    if (config === null) {
      this.randomFaults = null;
      this.updateActive();
      return { ok: true };
    }
    const compiled = compileRandom(config);
    if (!compiled.ok) return { ok: false, error: `bad random faults: ${compiled.error}` };
    this.randomFaults = { ...compiled.value, rng: seededRandom(compiled.value.seed) };
    this.updateActive();
    return { ok: true };
  }

  /** Subscribe to fault events; returns the unsubscribe function. */
  onFault(listener: (e: FaultEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): FaultStatus {
    return {
      rules: this.ruleList.map((r) => ({ rule: r.source, matched: r.matched, fired: r.fired })),
      random: this.randomFaults?.source ?? null,
      held: this.held.length,
      counts: { ...this.counts },
    };
  }

  /** Send every held packet now (in hold order). */
  releaseAll(): void {
    this.release(Infinity);
  }

  private updateActive(): void {
    this.active = this.ruleList.length > 0 || this.randomFaults !== null || this.held.length > 0;
  }

  // ---- Link

  get mtu(): number {
    return this.inner.mtu;
  }

  write(packet: Uint8Array): void {
    if (!this.active) {
      this.inner.write(packet);
      return;
    }
    this.process('out', packet, this.emitOut);
  }

  flush(): void {
    this.inner.flush();
  }

  onReceive(handler: PacketHandler): void {
    const first = this.handler === null;
    this.handler = handler;
    if (first) this.inner.onReceive((packets) => this.receive(packets));
  }

  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.held = [];
    this.updateActive();
    this.inner.close();
  }

  private receive(packets: readonly Uint8Array[]): void {
    const handler = this.handler;
    if (handler === null) return;
    if (!this.active) {
      handler(packets);
      return;
    }
    const out: Uint8Array[] = [];
    const emit: Emit = (p) => out.push(p);
    for (const p of packets) this.process('in', p, emit);
    if (out.length > 0) handler(out);
  }

  // ---- deciding

  private process(dir: FaultDirection, packet: Uint8Array, emit: Emit): void {
    const view = viewPacket(packet);
    let chosen: RuleState | null = null;
    for (const r of this.ruleList) {
      if (!matches(r.match, dir, view)) continue;
      r.matched++;
      // The rule's window is its nth .. (nth + count - 1)th matching packet; an earlier rule
      // that acts on a packet takes it (the later rules still count it).
      if (chosen === null && r.matched >= r.nth && r.matched - r.nth < r.count && roll(this.ruleRng, r.probability)) {
        chosen = r;
        r.fired++;
      }
    }
    const action = chosen !== null ? chosen.action : this.randomAction(dir, view);
    if (action === null) {
      emit(packet);
      this.passed(dir, emit);
      return;
    }
    this.apply(action, chosen?.id ?? 'random', dir, packet, view, emit);
  }

  /** At most one random fault per packet; the rolls happen in a fixed order (deterministic per seed). */
  private randomAction(dir: FaultDirection, view: PacketView): FaultAction | null {
    const r = this.randomFaults;
    if (r === null || !matches(r.match, dir, view)) return null;
    if (roll(r.rng, r.loss)) return { type: 'drop' };
    if (roll(r.rng, r.corrupt)) return { type: 'corrupt', what: 'checksum' };
    if (roll(r.rng, r.duplicate)) return { type: 'duplicate', copies: 1 };
    if (roll(r.rng, r.reorder)) return { type: 'reorder', after: 1, maxMs: r.reorderMaxMs };
    if (r.delay !== null && roll(r.rng, r.delay.probability)) {
      const jitter = r.delay.jitterMs > 0 ? (r.rng.u32() / 0x1_0000_0000) * r.delay.jitterMs : 0;
      return { type: 'delay', ms: r.delay.ms + jitter };
    }
    return null;
  }

  private apply(action: FaultAction, rule: string, dir: FaultDirection, packet: Uint8Array, view: PacketView, emit: Emit): void {
    this.report(rule, action, dir, packet);
    switch (action.type) {
      case 'drop':
        this.counts.dropped++;
        return;
      case 'delay':
        this.counts.delayed++;
        this.hold(dir, packet, this.scheduler.now() + action.ms, 0);
        return;
      case 'duplicate':
        this.counts.duplicated++;
        for (let i = 0; i <= (action.copies ?? 1); i++) emit(packet);
        this.passed(dir, emit);
        return;
      case 'corrupt':
        this.counts.corrupted++;
        emit(corrupt(packet, view, action.what ?? 'checksum'));
        this.passed(dir, emit);
        return;
      case 'reorder':
        this.counts.reordered++;
        this.hold(dir, packet, this.scheduler.now() + (action.maxMs ?? 1000), action.after ?? 1);
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  }

  private report(rule: string, action: FaultAction, dir: FaultDirection, packet: Uint8Array): void {
    if (this.listeners.size === 0) return;
    const e: FaultEvent = { kind: 'fault', at: this.scheduler.now(), rule, action: describeAction(action), dir, summary: formatPacket(packet) };
    for (const l of this.listeners) l(e);
  }

  // ---- holding

  private hold(dir: FaultDirection, packet: Uint8Array, releaseAt: number, after: number): void {
    this.held.push({ dir, bytes: packet.slice(), releaseAt, after, order: this.order++ });
    this.updateActive();
    this.arm();
  }

  /** A packet went through in `dir`: packets reordered behind it follow it now. */
  private passed(dir: FaultDirection, emit: Emit): void {
    if (this.held.length === 0) return;
    let released = false;
    for (const h of this.held) {
      if (h.dir !== dir || h.after === 0) continue;
      if (--h.after === 0) {
        emit(h.bytes);
        h.releaseAt = -Infinity;
        released = true;
      }
    }
    if (released) {
      this.held = this.held.filter((h) => h.releaseAt !== -Infinity);
      this.updateActive();
      this.arm();
    }
  }

  private arm(): void {
    let earliest = Infinity;
    for (const h of this.held) earliest = Math.min(earliest, h.releaseAt);
    if (earliest === this.timerAt) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = earliest;
    if (earliest !== Infinity) {
      this.cancelTimer = this.scheduler.schedule(earliest, () => {
        this.cancelTimer = null;
        this.timerAt = Infinity;
        this.release(this.scheduler.now());
      });
    }
  }

  /** Send the held packets due by `now`, in (release time, hold order) order. */
  private release(now: number): void {
    const due = this.held.filter((h) => h.releaseAt <= now).sort((a, b) => a.releaseAt - b.releaseAt || a.order - b.order);
    if (due.length > 0) {
      this.held = this.held.filter((h) => h.releaseAt > now);
      const ins: Uint8Array[] = [];
      let outs = 0;
      for (const h of due) {
        if (h.dir === 'out') {
          this.inner.write(h.bytes);
          outs++;
        } else {
          ins.push(h.bytes);
        }
      }
      if (outs > 0) this.inner.flush();
      if (ins.length > 0) this.handler?.(ins);
      this.updateActive();
    }
    this.arm();
  }
}

/** A copy of `packet` with a broken checksum (or a flipped data byte, which breaks it too). */
function corrupt(packet: Uint8Array, view: PacketView, what: 'checksum' | 'payload'): Uint8Array {
  const c = packet.slice();
  const total = view.ip !== null ? Math.min(view.ip.totalLength, c.length) : c.length;
  const hasData = view.tcp !== null ? view.tcp.payload.length > 0 : view.ip !== null && total > view.transportOffset;
  if (what === 'payload' && hasData) {
    c[total - 1] ^= 0xff;
    return c;
  }
  const at = view.tcp !== null ? view.transportOffset + TCP_CHECKSUM : IPV4_CHECKSUM;
  if (at + 1 < c.length) {
    c[at] ^= 0x5a;
    c[at + 1] ^= 0x5a;
  }
  return c;
}
