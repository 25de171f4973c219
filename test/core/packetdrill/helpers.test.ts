// The runner's pure helpers: %{ }% snippets, shell lines, option lists, script flags.
import { describe, expect, it } from 'vitest';
import { constantValue, runCode } from '../../../core/packetdrill/code.ts';
import { DEFAULT_CONFIG, resolveConfig } from '../../../core/packetdrill/config.ts';
import { decodeOptions, encodeOptions, formatOptionList } from '../../../core/packetdrill/options.ts';
import type { OptionSpec, ScriptFlag } from '../../../core/packetdrill/script.ts';
import { planShellCommand } from '../../../core/packetdrill/shell.ts';

describe('%{ }% code', () => {
  const info = (fields: Record<string, number>) => (name: string) => fields[name];

  it('passes true asserts and fails false ones with the values involved', () => {
    const lookup = info({ tcpi_state: 1, tcpi_rto: 300000 });
    expect(runCode('assert tcpi_state == TCP_ESTABLISHED, tcpi_state', lookup)).toEqual({ kind: 'ok', unsupported: [] });
    expect(runCode('assert tcpi_state == TCPI_ESTABLISHED', lookup).kind).toBe('ok');
    expect(runCode('\nassert tcpi_rto >= 200000\nassert 200000 < tcpi_rto <= 300000\n', lookup).kind).toBe('ok');
    expect(runCode('assert tcpi_state == TCP_CLOSE, tcpi_state', lookup)).toEqual({
      kind: 'failed', message: 'assertion failed: tcpi_state == TCP_CLOSE (1); tcpi_state = 1 (TCP_ESTABLISHED)', unsupported: [],
    });
  });

  it('evaluates arithmetic, bit operations, chained comparisons and boolean operators', () => {
    const lookup = info({ tcpi_options: 5, tcpi_snd_cwnd: 10 });
    expect(runCode('assert (tcpi_options & TCPI_OPT_WSCALE) != 0', lookup).kind).toBe('ok');
    expect(runCode('assert (tcpi_options & TCPI_OPT_SACK) == 0 and not tcpi_snd_cwnd < 10', lookup).kind).toBe('ok');
    expect(runCode('assert tcpi_snd_cwnd * 2 + 1 == 21 or False', lookup).kind).toBe('ok');
    expect(runCode('assert 1 < tcpi_snd_cwnd < 5', lookup).kind).toBe('failed');
    expect(runCode('assert tcpi_snd_cwnd // 3 == 3; assert -tcpi_snd_cwnd % 3 == 2', lookup).kind).toBe('ok');
  });

  it('reports what it cannot evaluate instead of failing', () => {
    const lookup = info({ tcpi_state: 1 });
    const r = runCode('import os\nassert tcpi_sacked == 0\nassert tcpi_state == 1', lookup);
    expect(r.kind).toBe('ok');
    expect(r.unsupported).toEqual([
      "statement 'import os' (only assert statements are supported)",
      "unsupported tcp_info field 'tcpi_sacked' in 'assert tcpi_sacked == 0'",
    ]);
    expect(runCode('assert foo == 1', lookup).unsupported).toEqual(["unknown name 'foo' in 'assert foo == 1'"]);
    expect(runCode('assert tcpi_state == "x"', lookup).unsupported[0]).toMatch(/unsupported syntax/);
  });

  it('knows Linux state numbers', () => {
    expect(constantValue('TCP_CLOSING')).toBe(11);
    expect(constantValue('TCPI_TIME_WAIT')).toBe(6);
    expect(constantValue('TCP_NOPE')).toBeUndefined();
  });
});

describe('shell lines', () => {
  it('turns sysctl and echo > /proc/sys lines into settings', () => {
    expect(planShellCommand('sysctl -q net.ipv4.tcp_timestamps=0')).toEqual({ settings: [{ name: 'net.ipv4.tcp_timestamps', value: '0' }], skipped: [] });
    expect(planShellCommand('sysctl -w net.ipv4.tcp_early_retrans=4 net.ipv4.tcp_recovery=1').settings).toEqual([
      { name: 'net.ipv4.tcp_early_retrans', value: '4' }, { name: 'net.ipv4.tcp_recovery', value: '1' },
    ]);
    expect(planShellCommand('sysctl -q net.ipv4.tcp_rmem="4096 540000 15728640"').settings).toEqual([{ name: 'net.ipv4.tcp_rmem', value: '4096 540000 15728640' }]);
    expect(planShellCommand('echo 0 > /proc/sys/net/ipv4/tcp_sack').settings).toEqual([{ name: 'net.ipv4.tcp_sack', value: '0' }]);
    expect(planShellCommand('sysctl -q net.ipv4.tcp_notsent_lowat=4294967295 > /dev/null 2>&1').settings).toEqual([
      { name: 'net.ipv4.tcp_notsent_lowat', value: '4294967295' },
    ]);
    expect(planShellCommand('sysctl -q net/ipv4/tcp_sack=1; sysctl -q net.ipv4.tcp_dsack=1').settings).toHaveLength(2);
  });

  it('skips everything else, saying why', () => {
    expect(planShellCommand('../common/defaults.sh')).toEqual({ settings: [], skipped: ["'../common/defaults.sh': not a sysctl setting"] });
    expect(planShellCommand('tc qdisc add dev tun0 root pfifo').skipped).toHaveLength(1);
    expect(planShellCommand('sysctl net.ipv4.tcp_sack').skipped).toEqual(["'net.ipv4.tcp_sack': reading a sysctl is not supported"]);
    expect(planShellCommand('sysctl -a').skipped).toEqual(["'sysctl -a': sysctl option -a is not supported"]);
    expect(planShellCommand('echo hello').skipped).toEqual(["'echo hello': not a sysctl setting"]);
  });
});

describe('option lists', () => {
  const roundTrip = (list: OptionSpec[]) => {
    const bytes = encodeOptions(list);
    if (bytes === null) throw new Error('too long');
    return { bytes, decoded: decodeOptions(bytes) };
  };

  it('encodes in the order given and decodes back to the same list', () => {
    const list: OptionSpec[] = [
      { kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val: 0xfffffffe, ecr: 7 }, { kind: 'nop' }, { kind: 'wscale', value: 7 },
    ];
    const { bytes, decoded } = roundTrip(list);
    expect([...bytes]).toEqual([2, 4, 5, 0xb4, 4, 2, 8, 10, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 7, 1, 3, 3, 7]);
    expect(decoded).toEqual({ ok: true, options: list });
    const sack: OptionSpec[] = [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [{ left: 1, right: 2 }, { left: 3, right: 4 }] }];
    expect(roundTrip(sack).decoded).toEqual({ ok: true, options: sack });
  });

  it('pads to 4 bytes with EOL and refuses more than 40 bytes', () => {
    const { bytes, decoded } = roundTrip([{ kind: 'mss', value: 1000 }, { kind: 'nop' }]);
    expect([...bytes]).toEqual([2, 4, 3, 0xe8, 1, 0, 0, 0]);
    expect(decoded).toEqual({ ok: true, options: [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'eol' }, { kind: 'eol' }, { kind: 'eol' }] });
    const blocks = [1, 2, 3, 4].map((i) => ({ left: i, right: i + 1 }));
    expect(encodeOptions([{ kind: 'ts', val: 1, ecr: 2 }, { kind: 'sack', blocks }])).toBeNull();
  });

  it('reports malformed option bytes and keeps unknown ones', () => {
    expect(decodeOptions(Uint8Array.of(2, 4, 5))).toEqual({ ok: false, error: 'option 2 at byte 0 has a bad length 4' });
    expect(decodeOptions(Uint8Array.of(3, 4, 7, 0))).toEqual({ ok: false, error: 'option 3 at byte 0 has a bad length 4' });
    expect(decodeOptions(Uint8Array.of(1, 1, 1, 8))).toEqual({ ok: false, error: 'option 8 at byte 3 has no length' });
    expect(decodeOptions(Uint8Array.of(30, 4, 0, 0))).toEqual({ ok: true, options: [{ kind: 'unknown', code: 30, length: 4 }] });
  });

  it('prints them as packetdrill does', () => {
    expect(formatOptionList([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val: 5, ecr: 6 }, { kind: 'sack', blocks: [{ left: 1, right: 9 }] }]))
      .toBe('<nop,nop,TS val 5 ecr 6,sack 1:9>');
  });
});

describe('script flags', () => {
  const flag = (name: string, value: string | null, line = 1): ScriptFlag => ({ loc: { line, col: 1 }, name, value });

  it('applies the known flags over packetdrill defaults', () => {
    const r = resolveConfig([flag('tolerance_usecs', '10000'), flag('local_ip', '10.0.0.2'), flag('remote_ip', '10.0.0.1'), flag('ip_version', 'ipv4'), flag('bind_port', '80')]);
    if ('error' in r) throw new Error(r.error.message);
    expect(r.config).toEqual({ ...DEFAULT_CONFIG, toleranceUsecs: 10000, localIp: 0x0a000002, remoteIp: 0x0a000001, bindPort: 80 });
    expect(r.warnings).toEqual([]);
  });

  it('reports unknown and ineffective flags, and refuses bad values', () => {
    const r = resolveConfig([flag('wire_server', 'x', 1), flag('foo_bar', '1', 2)]);
    if ('error' in r) throw new Error(r.error.message);
    expect(r.warnings).toEqual([
      { loc: { line: 1, col: 1 }, message: 'flag --wire_server has no effect here (ignored)' },
      { loc: { line: 2, col: 1 }, message: 'unknown flag --foo_bar (ignored)' },
    ]);
    expect(resolveConfig([flag('ip_version', 'ipv6', 3)])).toEqual({ error: { loc: { line: 3, col: 1 }, message: '--ip_version=ipv6: only ipv4 is supported' } });
    expect(resolveConfig([flag('tolerance_usecs', 'lots')])).toEqual({ error: { loc: { line: 1, col: 1 }, message: "--tolerance_usecs: expected an integer, got 'lots'" } });
    expect(resolveConfig([flag('local_ip', '300.1.1.1')])).toMatchObject({ error: { message: "--local_ip: '300.1.1.1' is not an IPv4 address (only IPv4 is supported)" } });
  });
});
