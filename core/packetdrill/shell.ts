// Backtick shell lines. Scripts set kernel knobs with `sysctl -q net.ipv4.tcp_x=N`,
// `sysctl -w ...` or `echo N > /proc/sys/net/ipv4/tcp_x`; those become knob settings (Linux
// names, mapped to ours by the runner). Every other command is reported and skipped: the
// runner never runs a shell.

export interface SysctlSetting {
  /** Dotted Linux name: net.ipv4.tcp_timestamps */
  readonly name: string;
  readonly value: string;
}

export interface ShellPlan {
  readonly settings: readonly SysctlSetting[];
  /** Commands (or parts) we skip, with the reason. */
  readonly skipped: readonly string[];
}

export function planShellCommand(text: string): ShellPlan {
  const settings: SysctlSetting[] = [];
  const skipped: string[] = [];
  for (const part of splitCommands(text)) {
    const words = shellWords(stripRedirects(part));
    if (words.length === 0) continue;
    if (words[0] === 'sysctl') sysctlCommand(words.slice(1), part, settings, skipped);
    else if (words[0] === 'echo') echoCommand(words.slice(1), part, settings, skipped);
    else skipped.push(`'${part}': not a sysctl setting`);
  }
  return { settings, skipped };
}

function splitCommands(text: string): string[] {
  return text.split(/;|&&/).map((s) => s.trim()).filter((s) => s !== '');
}

/** Drops `> /dev/null`, `2>&1`; keeps `> /proc/sys/...` (echo's target). */
function stripRedirects(cmd: string): string {
  return cmd.replace(/\s*\d?>\s*&\d/g, '').replace(/\s*\d?>\s*\/dev\/null/g, '');
}

/** Splits on blanks, honouring single and double quotes. */
function shellWords(s: string): string[] {
  const words: string[] = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (const m of s.matchAll(re)) words.push(m[0].replace(/"([^"]*)"|'([^']*)'/g, '$1$2'));
  return words;
}

function sysctlCommand(args: string[], part: string, settings: SysctlSetting[], skipped: string[]): void {
  const assignments = args.filter((a) => !a.startsWith('-'));
  const badOption = args.find((a) => a.startsWith('-') && !/^-[qwe]+$/.test(a));
  if (badOption !== undefined) {
    skipped.push(`'${part}': sysctl option ${badOption} is not supported`);
    return;
  }
  if (assignments.length === 0) skipped.push(`'${part}': nothing to set`);
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) {
      skipped.push(`'${a}': reading a sysctl is not supported`);
      continue;
    }
    settings.push({ name: a.slice(0, eq).replace(/\//g, '.'), value: a.slice(eq + 1).trim() });
  }
}

function echoCommand(args: string[], part: string, settings: SysctlSetting[], skipped: string[]): void {
  const gt = args.indexOf('>');
  const target = gt >= 0 ? args[gt + 1] : args.find((a) => a.startsWith('>'))?.slice(1);
  const values = gt >= 0 ? args.slice(0, gt) : args.filter((a) => !a.startsWith('>'));
  if (target === undefined || !target.startsWith('/proc/sys/')) {
    skipped.push(`'${part}': not a sysctl setting`);
    return;
  }
  settings.push({ name: target.slice('/proc/sys/'.length).replace(/\//g, '.'), value: values.join(' ').trim() });
}
