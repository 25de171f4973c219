// The runner against our stack: scripts that must pass, and scripts that must fail with the
// right mismatch at the right line (a runner that cannot fail proves nothing).
import { describe, expect, it } from 'vitest';
import { defaultStackFactory } from '../../../core/packetdrill/default-stack.ts';
import { formatFailure, runScript } from '../../../core/packetdrill/runner.ts';
import type { RunReport, StackFactory } from '../../../core/packetdrill/runner.ts';

function run(text: string, makeStack: StackFactory = defaultStackFactory): RunReport {
  return runScript(text, { makeStack });
}

function passes(text: string): RunReport {
  const r = run(text);
  if (r.failure !== null) throw new Error(formatFailure('script', r.failure));
  return r;
}

/** The failure as 'line: message'. */
function failure(text: string): { where: string; details: readonly string[] } {
  const r = run(text);
  if (r.failure === null) throw new Error('the script passed');
  return { where: `${r.failure.loc.line}: ${r.failure.message}`, details: r.failure.details };
}

const LISTEN = `
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0`;

// Lines 2-5 are LISTEN; the handshake is lines 6-9.
const ESTABLISHED = `${LISTEN}
+0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>
+.1 < . 1:1(0) ack 1 win 512
+0 accept(3, ..., ...) = 4`;

describe('packets', () => {
  it('passes a handshake whose numbers are relative to our random ISN', () => {
    const r = passes(ESTABLISHED);
    expect(r.trace.some((l) => /> S\. 0:0\(0\) ack 1 win 65535 <mss 1460,nop,wscale 7>/.test(l))).toBe(true);
    // The tcpdump line shows the absolute (random) ISN.
    expect(r.trace.some((l) => /Flags \[S\.\], seq \d{4,}, ack 1,/.test(l))).toBe(true);
  });

  it('reports a wrong window with both segments, script and tcpdump style', () => {
    const f = failure(`${LISTEN}\n+0 < S 0:0(0) win 65535 <mss 1000,nop,wscale 7>\n+0 > S. 0:0(0) ack 1 win 1000 <mss 1460,nop,wscale 7>`);
    expect(f.where).toBe('7: win 65535, the script expects 1000');
    expect(f.details[0]).toBe('expected: +0.000 > S. 0:0(0) ack 1 win 1000 <mss 1460,nop,wscale 7>   (at 0.000 s ±0.004)');
    expect(f.details[1]).toBe('  actual: 0.000 > S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>');
    expect(f.details[2]).toMatch(/^expected \(tcpdump\): IP 192\.168\.0\.1\.8080 > 192\.0\.2\.1\.40000: Flags \[S\.\], seq \d+, ack 1, win 1000, options \[mss 1460,nop,wscale 7\], length 0$/);
    expect(f.details[3]).toMatch(/^ {2}actual \(tcpdump\): IP 192\.168\.0\.1\.8080 > 192\.0\.2\.1\.40000: Flags \[S\.\], seq \d+, ack 1, win 65535, /);
  });

  it('reports wrong flags, seq, ack, length and options, most telling first', () => {
    expect(failure(`${LISTEN}\n+0 < S 0:0(0) win 65535\n+0 > S 0:0(0) <mss 1460>`).where).toBe('7: flags S., the script expects S');
    expect(failure(`${LISTEN}\n+0 < S 0:0(0) win 65535\n+0 > S. 1:1(0) ack 1 <mss 1460>`).where).toBe('7: seq 0, the script expects 1');
    expect(failure(`${LISTEN}\n+0 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 2 <mss 1460>`).where).toBe('7: ack 1, the script expects 2');
    expect(failure(`${LISTEN}\n+0 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 1`).where).toBe('7: options <mss 1460>, the script expects none');
    // Order matters: same options, other layout.
    expect(failure(`${LISTEN}\n+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,nop,nop,nop,wscale 7>`).where)
      .toBe('7: options <mss 1460,nop,nop,sackOK,nop,wscale 7>, the script expects <mss 1460,sackOK,nop,nop,nop,wscale 7>');
    expect(failure(`${ESTABLISHED}\n+0 write(4, ..., 100) = 100\n+0 > P. 1:201(200) ack 1`).where).toBe('11: 100 bytes of data, the script expects 200');
  });

  it('accepts any options with <...> and any window when win is not given', () => {
    passes(`${LISTEN}\n+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>\n+0 > S. 0:0(0) ack 1 <...>`);
  });

  it('reports a packet that is not sent', () => {
    const f = failure(`${ESTABLISHED}\n+.1 > . 1:1(0) ack 1`);
    expect(f.where).toBe('10: expected packet not sent (waited until 0.204 s)');
    expect(f.details).toEqual(['expected: +0.100 > . 1:1(0) ack 1   (at 0.200 s ±0.004)']);
  });

  it('reports a packet sent too early or too late for the tolerance, which a flag can widen', () => {
    const data = `${ESTABLISHED}\n+.1 < P. 1:101(100) ack 1 win 512`;
    // The delayed ACK comes 40 ms later.
    passes(`${data}\n+.04 > . 1:1(0) ack 101`);
    expect(failure(`${data}\n+.035 > . 1:1(0) ack 101`).where).toBe('11: sent at 0.240 s, expected at 0.235 s ±0.004 (too late)');
    expect(failure(`${data}\n+.045 > . 1:1(0) ack 101`).where).toBe('11: sent at 0.240 s, expected at 0.245 s ±0.004 (too early)');
    passes(`--tolerance_usecs=6000\n${data}\n+.045 > . 1:1(0) ack 101`);
    passes(`${data}\n+.03~+.05 > . 1:1(0) ack 101`);
    passes(`${data}\n* > . 1:1(0) ack 101`);
    expect(failure(`${data}\n+.01~+.02 > . 1:1(0) ack 101`).where).toBe('11: sent at 0.240 s, expected at 0.206..0.224 s (too late)');
  });

  it('reports a packet the script does not expect, at the next > line or at the end', () => {
    // The stack ACKs the data 40 ms later; the script expects its own data first.
    const f = failure(`${ESTABLISHED}\n+.1 < P. 1:101(100) ack 1 win 512\n+.1 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 101`);
    expect(f.where).toBe('12: sent at 0.240 s, expected at 0.300 s ±0.004 (too early)');
    const end = failure(`${ESTABLISHED}\n+.1 write(4, ..., 10) = 10`);
    expect(end.where).toBe('10: unexpected packet: the stack sent a packet the script does not expect (after line 10)');
    expect(end.details[0]).toBe('  actual: 0.200 > P. 1:11(10) ack 1 win 2048');
  });

  it('maps the script ecr to our real TS val, and compares the ecr we send exactly', () => {
    const ts = `${LISTEN}
+0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 500 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 500,nop,wscale 7>
+.1 < . 1:1(0) ack 1 win 512 <nop,nop,TS val 600 ecr 100>
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 10) = 10`;
    passes(`${ts}\n+0 > P. 1:11(10) ack 1 <nop,nop,TS val 200 ecr 600>\n+.1 < . 1:1(0) ack 11 win 512 <nop,nop,TS val 700 ecr 200>`);
    expect(failure(`${ts}\n+0 > P. 1:11(10) ack 1 <nop,nop,TS val 200 ecr 500>`).where).toMatch(/^11: options <nop,nop,TS val \d+ ecr 600>, the script expects <nop,nop,TS val 200 ecr 500>$/);
    // With --tcp_ts_tick_usecs the TS val is checked too (1 ms per tick: 100 + 100).
    passes(`--tcp_ts_tick_usecs=1000\n${ts}\n+0 > P. 1:11(10) ack 1 <nop,nop,TS val 200 ecr 600>`);
    expect(failure(`--tcp_ts_tick_usecs=1000\n${ts}\n+0 > P. 1:11(10) ack 1 <nop,nop,TS val 150 ecr 600>`).where)
      .toMatch(/^12: TS val \d+ \(200 on the script's clock\), the script expects 150$/);
  });

  it('adds our ISN to the acks and SACK blocks the script sends', () => {
    // If the ack were not mapped, the stack would answer with an RST or drop it and the
    // data would never be acknowledged.
    passes(`${ESTABLISHED}\n+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n+.1 < . 1:1(0) ack 1001 win 512\n+0 %{ assert tcpi_unacked == 0, tcpi_unacked }%`);
  });
});

describe('system calls', () => {
  it('checks return values and errno', () => {
    expect(failure(`${ESTABLISHED.replace('accept(3, ..., ...) = 4', 'accept(3, ..., ...) = 5')}`).where).toBe('9: accept() returned 4, the script expects 5');
    // A blocking socket blocks instead of EAGAIN.
    expect(failure(`${ESTABLISHED}\n+0 read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)`).where).toBe('10: read() was still blocked when the script ended');
    passes(`${ESTABLISHED}\n+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n+0 read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)`);
    expect(failure(`${LISTEN}\n+0 listen(3, 5) = -1 EINVAL`).where).toBe('6: listen() returned 0, the script expects -1 EINVAL (Invalid argument)');
    // listen() again changes the backlog and keeps the queued connection.
    passes(ESTABLISHED.replace('+0 accept(3, ..., ...) = 4', '+0 listen(3, 5) = 0\n+0 accept(3, ..., ...) = 4'));
    passes(`${LISTEN}\n+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n+0 bind(4, ..., ...) = 0\n+0 listen(4, 1) = -1 EADDRINUSE (Address already in use)`);
  });

  it('runs blocking calls while time passes and checks when they return', () => {
    const blocking = `${LISTEN}\n+0...0.3 accept(3, ..., ...) = 4\n0.2 < S 0:0(0) win 65535\n+0 > S. 0:0(0) ack 1 <mss 1460>`;
    passes(`${blocking}\n0.3 < . 1:1(0) ack 1 win 65535`);
    expect(failure(`${blocking}\n0.4 < . 1:1(0) ack 1 win 65535`).where).toBe('6: accept() returned at 0.400 s, the script expects it to return at 0.300 s');
    expect(failure(`${blocking}`).where).toBe('6: accept() was still blocked when the script ended');
    expect(failure(`${blocking}\n0.3 < . 1:1(0) ack 1 win 65535`.replace('+0...0.3 accept', '+0 accept')).where)
      .toBe('6: accept() returned at 0.300 s, the script expects it to return at 0.000 s (it blocked; write start...end for a blocking call)');
    expect(failure(`${blocking}\n0.25 close(3) = 0`).where).toBe('9: close() cannot run: accept() at line 6 is still blocked');
  });

  it('compares socket option values and reports a value our stack chooses differently', () => {
    passes(`${ESTABLISHED}\n+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n+0 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [262144], [4]) = 0`);
    expect(failure(`${ESTABLISHED}\n+0 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [87380], [4]) = 0`).where).toBe('10: getsockopt(SO_RCVBUF) gave [262144], the script expects [87380]');
    expect(failure(`${ESTABLISHED}\n+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0`).where)
      .toBe('10: getsockopt(SO_ERROR) gave [0], the script expects [104 (ECONNRESET (Connection reset by peer))]');
    expect(failure(`${ESTABLISHED}\n+0 getsockopt(4, IPPROTO_TCP, TCP_MAXSEG, [1460], [4]) = 0`).where).toBe('10: getsockopt(TCP_MAXSEG) gave [1000], the script expects [1460]');
  });

  it('fails on calls, options and arguments it does not support, at their line', () => {
    expect(failure(`${ESTABLISHED}\n+0 epoll_create(1) = 5`).where).toBe('10: unsupported system call epoll_create()');
    expect(failure(`${ESTABLISHED}\n+0 setsockopt(4, SOL_SOCKET, SO_ZEROCOPY, [1], 4) = 0`).where).toMatch(/^10: setsockopt\(\): unsupported socket option SO_ZEROCOPY/);
    expect(failure(`${ESTABLISHED}\n+0 read(9, ..., 10) = 0`).where).toBe('10: read(): 9 is not an open socket');
    expect(failure(`0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3`).where).toBe('1: socket(): only SOCK_STREAM (TCP) is supported');
  });
});

describe('code, shell lines and flags', () => {
  it('fails a false assert with the values, and reports unsupported fields without failing', () => {
    expect(failure(`${ESTABLISHED}\n+0 %{ assert tcpi_state == TCP_CLOSE, tcpi_state }%`).where)
      .toBe('10: assertion failed: tcpi_state == TCP_CLOSE (1); tcpi_state = 1 (TCP_ESTABLISHED)');
    const r = passes(`${ESTABLISHED}\n+0 %{ assert tcpi_sacked == 0 }%`);
    expect(r.warnings).toEqual([{ loc: { line: 10, col: 1 }, message: "code skipped: unsupported tcp_info field 'tcpi_sacked' in 'assert tcpi_sacked == 0'" }]);
    expect(failure(`0 %{ assert tcpi_state == 1 }%`).where).toBe('1: no socket to read tcp_info from (no connection was accepted or connected yet)');
  });

  it('maps Linux sysctls to knobs, and reports the others without failing', () => {
    passes('`sysctl -q net.ipv4.tcp_timestamps=0`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n'
      + '+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n+0 > S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>\n'
      + '+1 > S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>');
    const r = passes('`../common/defaults.sh`\n`sysctl -q net.ipv4.tcp_fastopen=0x70403`\n`sysctl -q net.ipv4.tcp_syn_retries=0`\n0 `sysctl -w net.ipv4.tcp_sack=1`');
    expect(r.warnings.map((w) => `${w.loc.line}: ${w.message}`)).toEqual([
      "1: shell command skipped: '../common/defaults.sh': not a sysctl setting",
      '2: sysctl net.ipv4.tcp_fastopen skipped: no knob of ours maps to it',
      '3: sysctl net.ipv4.tcp_syn_retries=0 skipped: knob tcp_syn_retries refused it (tcp_syn_retries must be >= 1)',
    ]);
  });

  it('reads the stack\'s counters by their nstat names; an unknown counter fails the assert', () => {
    passes(`${ESTABLISHED}\n+0 %{ assert TcpPassiveOpens == 1 and TcpExtListenOverflows == 0 and IpInReceives == 2 }%`);
    passes('0 %{ assert TcpExtSyncookiesSent == 0 }%');
    expect(failure(`${ESTABLISHED}\n+0 %{ assert TcpPassiveOpens == 2 }%`).where).toBe('10: assertion failed: TcpPassiveOpens == 2; TcpPassiveOpens = 1');
    expect(failure(`${ESTABLISHED}\n+0 %{ assert TcpExtNoSuchThing == 0 }%`).where).toBe("10: unknown counter 'TcpExtNoSuchThing' in 'assert TcpExtNoSuchThing == 0'");
  });

  it('maps FreeBSD names (aliases) and tcplab.<knob> to knobs', () => {
    passes('`sysctl -q net.inet.tcp.syncache.bucketlimit=2 tcplab.syn_defence=cache`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3');
    const r = passes('`sysctl -q tcplab.syn_defence=list`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3');
    expect(r.warnings.map((w) => w.message)).toEqual(['sysctl tcplab.syn_defence=list skipped: knob syn_defence refused it (syn_defence must be one of queue, cache)']);
  });

  it('talks to several remote endpoints: `< @PORT` picks the connection, `> @PORT` checks where a packet goes', () => {
    const two = `${LISTEN}
+0 < @40001 S 0:0(0) win 65535 <mss 1460>
+0 > @40001 S. 0:0(0) ack 1 win 65535 <mss 1460>
+0 < @192.0.2.9:40001 S 0:0(0) win 65535 <mss 1460>
+0 > @192.0.2.9:40001 S. 0:0(0) ack 1 win 65535 <mss 1460>`;
    passes(`${two}\n+.1 < @192.0.2.9:40001 . 1:1(0) ack 1 win 65535\n+0 accept(3, ..., ...) = 4`);
    expect(failure(`${LISTEN}\n+0 < @40001 S 0:0(0) win 65535 <mss 1460>\n+0 > @40002 S. 0:0(0) ack 1 win 65535 <mss 1460>`).where)
      .toBe('7: sent to 192.0.2.1:40001, the script expects 192.0.2.1:40002');
  });

  it('reports unknown flags, and fails on bad ones and on syntax errors with line and column', () => {
    expect(passes('--wire_server_port=8081\n--frobnicate=1\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3').warnings.map((w) => w.message))
      .toEqual(['flag --wire_server_port has no effect here (ignored)', 'unknown flag --frobnicate (ignored)']);
    expect(run('--ip_version=ipv6\n0 close(3) = 0').failure).toEqual({ loc: { line: 1, col: 1 }, message: '--ip_version=ipv6: only ipv4 is supported', details: [] });
    expect(run('0 < S 0:0(0)\n').failure).toEqual({ loc: { line: 1, col: 5 }, message: "an inbound packet needs 'win N'", details: [] });
  });
});

describe('robustness', () => {
  it('turns an exception from the stack into a failure at the event, not a crash', () => {
    const throwing: StackFactory = (env) => {
      const made = defaultStackFactory(env);
      const stack = made.stack;
      return {
        knobs: made.knobs,
        stack: {
          ...stack,
          input: () => { throw new Error('boom'); },
          nextDeadline: () => stack.nextDeadline(),
          runTimers: () => stack.runTimers(),
          listen: (port, backlog, opts) => stack.listen(port, backlog, opts),
          connect: (addr, port, opts) => stack.connect(addr, port, opts),
          setKnob: (n, v) => stack.setKnob(n, v),
          getKnobs: () => stack.getKnobs(),
        },
      };
    };
    const r = run(`${LISTEN}\n+0 < S 0:0(0) win 65535`, throwing);
    expect(r.failure).toMatchObject({ loc: { line: 6, col: 1 }, message: 'internal error: Error: boom' });
  });
});
