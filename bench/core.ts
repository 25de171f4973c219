// Core benchmarks (no I/O): two stacks back to back over an in-memory wire on a manual clock.
//  1. heap bytes per idle ESTABLISHED connection, 10,000 connections (both ends counted:
//     20,000 TCBs with their sockets, demux entries and histories);
//  2. segments per second through the core (IPv4 + TCP parse, checksum, state machine,
//     encode, checksum) in a bulk transfer loop.
// Run: npx tsx --expose-gc bench/core.ts   (or node --expose-gc --import tsx bench/core.ts)
import { MemoryWire } from '../core/link/memory-wire.ts';
import { ManualClock } from '../core/stack/clock.ts';
import { seededRandom } from '../core/stack/random.ts';
import { ManualRuntime } from '../core/stack/runtime.ts';
import type { Socket } from '../core/stack/socket.ts';
import { Stack } from '../core/stack/stack.ts';

const A = 0x0a4d0001;
const B = 0x0a4d0002;
const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  for (let i = 0; i < 4; i++) gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function net(delayMs: number) {
  const clock = new ManualClock(0);
  const wire = new MemoryWire({ clock, seed: 1, faults: { delayMs } });
  const knobs = { somaxconn: 65535, tcp_max_syn_backlog: 65535 };
  const a = new Stack({ address: A, clock, random: seededRandom(1), knobs });
  const b = new Stack({ address: B, clock, random: seededRandom(2), knobs });
  a.attach(wire.a);
  b.attach(wire.b);
  const rt = new ManualRuntime(clock, [wire, a, b]);
  return { clock, wire, a, b, rt };
}

type Net = ReturnType<typeof net>;

function openMany(w: Net, port: number, n: number, keep: Socket[]): void {
  const l = w.b.listen(port, 65535);
  const batch = 500;
  for (let i = 0; i < n; i += batch) {
    for (let k = 0; k < batch && i + k < n; k++) keep.push(w.a.connect(B, 80));
    w.rt.advance(1);
    for (let s = l.accept(); s !== null; s = l.accept()) keep.push(s);
  }
  w.rt.advance(1000); // delayed ACKs and timers settle
  for (let s = l.accept(); s !== null; s = l.accept()) keep.push(s);
  l.close();
}

function memoryBench(n: number): void {
  // The stacks (with their fixed-size event rings) exist before the baseline; a warm-up
  // round opens and closes 2,000 connections so code is compiled and the bounded
  // structures (event ring, closed-connection histories) are full.
  const w = net(0.05);
  const warm: Socket[] = [];
  openMany(w, 81, 2000, warm);
  for (const s of warm) s.abort();
  w.rt.advance(1000);
  warm.length = 0;

  const keep: Socket[] = [];
  const before = heap();
  openMany(w, 80, n, keep);
  const estA = keep.filter((s) => s.state === 'ESTABLISHED').length;
  const after = heap();
  const conns = w.a.connectionCount + w.b.connectionCount;
  const per = (after - before) / conns;
  console.log(`idle ESTABLISHED connections: ${conns} (${estA} sockets ESTABLISHED of ${keep.length})`);
  console.log(`heap+arrayBuffers growth: ${((after - before) / 1048576).toFixed(2)} MiB -> ${per.toFixed(0)} bytes per connection (target <= 1300)`);
  if (gc === undefined) console.log('(run with --expose-gc for a precise number)');
}

function throughputBench(bytes: number): void {
  const w = net(0);
  const l = w.b.listen(5001, 8);
  const c = w.a.connect(B, 5001);
  w.rt.runUntil(() => c.state === 'ESTABLISHED' && l.pending > 0);
  const s = l.accept() as Socket;
  const chunk = new Uint8Array(65536);
  let sent = 0;
  let got = 0;
  const tick = (): void => {
    while (sent < bytes) {
      const k = c.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      if (k === 0) break;
      sent += k;
    }
    for (let d = s.read(); d !== null && d.length > 0; d = s.read()) got += d.length;
  };
  c.on('drain', tick);
  s.on('readable', tick);
  const segs0 = w.a.counters.get('InSegs') + w.b.counters.get('InSegs');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  tick();
  w.rt.runUntil(() => got === bytes, 1e9);
  const dt = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const segs = w.a.counters.get('InSegs') + w.b.counters.get('InSegs') - segs0;
  console.log(`bulk transfer ${(bytes / 1048576).toFixed(0)} MiB: ${segs} segments (data + ACKs) in ${dt.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU`);
  console.log(`=> ${Math.round(segs / dt)} segments/s through the core (wall clock), ${Math.round(segs / cpuS)} per CPU second, ${((bytes * 8) / dt / 1e9).toFixed(2)} Gbit/s of payload`);
  console.log('   (wall-clock numbers drop when other processes share the CPU; compare the CPU-second figure)');
}

const which = process.argv[2] ?? 'all';
if (which === 'all' || which === 'memory') memoryBench(10_000);
if (which === 'all' || which === 'throughput') throughputBench(256 * 1024 * 1024);
