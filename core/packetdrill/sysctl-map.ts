// Linux sysctl names -> our knobs. Each knob that has a Linux counterpart names it
// (KnobSpec.linuxName, core/stack/knobs.ts); a script's `sysctl -q net.ipv4.tcp_sack=0`
// sets the knob whose linuxName is net.ipv4.tcp_sack. Unknown names and refused values are
// reported and skipped. Knobs may also answer to other sysctl names (KnobSpec.aliases: FreeBSD's
// net.inet.tcp.syncache.*), and lab-only knobs to `tcplab.<knob>` (e.g. tcplab.syn_defence).
import type { SysctlSetting } from './shell.ts';
import type { PdKnobSpec, PdStack } from './stack-port.ts';

function normalize(name: string): string {
  return name.replace(/\//g, '.').replace(/^net\.ipv4\./, '');
}

/** Applies one setting; returns a warning when it is skipped, null when applied. */
export function applySysctl(stack: PdStack, knobs: readonly PdKnobSpec[], s: SysctlSetting): string | null {
  const want = normalize(s.name);
  const knob = knobs.find((k) => k.linuxName !== undefined && normalize(k.linuxName) === want)
    ?? knobs.find((k) => k.aliases?.includes(s.name) === true)
    ?? knobs.find((k) => `tcplab.${k.name}` === s.name);
  if (knob === undefined) return `sysctl ${s.name} skipped: no knob of ours maps to it`;
  const value = knobValue(s.value);
  const r = stack.setKnob(knob.name, value);
  return r.ok ? null : `sysctl ${s.name}=${s.value} skipped: knob ${knob.name} refused it (${r.error})`;
}

/**
 * '1' -> 1; '4096 87380 6291456' (tcp_rmem / tcp_wmem: min default max) -> 87380, the
 * default, which is what our buffer knobs hold; anything else stays a string.
 */
function knobValue(v: string): number | string {
  if (/^-?\d+$/.test(v)) return Number(v);
  const triple = /^(\d+)\s+(\d+)\s+(\d+)$/.exec(v);
  if (triple) return Number(triple[2]);
  return v;
}
