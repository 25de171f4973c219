// The TUI with 10,000 connections: frame time and CPU. `npx tsx bench/tui.ts` (or `npm run bench tui`).
// Two parts (TCPLAB_BENCH_PART=inproc|attached|all, default all):
//   in process:   the API's FakeLab with 10,000 rows behind a LabServer on manual timers, in this
//                 process: only the TUI's own work, no lab and no socket; frames from keys (↓ in the
//                 table, ↓ in the connection detail) at 80x24 and 160x48, the wall time from the
//                 start of a render to the frame handed to the terminal writer and the CPU per frame;
//                 once with the TUI's compositor (tui/ui/fast-output.ts) and once, in a child
//                 process, with Ink's own (TCPLAB_INK_OUTPUT=ink), for comparison.
//   attached:
//   lab process:  a child (this file with --lab) runs a real Lab on the simulated wire (real time),
//                 10,000 connections from the peer stack to a discard listener, and keeps 1% of them
//                 busy (64 bytes on 100 connections every 100 ms); it serves the Lab API on a Unix
//                 socket in a private temporary directory, like `tcplab serve`.
//   this process: the TUI attached to it (`tcplab tui --attach`): store, controller, the Ink app and
//                 the frame writer, drawing into a counting sink at 80x24 and at 160x48.
// Frame time: from the start of a render to the frame handed to the terminal writer (React render
// and commit, Ink layout and output), for frames caused by a key (↓: the selection moves, the
// table scrolls, the detail pane changes) and by lab updates; also the latency from a key press to
// its frame. CPU: this process's user+system time over 10 s with nobody typing while the lab
// updates (targets: frames under 10 ms, under 25% of a core). React runs its production build, as
// `tcplab tui` does. The child is stopped by its PID and the directory removed, also on failure.
//   TCPLAB_BENCH_CONNS=10000  TCPLAB_BENCH_IDLE_S=10
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabClient } from '../core/api/client.ts';
import { connectSocket } from '../core/api/client-socket.ts';
import { LabServer } from '../core/api/server.ts';
import { startSocketServer } from '../core/api/socket-server.ts';
import { createLab } from '../core/lab/create.ts';
import type { Socket } from '../core/stack/stack.ts';
import { Controller } from '../tui/ui/controller.ts';
import { keyPress } from '../tui/ui/input.ts';
import { LabStore } from '../tui/ui/store.ts';
import { FrameWriter, InkStdout } from '../tui/ui/terminal.ts';
import { FakeStdin } from '../test/tui/fake-stdin.ts';

// React picks its build when first loaded: the production one, as `tcplab tui` does.
process.env.NODE_ENV = 'production';
const React = (await import('react')).default;
const { render } = await import('ink');
const { App } = await import('../tui/ui/app.tsx');
// Static imports run before the lines above: had one of them loaded React, its development
// build (several times slower) is what would be measured.
const require = createRequire(import.meta.url);
const reactProduction = path.join(path.dirname(require.resolve('react')), 'cjs', 'react.production.js');
if (require('react') !== require.cache[reactProduction]?.exports) {
  throw new Error("React's development build was loaded before NODE_ENV was set (a static import loads React)");
}

/** This thread's CPU time, ms (Linux's schedstat: nanoseconds on a CPU), to tell a frame's own work from time spent waiting for a CPU. */
function threadCpuMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
}

const CONNS = Number(process.env.TCPLAB_BENCH_CONNS ?? 10_000);
const IDLE_S = Number(process.env.TCPLAB_BENCH_IDLE_S ?? 10);
const PART = process.env.TCPLAB_BENCH_PART ?? 'all';

// ---- the lab (child process) ----------------------------------------------------------------

async function runLab(socketPath: string, conns: number): Promise<void> {
  const lab = createLab({ simulated: { delayMs: 0.1 }, knobs: { somaxconn: 65535 } });
  const server = new LabServer(lab);
  const r = await server.call('listen', { port: 9999, backlog: 65535, responder: 'discard' });
  if (!r.ok) throw new Error(r.error.message);
  const peer = lab.peer;
  if (peer === null) throw new Error('no simulated peer');
  const socks: Socket[] = [];
  for (let i = 0; i < conns; i++) {
    socks.push(peer.connect(9999));
    if (i % 500 === 499) await new Promise((res) => setTimeout(res, 5));
  }
  const deadline = Date.now() + 60_000;
  while (lab.snapshot().connections.filter((c) => c.state === 'ESTABLISHED').length < conns && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 100));
  }
  await startSocketServer({ api: server, unixPath: socketPath });
  const data = new Uint8Array(64).fill(0x61);
  let k = 0;
  setInterval(() => {
    for (let i = 0; i < Math.max(1, conns / 100); i++) socks[(k++) % socks.length].write(data);
    lab.kick();
  }, 100);
  process.stdout.write(`ready ${lab.snapshot().connections.length}\n`);
}


// ---- in process -------------------------------------------------------------------------------

async function inProcess(): Promise<void> {
  const { FakeLab } = await import('../test/core/api/fake-lab.ts');
  const { ManualTimers } = await import('../test/core/api/manual-timers.ts');
  const { createLocalClient } = await import('../core/api/local.ts');
  const { fastOutput } = await import('../tui/ui/fast-output.ts');
  const timers = new ManualTimers();
  const fake = new FakeLab(timers);
  const server = new LabServer(fake, { timers });
  const client = createLocalClient(server);
  await client.call('listen', { port: 80, backlog: 65535, responder: 'echo' });
  for (let i = 0; i < CONNS; i++) fake.incoming(1);
  const store = new LabStore(client, { notifyMs: 0 });
  await store.start();
  const tick = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
  };
  for (let i = 0; i < 5; i++) {
    timers.advance(100);
    await tick();
  }
  const compositor = fastOutput.installed ? 'the TUI\'s compositor (fast-output.ts)' : `Ink's own compositor (${fastOutput.why})`;
  for (const [width, height] of [[80, 24], [160, 48]]) {
    const controller = new Controller(store, { lang: 'en', quit: () => {}, selectDelayMs: 120 });
    const out = new FakeTerminal(width, height) as FakeTerminal & { write(s: string): boolean };
    let drawAt = 0;
    const times: number[] = [];
    out.write = () => {
      if (drawAt > 0) times.push(performance.now() - drawAt);
      drawAt = 0;
      return true;
    };
    const app = render(React.createElement(App, { controller, width, height, where: 'bench', tickMs: 0, frameMs: 0, onDraw: () => { drawAt = performance.now(); } }), {
      stdout: out as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false,
    });
    await tick();
    const run = async (label: string, n: number, act: () => void): Promise<string> => {
      for (let i = 0; i < 20; i++) {
        act();
        await tick();
      }
      times.length = 0;
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        act();
        await tick();
        timers.advance(50);   // the lab's clock moves on: countdowns change
        await tick();
      }
      const c = process.cpuUsage(c0);
      return `    ${label.padEnd(22)} ${stats(times)}; CPU ${((c.user + c.system) / 1000 / Math.max(1, times.length)).toFixed(2)} ms per frame`;
    };
    const down = (): void => controller.onKey(keyPress('', { down: true }));
    const lines = [await run('↓ in the table:', 200, down)];
    controller.onKey(keyPress('', { enter: true }));
    await tick();
    lines.push(await run('↓ in the detail:', 100, down));
    console.log(`TUI ${width}x${height} in process, ${store.snapshot?.connections.length ?? 0} connections (FakeLab), ${compositor}:`);
    for (const l of lines) console.log(l);
    app.unmount();
    controller.dispose();
  }
  store.stop();
  await client.close();
  server.close();
}

// ---- the TUI (this process) -------------------------------------------------------------------

class FakeTerminal extends EventEmitter {
  constructor(public columns: number, public rows: number) {
    super();
  }
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms (n=${s.length})`;
}

async function measure(client: LabClient, width: number, height: number): Promise<void> {
  const store = new LabStore(client);
  await store.start();
  const controller = new Controller(store, { lang: 'en', quit: () => {} });
  let bytes = 0;
  const writer = new FrameWriter({ write: (s: string) => { bytes += Buffer.byteLength(s); } }, { maxFps: 10 });
  const term = new FakeTerminal(width, height);
  const out = new InkStdout(term as unknown as NodeJS.WriteStream, writer);
  let drawAt = 0;
  let drawCpuAt = 0;
  let lastFrameAt = 0;
  const frameTimes: number[] = [];
  const frameCpu: number[] = [];
  const inkTimes: number[] = [];
  const origFrame = writer.frame.bind(writer);
  writer.frame = (text: string) => {
    lastFrameAt = performance.now();
    if (drawAt > 0) {
      frameTimes.push(lastFrameAt - drawAt);
      frameCpu.push(threadCpuMs() - drawCpuAt);
    }
    drawAt = 0;
    origFrame(text);
  };
  const onDraw = (): void => {
    drawAt = performance.now();
    drawCpuAt = threadCpuMs();
  };
  const app = render(React.createElement(App, { controller, width, height, where: 'bench', onDraw }), {
    stdout: out as unknown as NodeJS.WriteStream,
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
    onRender: (m) => inkTimes.push(m.renderTime),
  });
  const until = async (pred: () => boolean, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => (store.snapshot?.connections.length ?? 0) >= CONNS, 30_000);
  await new Promise((r) => setTimeout(r, 2000)); // warm up
  const rows = store.snapshot?.connections.length ?? 0;

  // Frames caused by keys: the selection moves down a row (the window scrolls) 200 times, a key
  // every 150 ms (so each is drawn at once, not coalesced with the one before).
  frameTimes.length = 0;
  frameCpu.length = 0;
  inkTimes.length = 0;
  const keyLatency: number[] = [];
  const keyCpu0 = process.cpuUsage();
  const keyWrites0 = writer.stats.frames;
  for (let i = 0; i < 200; i++) {
    const before = lastFrameAt;
    const t0 = performance.now();
    controller.onKey(keyPress('', { down: true }));
    await until(() => lastFrameAt !== before, 1000);
    keyLatency.push(lastFrameAt - t0);
    await new Promise((r) => setTimeout(r, 150));
  }
  const keyCpu = process.cpuUsage(keyCpu0);
  const keyFrameCount = writer.stats.frames - keyWrites0;
  // CPU time (not wall time: the machine may be busy) per frame while keys are pressed; it also
  // counts the snapshot diffs and events the client takes in meanwhile.
  const cpuPerFrame = (keyCpu.user + keyCpu.system) / 1000 / Math.max(1, keyFrameCount);
  const keyFrames = [...frameTimes];
  const keyFrameCpu = [...frameCpu];
  const keyInk = [...inkTimes];

  // Nobody types; the lab keeps updating: CPU and frames.
  frameTimes.length = 0;
  inkTimes.length = 0;
  const w0 = { ...writer.stats };
  const b0 = bytes;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
  const frames = writer.stats.writes - w0.writes;

  const load = (await import('node:os')).loadavg()[0];
  console.log(`TUI ${width}x${height}, ${rows} connections in the lab (attached over the Unix socket); load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} CPUs`);
  console.log(`  frames while keys are pressed (↓): ${stats(keyFrames)}; CPU ${cpuPerFrame.toFixed(2)} ms per frame (all work of the process / frames)`);
  console.log(`    the same frames' CPU time:      ${stats(keyFrameCpu)} (this thread on a CPU: wall time above minus waiting for one)`);
  console.log(`    of which Ink layout+output:     ${stats(keyInk)}`);
  console.log(`    key press to frame written:     ${stats(keyLatency)}`);
  console.log(`  frames while the lab updates:     ${frameTimes.length ? stats(frameTimes) : 'none'}`);
  console.log(`  idle-updating for ${wall.toFixed(1)} s: CPU ${cpuPct.toFixed(1)}% of a core, ${(frames / wall).toFixed(1)} frames/s written, ` +
    `${((writer.stats.lines - w0.lines) / Math.max(1, frames)).toFixed(1)} lines and ${((bytes - b0) / Math.max(1, frames) / 1024).toFixed(1)} KiB per frame, ` +
    `${store.missed} events missed`);
  app.unmount();
  out.detach();
  writer.stop();
  controller.dispose();
  store.stop();
}

async function main(): Promise<void> {
  if (process.argv[2] === '--lab') {
    await runLab(process.argv[3], Number(process.argv[4]));
    return;
  }
  if (process.argv[2] === '--inproc' || PART === 'inproc' || PART === 'all') {
    await inProcess();
    if (process.argv[2] === '--inproc') return;
    if (process.env.TCPLAB_INK_OUTPUT !== 'ink') {
      // The same with Ink's own compositor, in a child (the compositor is chosen when the TUI loads).
      const self = fileURLToPath(import.meta.url);
      const child = spawn(process.execPath, ['--import', 'tsx', self, '--inproc'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TCPLAB_INK_OUTPUT: 'ink' } });
      await new Promise((r) => child.once('exit', r));
    }
  }
  if (PART !== 'attached' && PART !== 'all') return;
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-bench-tui-'));
  const sock = path.join(dir, 'lab.sock');
  let child: ChildProcess | null = null;
  try {
    const self = fileURLToPath(import.meta.url);
    child = spawn(process.execPath, ['--import', 'tsx', self, '--lab', sock, String(CONNS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child?.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /ready (\d+)/.exec(buf);
        if (m) resolve(m[1]);
      });
      child?.once('exit', (code) => reject(new Error(`the lab process exited (${code})`)));
      setTimeout(() => reject(new Error('the lab did not get ready in 120 s')), 120_000);
    });
    console.log(`lab ready: ${ready} connections (the peer stack connected ${CONNS} times to a discard listener)`);
    for (const [w, h] of [[80, 24], [160, 48]]) {
      const client = await connectSocket({ path: sock });
      try {
        await measure(client, w, h);
      } finally {
        await client.close();
      }
    }
  } finally {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
if (process.argv[2] !== '--lab') process.exit(0);
