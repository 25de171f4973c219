import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../core/packetdrill/parser.ts';
import type { Action, PacketSpec, Script, ScriptEvent, SyscallSpec } from '../../../core/packetdrill/script.ts';
import { ACK_BIT, CWR, ECE, FIN, PSH, RST, SYN, URG_BIT } from '../../../core/wire/tcp.ts';

function parse(text: string): Script {
  const r = parseScript(text);
  if (!r.ok) throw new Error(`${r.error.loc.line}:${r.error.loc.col}: ${r.error.message}`);
  return r.script;
}

function one(text: string): ScriptEvent {
  const s = parse(text);
  expect(s.events).toHaveLength(1);
  return s.events[0];
}

function packet(text: string): PacketSpec {
  const a: Action = one(text).action;
  if (a.kind !== 'packet') throw new Error(`not a packet: ${a.kind}`);
  return a.packet;
}

function syscall(text: string): SyscallSpec {
  const a: Action = one(text).action;
  if (a.kind !== 'syscall') throw new Error(`not a syscall: ${a.kind}`);
  return a.syscall;
}

/** The error of a script that must not parse: 'line:col: message'. */
function error(text: string): string {
  const r = parseScript(text);
  if (r.ok) throw new Error('the script parsed');
  return `${r.error.loc.line}:${r.error.loc.col}: ${r.error.message}`;
}

describe('flags', () => {
  it('reads --name=value lines before the events', () => {
    const s = parse('--tolerance_usecs=10000\n--ip_version=ipv4 // comment\n--verbose\n0 close(3) = 0\n');
    expect(s.flags.map((f) => [f.name, f.value, f.loc.line])).toEqual([
      ['tolerance_usecs', '10000', 1], ['ip_version', 'ipv4', 2], ['verbose', null, 3],
    ]);
  });

  it('refuses flags after the first event', () => {
    expect(error('0 close(3) = 0\n--tolerance_usecs=1\n')).toBe('2:1: --flags must come before the first event');
  });

  it('treats a commented-out flag as a comment', () => {
    expect(parse('//--tolerance_usecs=10000\n').flags).toEqual([]);
  });
});

describe('times', () => {
  const time = (t: string) => one(`${t} close(3) = 0`).time;

  it('reads absolute and relative times in seconds as microseconds', () => {
    expect(time('0')).toEqual({ kind: 'absolute', usecs: 0 });
    expect(time('1.5')).toEqual({ kind: 'absolute', usecs: 1_500_000 });
    expect(time('+0')).toEqual({ kind: 'relative', usecs: 0 });
    expect(time('+.1')).toEqual({ kind: 'relative', usecs: 100_000 });
    expect(time('+0.000001')).toEqual({ kind: 'relative', usecs: 1 });
    expect(time('+2')).toEqual({ kind: 'relative', usecs: 2_000_000 });
  });

  it('reads blocking start...end times', () => {
    expect(time('+0...0.100')).toEqual({ kind: 'blocking', relative: true, startUsecs: 0, endUsecs: 100_000 });
    expect(time('+.1...0.200')).toEqual({ kind: 'blocking', relative: true, startUsecs: 100_000, endUsecs: 200_000 });
    expect(time('0.1...0.2')).toEqual({ kind: 'blocking', relative: false, startUsecs: 100_000, endUsecs: 200_000 });
  });

  it('reads ranges and * for outbound packets', () => {
    expect(one('0.1~0.2 > . 1:1(0) ack 1').time).toEqual({ kind: 'range', relative: false, startUsecs: 100_000, endUsecs: 200_000 });
    expect(one('+0.1~+0.3 > . 1:1(0) ack 1').time).toEqual({ kind: 'range', relative: true, startUsecs: 100_000, endUsecs: 300_000 });
    expect(one('* > . 1:1(0) ack 1').time).toEqual({ kind: 'any' });
  });

  it('reports bad times with their position', () => {
    expect(error('+0.1~0.3 > . 1:1(0) ack 1')).toBe('1:6: a time range is either absolute (a~b) or relative (+a~+b)');
    expect(error('0.3~0.1 > . 1:1(0)')).toBe('1:8: the time range ends before it starts');
    expect(error('* close(3) = 0')).toBe("1:1: '*' and 'a~b' times are only for outbound ('>') packets");
    expect(error('0...0.1 < . 1:1(0) ack 1 win 10')).toBe("1:1: a 'start...end' time is only for (blocking) system calls");
    expect(error('close(3) = 0')).toBe('1:1: expected a time (such as 0, +0.1, *) before the event');
    expect(error('+ close(3) = 0')).toBe("1:3: expected a time in seconds, found 'close'");
    expect(error('0x10 close(3) = 0')).toBe('1:1: a time is a decimal number of seconds');
    expect(error('1.2.3 close(3) = 0')).toBe("1:4: expected a packet ('<' or '>'), a system call, a `command` or %{ code }%, found '.3'");
  });
});

describe('packets', () => {
  it('reads an inbound SYN with options in the script order', () => {
    const p = packet('+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>');
    expect(p).toMatchObject({ direction: 'in', flags: SYN, flagsText: 'S', seqStart: 0, seqEnd: 0, length: 0, ack: null, win: 32792, urg: null });
    expect(p.options).toEqual([
      { kind: 'mss', value: 1000 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'wscale', value: 7 },
    ]);
  });

  it('reads an outbound SYN-ACK with TS and without a window', () => {
    const p = packet('+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 7,nop,wscale 8>');
    expect(p).toMatchObject({ direction: 'out', flags: SYN | ACK_BIT, ack: 1, win: null });
    expect(p.options).toContainEqual({ kind: 'ts', val: 100, ecr: 7 });
  });

  it('reads every flag letter', () => {
    expect(packet('0 > F. 1:1(0) ack 1').flags).toBe(FIN | ACK_BIT);
    expect(packet('0 > P. 1:11(10) ack 1').flags).toBe(PSH | ACK_BIT);
    expect(packet('0 > FP. 1:11(10) ack 1').flags).toBe(FIN | PSH | ACK_BIT);
    expect(packet('0 > R 1:1(0)').flags).toBe(RST);
    expect(packet('0 > R. 1:1(0) ack 1').flags).toBe(RST | ACK_BIT);
    expect(packet('0 > SEW 0:0(0)').flags).toBe(SYN | ECE | CWR);
    expect(packet('0 < U. 1:2(1) ack 1 win 100 urg 1').flags).toBe(URG_BIT | ACK_BIT);
    expect(packet('0 < - 1:1(0) win 100').flags).toBe(0);
    expect(packet('0 > . 1:1(0) ack 1001').flags).toBe(ACK_BIT);
  });

  it('reads data, urgent pointer, SACK blocks and any-options', () => {
    const p = packet('+.1 < U. 1:1001(1000) ack 1 win 257 urg 10 <nop,nop,sack 1461:2921 3000:4000>');
    expect(p).toMatchObject({ seqStart: 1, seqEnd: 1001, length: 1000, urg: 10 });
    expect(p.options).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [{ left: 1461, right: 2921 }, { left: 3000, right: 4000 }] }]);
    expect(packet('0 > . 1:1(0) ack 1 <...>').options).toBe('any');
    expect(packet('0 > . 1:1(0) ack 1').options).toBeNull();
    expect(packet('0 < . 1:1(0) ack 1 win 0 <eol>').options).toEqual([{ kind: 'eol' }]);
  });

  it('accepts sequence numbers that wrap past 2^32', () => {
    const p = packet('0 < . 4294967000:704(1000) ack 1 win 100');
    expect(p).toMatchObject({ seqStart: 4294967000, seqEnd: 704, length: 1000 });
  });

  it('reads ip info in brackets', () => {
    expect(packet('0 < [ect0] . 1:1(0) ack 1 win 1').ipInfo).toBe('ect0');
  });

  it('reports bad packets at the offending column', () => {
    expect(error('0 < SX 0:0(0) win 1')).toBe("1:6: unknown packet flag 'X' (flags are F S R P . U E W, or - for none)");
    expect(error('0 < SS 0:0(0) win 1')).toBe("1:6: packet flag 'S' given twice");
    expect(error('0 < . 1:1001(100) ack 1 win 1')).toBe('1:14: segment length 100 does not match 1:1001');
    expect(error('0 < S 0:0(0)')).toBe("1:5: an inbound packet needs 'win N'");
    expect(error('0 < . 1:1(0) win 10')).toBe("1:5: an inbound packet with the '.' flag needs 'ack N'");
    expect(error('0 > S 0:0(0) ack 1')).toBe("1:5: 'ack N' needs the '.' (ACK) flag");
    expect(error('0 < . 1:1(0) ack 1 win 10 <...>')).toBe("1:5: '<...>' (any options) is only for outbound packets");
    expect(error('0 < S 0:0(0) win 70000')).toBe('1:18: the window 70000 is larger than 65535');
    expect(error('0 < S 0:0(0) win 1 win 2')).toBe("1:20: 'win' given twice");
    expect(error('0 < S 0:0(0) win 1 <mss 1460,FO abcd>')).toBe("1:30: unsupported TCP option 'FO' (supported: nop, eol, mss, wscale, sackOK, sack, TS)");
    expect(error('0 < S 0:0(0) win 1 <mss 1460 nop>')).toBe("1:30: expected ',' or '>' in the options, found 'nop'");
    expect(error('0 < S 0:0(0) win 1 <TS val 1>')).toBe("1:29: expected 'ecr'");
    expect(error('0 < S 0:0 win 1')).toBe("1:11: expected '(' in start:end(length), found 'win'");
    expect(error('0 > . 1:1(0) ack 1 foo 3')).toBe("1:20: unexpected 'foo' in a packet: expected ack, win, urg or <options>");
    expect(error('0 < . 4294967296:1(0) ack 1 win 1')).toBe('1:7: the start sequence number 4294967296 does not fit in 32 bits');
    expect(error('0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]')).toBe('1:5: icmp packets are not supported (TCP segments only)');
    expect(error('0 <\n')).toBe('1:4: expected packet flags (S, S., ., P., F., R, ...), found end of line');
    expect(error('0 < S 0:0(0) win 1 <nop,nop,sack 1:2 3:4 5:6 7:8 9:10>')).toBe('1:50: at most 4 SACK blocks fit in the TCP options');
  });
});

describe('system calls', () => {
  it('reads socket, bind, listen, accept, connect with ellipses and symbolic arguments', () => {
    expect(syscall('0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3')).toMatchObject({
      name: 'socket',
      args: [{ kind: 'ellipsis' }, { kind: 'or', terms: [{ kind: 'name', name: 'SOCK_STREAM' }, { kind: 'name', name: 'SOCK_NONBLOCK' }] }, { kind: 'name', name: 'IPPROTO_TCP' }],
      result: { value: { kind: 'int', value: 3 }, errno: null, note: null },
    });
    expect(syscall('+0 accept(3, ..., ...) = 4').args).toHaveLength(3);
    expect(syscall('+0 listen(3, 1) = 0').args).toMatchObject([{ kind: 'int', value: 3 }, { kind: 'int', value: 1 }]);
  });

  it('reads errno results with their text', () => {
    expect(syscall('+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)').result).toMatchObject({
      value: { kind: 'int', value: -1 }, errno: 'EINPROGRESS', note: 'Operation now in progress',
    });
    expect(syscall('+0 read(4, ..., 10) = -1 ECONNRESET (Connection reset by peer)').result.errno).toBe('ECONNRESET');
    expect(syscall('+0 write(4, ..., 10) = -1 EPIPE').result).toMatchObject({ errno: 'EPIPE', note: null });
  });

  it('reads fcntl with hex results and spaced or-expressions', () => {
    expect(syscall('+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)').result).toMatchObject({ value: { kind: 'int', value: 2 }, errno: null, note: 'flags O_RDWR' });
    expect(syscall('+0 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0').args[2]).toMatchObject({
      kind: 'or', terms: [{ name: 'O_RDWR' }, { name: 'O_NONBLOCK' }],
    });
  });

  it('reads socket options: pointers, structs, lengths', () => {
    expect(syscall('+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0').args[3]).toMatchObject({ kind: 'list', items: [{ kind: 'int', value: 1 }] });
    expect(syscall('+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0').args[3]).toMatchObject({
      kind: 'struct', fields: [{ name: 'onoff', value: { value: 1 } }, { name: 'linger', value: { value: 0 } }],
    });
    expect(syscall('+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0').args.slice(3)).toMatchObject([
      { kind: 'list', items: [{ kind: 'name', name: 'ECONNREFUSED' }] }, { kind: 'list', items: [{ kind: 'int', value: 4 }] },
    ]);
    expect(syscall('+0 getsockopt(3, SOL_SOCKET, SO_RCVBUF, [...], [4]) = 0').args[3]).toMatchObject({ kind: 'list', items: [{ kind: 'ellipsis' }] });
  });

  it('reads strings, negative numbers, empty argument lists, any result, and arguments across lines', () => {
    expect(syscall('0 write(4, "abc", -1) = ...')).toMatchObject({
      args: [{ value: 4 }, { kind: 'string', value: 'abc' }, { kind: 'int', value: -1 }], result: { value: { kind: 'ellipsis' } },
    });
    expect(syscall('0 getpid() = 5').args).toEqual([]);
    expect(syscall('0 setsockopt(4, SOL_SOCKET, SO_LINGER,\n   {onoff=1,\n    linger=0}, 8) = 0').args).toHaveLength(5);
  });

  it('reports bad calls with their position', () => {
    expect(error('0 close(3)')).toBe("1:11: expected '= result' after close(...), found end of script");
    expect(error('0 close(3 = 0')).toBe("1:11: expected ',' or ')' in the arguments of close(), found '='");
    expect(error('0 close(3) = zero')).toBe("1:14: expected the return value (an integer), found 'zero'");
    expect(error('0 close(3) = 0 (unterminated')).toBe("1:16: unterminated '(' after the result");
    expect(error('0 close(@) = 0')).toBe("1:9: expected an argument, found '@'");
    expect(error('0 setsockopt(4, 1, 2, {onoff 1}, 8) = 0')).toBe("1:30: expected '=' after the field name 'onoff', found '1'");
    expect(error('0 close 3')).toBe("1:3: unknown event 'close': expected a packet ('<' or '>'), a system call, a `command` or %{ code }%");
  });
});

describe('shell commands and code', () => {
  it('reads backtick commands, with or without a time', () => {
    const s = parse('`../common/defaults.sh`\n+0 `sysctl -q net.ipv4.tcp_timestamps=0`\n');
    expect(s.events.map((e) => [e.action, e.time])).toEqual([
      [{ kind: 'command', text: '../common/defaults.sh' }, { kind: 'relative', usecs: 0 }],
      [{ kind: 'command', text: 'sysctl -q net.ipv4.tcp_timestamps=0' }, { kind: 'relative', usecs: 0 }],
    ]);
  });

  it('reads %{ }% code over several lines', () => {
    const s = parse('+0 %{\nassert tcpi_state == TCP_ESTABLISHED, tcpi_state\nassert tcpi_rto > 0\n}%\n+0 close(4) = 0\n');
    expect(s.events[0].action).toEqual({ kind: 'code', text: '\nassert tcpi_state == TCP_ESTABLISHED, tcpi_state\nassert tcpi_rto > 0\n' });
    expect(s.events[1].loc).toEqual({ line: 5, col: 1 });
  });

  it('reports unterminated commands and code where they start', () => {
    expect(error('0 `sysctl -q x=1\n')).toBe("1:4: unterminated shell command: expected '`'");
    expect(error('\n\n0 %{ assert 1\n')).toBe("3:5: unterminated code block: expected '}%'");
  });
});

describe('script structure', () => {
  it('skips comments and blank lines, and keeps event positions', () => {
    const s = parse('// a comment\n\n/* a\n block */ 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // trailing\n   +0 close(3) = 0\n');
    expect(s.events.map((e) => e.loc)).toEqual([{ line: 4, col: 11 }, { line: 5, col: 4 }]);
  });

  it('wants one event per line', () => {
    expect(error('0 close(3) = 0 +0 close(4) = 0')).toBe("1:16: unexpected '+': expected end of line");
    expect(error('0 < S 0:0(0) win 1 0 close(3) = 0')).toBe("1:20: unexpected '0': expected end of line");
  });

  it('reports an unterminated block comment', () => {
    expect(error('0 close(3) = 0\n/* open')).toBe('2:1: unterminated comment');
  });

  it('parses a whole script', () => {
    const s = parse(`
--tolerance_usecs=10000
\`../common/defaults.sh\`
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 1) = 0
   +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
   +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7>
  +.1 < . 1:1(0) ack 1 win 257
   +0 accept(3, ..., ...) = 4
   +0 %{ assert tcpi_state == TCP_ESTABLISHED }%
`);
    expect(s.flags).toHaveLength(1);
    expect(s.events.map((e) => e.action.kind)).toEqual(['command', 'syscall', 'syscall', 'syscall', 'syscall', 'packet', 'packet', 'packet', 'syscall', 'code']);
  });
});

describe('remote endpoints (our extension)', () => {
  it('reads @PORT and @A.B.C.D:PORT before the flags', () => {
    expect(packet('0 < @40001 S 0:0(0) win 65535').endpoint).toEqual({ addr: null, port: 40001 });
    expect(packet('0 > @192.0.2.7:40002 S. 0:0(0) ack 1').endpoint).toEqual({ addr: 0xc0000207, port: 40002 });
    expect(packet('0 < S 0:0(0) win 65535').endpoint).toBeUndefined();
    expect(error('0 < @0 S 0:0(0) win 65535')).toBe("1:5: expected @PORT or @A.B.C.D:PORT (a remote endpoint), found '@0'");
    expect(error('0 < @1.2.3.400:5 S 0:0(0) win 65535')).toBe("1:5: bad address in '@1.2.3.400:5'");
  });
});
