// The cost of watching: bulk TCP throughput kernel -> lab on a real TUN, with no clients and with
// 20 clients attached over the Unix socket (each keeping a snapshot mirror at 10 per second and
// following every event), alternating A/B rounds; the target is "within 10%" (the stack never
// waits for a UI: slow clients are coalesced and lose events, told how many).
//   lab process: the Lab on the TUN of a private namespace, LabServer, the socket server
//   clients:     one child process (this file with --attach) holding 20 WebSocket clients, like
//                20 UIs on the same machine
//   kernel side: a python sender inside the namespace: connect, send BYTES, shut down, wait for
//                the lab's FIN (the discard responder closes after reading everything)
//   TCPLAB_BENCH_BYTES=536870912 (per transfer: about a second; at 128 MiB a transfer lasts a
//   quarter of a second, and the first rate window, in which all 20 clients take their share of
//   events at once, weighs twice as much: -10 to -12% there against -5 to -8% at 512 MiB)
//   TCPLAB_BENCH_ROUNDS=12  TCPLAB_BENCH_CLIENTS=20
//   TCPLAB_BENCH_STREAMS=both|snapshots|events|none  TCPLAB_BENCH_MAXRATE=N  TCPLAB_BENCH_NICE=-10
// Needs root (namespace, TUN); prints a note and exits 0 without it. Everything it made is
// removed afterwards, also on failure; the child is stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { LabClient } from '../core/api/client.ts';
import { connectSocket } from '../core/api/client-socket.ts';
import { LabServer } from '../core/api/server.ts';
import { SnapshotMirror } from '../core/api/snapshot-mirror.ts';
import { startSocketServer } from '../core/api/socket-server.ts';
import { createLabNet } from '../test/interop/lab-net.ts';
import { isRoot } from '../test/interop/netns.ts';

const BYTES = Number(process.env.TCPLAB_BENCH_BYTES ?? 512 << 20);
const ROUNDS = Number(process.env.TCPLAB_BENCH_ROUNDS ?? 12);
const CLIENTS = Number(process.env.TCPLAB_BENCH_CLIENTS ?? 20);
const PORT = 5001;
/** What each client follows: 'both' (default), 'snapshots', 'events' or 'none' (to see what costs what). */
const STREAMS = process.env.TCPLAB_BENCH_STREAMS ?? 'both';

const SENDER = `
import socket, sys, time, json
dst, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buf = b'x' * (1 << 18)
s = socket.socket()
t0 = time.perf_counter()
s.connect((dst, port))
left = total
while left > 0:
    n = s.send(buf if left >= len(buf) else buf[:left])
    left -= n
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
print(json.dumps({"bytes": total, "secs": time.perf_counter() - t0}))
`;

interface ClientStats {
  clients: number;
  secs: number;
  snapshotMessages: number;
  events: number;
  missed: number;
  gaps: number;
  /** CPU seconds the clients' process used while attached. */
  cpu: number;
}

// ---- the child: a process that attaches 20 clients to the lab on command ------------------
// It stays up for the whole run (its start-up is not measured); on stdin `attach` it connects
// the clients and subscribes them, `detach` closes them and prints their figures, EOF ends it.

async function attachAll(sock: string, n: number, stats: ClientStats): Promise<{ clients: LabClient[]; mirrors: SnapshotMirror[] }> {
  const clients: LabClient[] = [];
  const mirrors: SnapshotMirror[] = [];
  for (let i = 0; i < n; i++) {
    const c = await connectSocket({ path: sock });
    clients.push(c);
    if (STREAMS === 'both' || STREAMS === 'snapshots') {
      const m = await SnapshotMirror.start(c, { rate: 10 }, () => void stats.snapshotMessages++);
      if (!m.ok) throw new Error(m.error.message);
      mirrors.push(m.value);
    }
    if (STREAMS !== 'both' && STREAMS !== 'events') continue;
    // As the TUI and the GUI ask: gaps without a snapshot where the mirror keeps one.
    const sub = await c.subscribeEvents({ gapSnapshot: STREAMS !== 'both' }, (msg) => {
      if (msg.kind === 'events') stats.events += msg.events.length;
      else {
        stats.missed += msg.missed;
        stats.gaps++;
      }
    });
    if (!sub.ok) throw new Error(sub.error.message);
  }
  return { clients, mirrors };
}

async function clientsProcess(sock: string, n: number): Promise<void> {
  let attached: { clients: LabClient[]; mirrors: SnapshotMirror[]; stats: ClientStats; t0: number; cpu0: NodeJS.CpuUsage } | null = null;
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) {
    if (line === 'attach' && attached === null) {
      const stats: ClientStats = { clients: n, secs: 0, snapshotMessages: 0, events: 0, missed: 0, gaps: 0, cpu: 0 };
      const { clients, mirrors } = await attachAll(sock, n, stats);
      attached = { clients, mirrors, stats, t0: performance.now(), cpu0: process.cpuUsage() };
      process.stdout.write('attached\n');
    } else if (line === 'detach' && attached !== null) {
      const { stats } = attached;
      stats.secs = (performance.now() - attached.t0) / 1000;
      const u = process.cpuUsage(attached.cpu0);
      stats.cpu = (u.user + u.system) / 1e6;
      for (const m of attached.mirrors) m.close();
      for (const c of attached.clients) await c.close();
      attached = null;
      process.stdout.write(`${JSON.stringify(stats)}\n`);
    }
  }
}

// ---- the lab side ---------------------------------------------------------------------------

interface Transfer {
  gbit: number;
  cpu: number;
  p99: number;
  /** Lab events per second during the transfer. */
  events: number;
}

interface ClientsChild {
  child: ChildProcess;
  attach(): Promise<void>;
  detach(): Promise<ClientStats>;
  end(): void;
}

function startClientsProcess(sock: string): Promise<ClientsChild> {
  const here = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', here, '--clients', sock, String(CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => waiting.shift()?.(line));
  const next = (what: string): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the clients process did not answer (${what})`)), 60_000);
    waiting.push((line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
  const say = (cmd: string): void => void child.stdin?.write(`${cmd}\n`);
  return next('ready').then(() => ({
    child,
    async attach() {
      say('attach');
      if ((await next('attach')) !== 'attached') throw new Error('the clients did not attach');
    },
    async detach() {
      say('detach');
      return JSON.parse(await next('detach')) as ClientStats;
    },
    end: () => void child.stdin?.end(),
  }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--clients') return clientsProcess(process.argv[3], Number(process.argv[4]));
  if (!isRoot) {
    process.stdout.write('bench/clients: needs root (namespace, TUN); skipped\n');
    return;
  }
  // The machine is shared: at nice -10 (inherited by the clients' process and the kernel-side
  // sender) other jobs disturb the comparison less. TCPLAB_BENCH_NICE=0 turns it off.
  const nice = Number(process.env.TCPLAB_BENCH_NICE ?? -10);
  if (nice !== 0) setPriority(0, nice);
  const tmp = mkdtempSync(path.join(tmpdir(), 'tl-bench-clients-'));
  const sender = path.join(tmp, 'sender.py');
  writeFileSync(sender, SENDER);
  const sockPath = path.join(tmp, 'run', 'lab.sock');
  const ln = await createLabNet({ mtu: 1500 });
  // TCPLAB_BENCH_MAXRATE / _WINDOWMS: the server's per-client event budget (to see what it costs).
  const server = new LabServer(ln.lab, {
    events: {
      ...(process.env.TCPLAB_BENCH_MAXRATE ? { maxRate: Number(process.env.TCPLAB_BENCH_MAXRATE) } : {}),
      ...(process.env.TCPLAB_BENCH_WINDOWMS ? { rateWindowMs: Number(process.env.TCPLAB_BENCH_WINDOWMS) } : {}),
    },
  });
  let clients: ClientsChild | null = null;
  try {
    const sockets = await startSocketServer({ api: server, unixPath: sockPath });
    ln.lab.handlers.listen({ port: PORT, backlog: 16, responder: 'discard' });

    const transfer = async (): Promise<Transfer> => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const cpu0 = process.cpuUsage();
      const seq0 = ln.lab.snapshot().lastEventSeq;
      const c0 = { ...ln.lab.snapshot().counters };
      await ln.net.exec(['nstat', '-n']);
      const r = await ln.net.exec(['python3', sender, ln.net.labAddr, String(PORT), String(BYTES)], { timeoutMs: 300_000 });
      h.disable();
      const line = r.stdout.trim().split('\n').at(-1) ?? '';
      if (!line.startsWith('{')) throw new Error(`sender failed (${r.code ?? r.signal}): ${r.stdout}${r.stderr}`);
      const { bytes, secs } = JSON.parse(line) as { bytes: number; secs: number };
      const u = process.cpuUsage(cpu0);
      const events = (ln.lab.snapshot().lastEventSeq - seq0) / secs;
      if (process.env.TCPLAB_BENCH_DEBUG) {
        const c1 = ln.lab.snapshot().counters;
        const moved = Object.fromEntries(Object.entries(c1).filter(([k, v]) => v !== (c0[k] ?? 0)).map(([k, v]) => [k, v - (c0[k] ?? 0)]));
        const k = await ln.net.exec(['nstat', '-z', 'TcpRetransSegs', 'TcpExtTCPLossProbes', 'TcpExtTCPTimeouts', 'TcpOutSegs']);
        process.stdout.write(`  lab ${JSON.stringify(moved)}\n  kernel ${k.stdout.split('\n').slice(1).map((l) => l.replace(/\s+/g, ' ').trim()).join('; ')}\n  loop p50 ${(h.percentile(50) / 1e6).toFixed(1)} p90 ${(h.percentile(90) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)} ms\n`);
      }
      return { gbit: (bytes * 8) / secs / 1e9, cpu: (u.user + u.system) / 1e6 / secs, p99: h.percentile(99) / 1e6, events };
    };

    clients = await startClientsProcess(sockPath);
    await transfer(); // warm up (JIT, buffers)
    const none: Transfer[] = [];
    const watched: Transfer[] = [];
    const stats: ClientStats[] = [];
    const withClients = async (): Promise<Transfer> => {
      const c = clients as ClientsChild;
      await c.attach();
      await sleep(500); // the first snapshots and events are out of the way
      const t = await transfer();
      stats.push(await c.detach());
      return t;
    };
    for (let round = 0; round < ROUNDS; round++) {
      // ABBA: every other round measures with clients first, so drift in the machine's load cancels.
      let a: Transfer;
      let b: Transfer;
      if (round % 2 === 0) {
        a = await transfer();
        b = await withClients();
      } else {
        b = await withClients();
        a = await transfer();
      }
      none.push(a);
      watched.push(b);
      const st = stats[stats.length - 1];
      process.stdout.write(`round ${round + 1}: no clients ${a.gbit.toFixed(2)} Gbit/s (lab ${a.cpu.toFixed(2)} cores, ${Math.round(a.events)} events/s), ` +
        `${CLIENTS} clients ${b.gbit.toFixed(2)} Gbit/s (lab ${b.cpu.toFixed(2)} cores, ${Math.round(b.events)} events/s; clients ${(st.cpu / st.secs).toFixed(2)} cores)\n`);
    }
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const m0 = median(none.map((t) => t.gbit));
    const m1 = median(watched.map((t) => t.gbit));
    const sum = (k: keyof ClientStats): number => stats.reduce((s, x) => s + (x[k] as number), 0);
    const secs = sum('secs');
    const rows = [
      ['', 'throughput (median)', 'lab CPU', 'event loop p99'],
      ['no clients', `${m0.toFixed(2)} Gbit/s`, `${median(none.map((t) => t.cpu)).toFixed(2)} cores`, `${median(none.map((t) => t.p99)).toFixed(1)} ms`],
      [`${CLIENTS} clients`, `${m1.toFixed(2)} Gbit/s`, `${median(watched.map((t) => t.cpu)).toFixed(2)} cores`, `${median(watched.map((t) => t.p99)).toFixed(1)} ms`],
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    process.stdout.write(`\n${rows.map((r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`).join('\n')}\n`);
    const change = (m1 / m0 - 1) * 100;
    // Each round's pair ran back to back: their ratio is the figure least moved by other load on the machine.
    const paired = (median(watched.map((w, i) => w.gbit / none[i].gbit)) - 1) * 100;
    const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
    process.stdout.write(`with ${CLIENTS} clients: ${pct(change)} (medians), ${pct(paired)} (median of each round's pair); target: within 10%; ` +
      `${ROUNDS} rounds of ${BYTES >> 20} MiB\n`);
    // CPU seconds the lab's process spent per byte moved: what serving the clients costs the lab itself.
    const perByte = (t: Transfer): number => t.cpu / t.gbit;
    const cpuCost = (median(watched.map((w, i) => perByte(w) / perByte(none[i]))) - 1) * 100;
    process.stdout.write(`lab CPU per byte with ${CLIENTS} clients: ${pct(cpuCost)} (median of each round's pair)\n`);
    process.stdout.write(`per client: ${(sum('snapshotMessages') / CLIENTS / secs).toFixed(1)} snapshot messages/s, ` +
      `${Math.round(sum('events') / CLIENTS / secs)} events/s delivered, ${Math.round(sum('missed') / CLIENTS / secs)} events/s missed ` +
      `(${(sum('gaps') / CLIENTS).toFixed(1)} gaps per client over ${secs.toFixed(1)} s attached)\n`);
    await sockets.close();
  } finally {
    clients?.end();
    const pid = clients?.child.pid;
    if (pid !== undefined && clients?.child.exitCode === null) setTimeout(() => { if (clients?.child.exitCode === null) process.kill(pid, 'SIGKILL'); }, 2000).unref();
    server.close();
    await ln.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
