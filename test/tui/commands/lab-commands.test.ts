// The `tcplab` subcommands that talk to a running lab, against a real Lab (core/lab) on the
// simulated wire and a manual clock, served by the daemon's own code (startDaemon) on a Unix
// socket in a temporary directory: what a user sees on stdout and stderr, and the exit codes
// (0 ok, 1 the lab refused or is unreachable, 2 usage).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectSocket } from '../../../core/api/client-socket.ts';
import { ManualClock } from '../../../core/stack/clock.ts';
import { commands } from '../../../tui/commands/index.ts';
import { splitGlobalOptions, type CliEnv, type LabCommand } from '../../../tui/commands/lab-command.ts';
import { startDaemon, type Daemon } from '../../../tui/commands/serve.ts';

interface Run { code: number; out: string; err: string }

let dir: string;
let sock: string;
let daemon: Daemon;
let live: AbortController;

function cliEnv(io: { out: string; err: string }, onOut?: () => void): CliEnv {
  return {
    io: { out: (s) => { io.out += s; onOut?.(); }, err: (s) => void (io.err += s) },
    env: { LANG: 'C' },
    connect: (t) => connectSocket(t),
    interrupted: () => live.signal,
  };
}

function command(name: string): LabCommand {
  const c = commands.find((x) => x.name === name) as LabCommand | undefined;
  if (c?.runWith === undefined) throw new Error(`no lab command ${name}`);
  return c;
}

/** `tcplab NAME ARGS... --socket SOCK`, in-process, output captured. */
async function tcplab(name: string, ...args: string[]): Promise<Run> {
  const io = { out: '', err: '' };
  const code = await command(name).runWith([...args, '--socket', sock], cliEnv(io));
  return { code, ...io };
}

/** Starts a live command (trace, counters --deltas); `until` resolves when its output matches. */
function start(name: string, ...args: string[]): { io: { out: string; err: string }; done: Promise<number>; until(re: RegExp): Promise<void> } {
  const io = { out: '', err: '' };
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) if (w.re.test(io.out)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };
  const done = command(name).runWith([...args, '--socket', sock], cliEnv(io, check));
  return {
    io, done,
    until: (re) => new Promise((resolve) => { waiters.push({ re, resolve }); check(); }),
  };
}

async function waitFor(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

/** Resolves once a live command has subscribed to the lab's events. */
const subscribed = (): Promise<void> =>
  waitFor(() => (daemon.server as unknown as { eventFeeds: Set<unknown> }).eventFeeds.size > 0, 'the event subscription');

/** Let the lab's manual clock run (the simulated kernel answers) and the socket settle. */
async function settle(ms = 50): Promise<void> {
  daemon.lab.advance(ms);
  await new Promise((r) => setTimeout(r, 5));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-cli-'));
  sock = join(dir, 'run', 'lab.sock');
  daemon = await startDaemon(
    { dev: undefined, netns: undefined, simulated: true, socket: sock, web: null, shell: false },
    { lab: { clock: new ManualClock(), seed: 7 } },
  );
});

afterAll(async () => {
  await daemon?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  live = new AbortController();
  // The previous test's clients have gone (their streams too).
  await waitFor(() => daemon.sockets.clientCount() === 0, 'the last clients to leave');
});

describe('global options', () => {
  it('come anywhere before --; the default is the socket in the runtime dir', () => {
    const r = splitGlobalOptions(['3', '--json', 'hi', '--lab', '/x.sock', '--', '--json'], { XDG_RUNTIME_DIR: '/run/user/5' });
    expect(r).toMatchObject({ argv: ['3', 'hi', '--', '--json'], opts: { target: { path: '/x.sock' }, json: true } });
    expect(splitGlobalOptions([], { XDG_RUNTIME_DIR: '/run/user/5' })).toMatchObject({ opts: { target: { path: '/run/user/5/tcplab/lab.sock' } } });
    expect(splitGlobalOptions(['--lab', 'http://127.0.0.1:8080/?token=abc'], {})).toMatchObject({ opts: { target: { url: 'ws://127.0.0.1:8080/api?token=abc' } } });
    expect(splitGlobalOptions(['--lab=/y.sock', '--token', 't'], {})).toMatchObject({ opts: { target: { path: '/y.sock' } } });
    expect(splitGlobalOptions(['--lang', 'fr'], {})).toEqual({ error: "--lang must be en or zh, not 'fr'" });
    expect(splitGlobalOptions(['--lab'], {})).toEqual({ error: '--lab needs a value' });
  });
});

describe('exit codes and messages', () => {
  it('a usage error: exit 2, the message and the usage on stderr, nothing on stdout', async () => {
    const r = await tcplab('listen', 'http');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe("tcplab listen: 'http' is not a port number\nusage: tcplab listen PORT [--backlog N] [--responder echo|discard|http|chargen|manual]\n(tcplab help listen for more)\n");
  });
  it('a refusal of the lab: exit 1 with its code and message', async () => {
    const r = await tcplab('rst', '999');
    expect(r).toEqual({ code: 1, out: '', err: 'tcplab rst: ENOCONN: no such connection: 999\n' });
  });
  it('no lab: exit 1, and how to start one', async () => {
    const io = { out: '', err: '' };
    const code = await command('ss').runWith(['--socket', join(dir, 'none.sock')], cliEnv(io));
    expect(code).toBe(1);
    expect(io.err).toContain(`No lab is answering at ${join(dir, 'none.sock')}`);
    expect(io.err).toContain('tcplab serve --simulated');
  });
  it('--help needs no lab', async () => {
    const io = { out: '', err: '' };
    expect(await command('fault').runWith(['--help'], cliEnv(io))).toBe(0);
    expect(io.out).toContain('usage: tcplab fault add KEY=VALUE... ACTION');
    expect(io.out).toContain('--lab PATH|URL');
  });
});

describe('a session', () => {
  it('listen, ss -l shows the listener with its queues; a second listen on the port is refused', async () => {
    expect(await tcplab('listen', '8080', '--backlog', '2', '--responder', 'manual')).toEqual({
      code: 0, out: 'listening on port 8080 (manual), listener 1\n', err: '',
    });
    const again = await tcplab('listen', '8080');
    expect(again).toMatchObject({ code: 1, err: 'tcplab listen: EADDRINUSE: port 8080 is in use\n' });
    const ss = await tcplab('ss', '-l');
    expect(ss.code).toBe(0);
    const [head, row] = ss.out.trimEnd().split('\n');
    expect(head).toMatch(/^#\s+Local Address\S*\s+App\s+SYN queue\s+Accept queue\s+Drops\s+Cookies\s+Accepting$/);
    expect(row).toMatch(/^1\s+10\.77\.0\.2:8080\s+manual\s+0\/\d+\s+0\/\d+\s+0\s+0\/0\/0\s+accepting$/);
  });

  it('connect to the simulated kernel\'s echo, send, ss and ss -i show it, --json gives the rows', async () => {
    const c = await tcplab('connect', '10.77.0.1', '7');
    expect(c).toEqual({ code: 0, out: 'connecting to 10.77.0.1:7: connection 1\n', err: '' });
    await settle();
    expect(await tcplab('send', '1', 'hello\\r\\n')).toEqual({ code: 0, out: 'sent 7 bytes on 1\n', err: '' });
    await settle();
    const ss = await tcplab('ss');
    const lines = ss.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^#\s+Proto\s+Local Address\S*\s+Peer Address\S*\s+State\s+Recv-Q\s+Send-Q\s+Timer\s+RTT ms\s+cwnd$/);
    expect(lines[1]).toMatch(/^1\s+tcp\s+10\.77\.0\.2:\d+\s+10\.77\.0\.1:7\s+ESTABLISHED\s+7\s+0\s/);
    const info = await tcplab('ss', '-i', 'port:7');
    expect(info.out.split('\n')[0]).toMatch(/RTO\s+Retr\s+MSS\s+ssthresh\s+wscale\s+snd_wnd\s+rcv_wnd\s+snd_una\s+snd_nxt\s+rcv_nxt\s+ISS\s+IRS\s+App$/);
    const json = JSON.parse((await tcplab('ss', '--json')).out) as { connections: { id: number; recvQ: number }[] };
    expect(json.connections).toMatchObject([{ id: 1, recvQ: 7 }]);
    expect((await tcplab('ss', 'state:')).code).toBe(2);
  });

  it('trace prints live lines with transitions interleaved, until --count', async () => {
    const t = start('trace', '--count', '3', '--kinds', 'segment,state');
    await subscribed();
    expect((await tcplab('connect', '10.77.0.1', '9')).code).toBe(0);
    await settle();
    expect(await t.done).toBe(0);
    const lines = t.io.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d+\.\d{3} STATE {2}#2 CLOSED -> SYN-SENT \(user connect\)$/);
    expect(lines[1]).toMatch(/^\d+\.\d{3} OUT {4}10\.77\.0\.2\.\d+ > 10\.77\.0\.1\.9: Flags \[S\], seq \d+, win 65535/);
  });

  it('trace runs until interrupted', async () => {
    const t = start('trace', '2');
    await subscribed();
    expect((await tcplab('rst', '2')).out).toBe('RST sent on 2\n');
    await settle();
    await t.until(/ESTABLISHED -> CLOSED \(user abort\)/);
    live.abort();
    expect(await t.done).toBe(0);
    expect(t.io.out).toMatch(/OUT\s+10\.77\.0\.2\.\d+ > 10\.77\.0\.1\.9: Flags \[R\.\]/);
  });

  it('rst resets; the connection is gone; history shows its life', async () => {
    expect((await tcplab('rst', '1')).code).toBe(0);
    await settle();
    expect(await tcplab('rst', '1')).toMatchObject({ code: 1, err: 'tcplab rst: ENOCONN: no such connection: 1\n' });
    const h = await tcplab('history', '1');
    expect(h.out).toMatch(/STATE {2}#1 CLOSED -> SYN-SENT/);
    expect(h.out).toMatch(/STATE {2}#1 ESTABLISHED -> CLOSED \(user abort\)/);
  });

  it('set and knobs', async () => {
    expect(await tcplab('set', 'tcp_synack_retries=2')).toEqual({ code: 0, out: 'tcp_synack_retries = 2\n', err: '' });
    const bad = await tcplab('set', 'tcp_synack_retries=0');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^tcplab set: EINVAL: /);
    expect((await tcplab('set', 'no_such_knob', '1')).err).toMatch(/^tcplab set: EINVAL: .*no_such_knob/);
    const k = await tcplab('knobs', 'synack');
    expect(k.out).toMatch(/^Knob\s+Value\s+Default\s+Range\s+Linux\s+Meaning\n\*tcp_synack_retries\s+2\s+5\s+1\.\.255\s+net\.ipv4\.tcp_synack_retries\s/);
  });

  it('fault add, ls, rm, random', async () => {
    expect(await tcplab('fault', 'add', 'dir=in', 'flags=.', 'nth=3', 'drop')).toEqual({ code: 0, out: 'fault rule rule-1 added\n', err: '' });
    expect((await tcplab('fault', 'random', 'loss=0.01', 'seed=3')).out).toBe('random faults on\n');
    const ls = await tcplab('fault', 'ls');
    expect(ls.out).toContain('rule-1  dir=in flags=. nth=3 drop  (matched 0, fired 0)');
    expect(ls.out).toContain('random faults: seed=3 loss=0.01');
    expect((await tcplab('fault', 'rm', 'rule-1')).out).toBe('fault rule rule-1 removed\n');
    expect((await tcplab('fault', 'rm', 'rule-1')).code).toBe(1);
    expect((await tcplab('fault', 'random', 'off')).out).toBe('random faults off\n');
  });

  it('pcap start, stop, save FILE (a pcap file tcpdump reads: the magic and LINKTYPE_RAW)', async () => {
    expect((await tcplab('pcap', 'start')).out).toBe('pcap recording started\n');
    expect((await tcplab('connect', '10.77.0.1', '80')).code).toBe(0);
    await settle();
    const stop = await tcplab('pcap', 'stop');
    expect(stop.out).toMatch(/^pcap stopped: [1-9]\d* packets, \d+ bytes\n$/);
    const file = join(dir, 'lab.pcap');
    const save = await tcplab('pcap', 'save', file);
    expect(save.out).toMatch(new RegExp(`^[1-9]\\d* packets, [\\d,]+ bytes saved to ${file}\\n$`));
    const bytes = await readFile(file);
    expect([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1]).toContain(bytes.readUInt32LE(0));
    expect(bytes.readUInt32LE(20)).toBe(101);
  });

  it('counters (netstat -s groups) and --deltas', async () => {
    const c = await tcplab('counters', '-z');
    expect(c.out).toMatch(/^Tcp:\n {4}ActiveOpens\s+\d+\s+active connection openings\n/);
    expect(c.out).toMatch(/\nIp:\n/);
    const watch = start('counters', '--deltas', '--interval', '0.2', '--count', '1');
    await waitFor(() => daemon.sockets.clientCount() > 0, 'the counters client');
    await new Promise((r) => setTimeout(r, 20)); // its first counterDeltas call (the baseline)
    expect((await tcplab('connect', '10.77.0.1', '19')).code).toBe(0);
    await settle();
    expect(await watch.done).toBe(0);
    expect(watch.io.out).toMatch(/^-- \d+\.\d{3} s\n(?: {4}\w+\s+\+\d+\n)+$/);
    expect(watch.io.out).toMatch(/ActiveOpens\s+\+1/);
  });

  it('accept, pause and resume on a manual listener', async () => {
    expect((await tcplab('pause', '1')).out).toBe('listener 1: accepting paused (the accept queue will fill)\n');
    expect((await tcplab('accept', '1')).out).toBe('listener 1: the accept queue is empty\n');
    daemon.lab.peer?.connect(8080);
    await settle();
    expect((await tcplab('accept', '1')).out).toMatch(/^accepted connection \d+ from listener 1\n$/);
    expect((await tcplab('resume', '1')).code).toBe(0);
    expect((await tcplab('accept', '7')).err).toBe('tcplab accept: ENOLISTENER: no such listener: 7\n');
  });

  it('scenario ls lists the guided scenarios', async () => {
    const r = await tcplab('scenario', 'ls');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}handshake\s+\S/m);
    expect((await tcplab('scenario', 'run', 'no-such')).err).toMatch(/^tcplab scenario: ENOENT: no such scenario: no-such/);
  });
});
