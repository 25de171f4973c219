// The GUI under load, in Chromium: 10,000 connections, 1,000 row updates per second, the table
// scrolled all the while. Reports the DOM size (must stay under 1,400 nodes: the table is
// virtualised) and the frame times (p95 must stay under 16.7 ms). Chromium runs with the frame
// rate unlocked, so the interval between animation frames is what a frame costs (script, style,
// layout, paint), not the 60 Hz vsync. `npm run bench renderer` (needs /usr/bin/chromium).
import type { LabBackend, LabHandlers } from '../core/api/backend.ts';
import type { LabEvent } from '../core/api/events.ts';
import type { ConnectionRow, Snapshot } from '../core/api/snapshot.ts';
import { TCP_STATES } from '../core/api/names.ts';
import { hasChromium, openBrowser, serveWebLab } from '../test/renderer/harness.ts';

const CONNECTIONS = 10_000;
const UPDATES_PER_SECOND = 1_000;
const MEASURE_MS = 8_000;
const STATES = TCP_STATES.filter((s) => s !== 'LISTEN' && s !== 'CLOSED');

function row(id: number, at: number): ConnectionRow {
  const port = 10_000 + (id % 50_000);
  return {
    id, state: STATES[id % STATES.length], local: `10.77.0.2:${80 + (id % 4)}`, remote: `10.77.0.1:${port}`,
    localAddr: '10.77.0.2', localPort: 80 + (id % 4), remoteAddr: '10.77.0.1', remotePort: port,
    recvQ: id % 7, sendQ: (id * 13) % 5000, timer: id % 3 === 0 ? { name: 'retransmit', deadline: at + 200 + (id % 1000), expiresIn: 200 + (id % 1000) } : null,
    rto: 200 + (id % 100), rtt: 1 + (id % 20) / 10, rttvar: 0.5, cwnd: 10, cwndBytes: 14480, ssthresh: null, mss: 1448,
    sndWscale: 7, rcvWscale: 7, sndUna: id * 1000, sndNxt: id * 1000 + (id % 3000), sndWnd: 65535, rcvNxt: id * 7, rcvWnd: 65535,
    iss: id * 1000 - 1, irs: id * 7 - 1, retransmits: 0, listener: 1, orphan: false, accepted: true, responder: 'echo',
    stateSince: at - (id % 5000), sndBuf: 16384, rcvBuf: 131072, urgentPointer: null,
  };
}

/** A lab with CONNECTIONS rows, UPDATES_PER_SECOND of them changed per second (new objects, as the real lab makes). */
class LoadLab implements LabBackend {
  private rows: ConnectionRow[] = [];
  private version = 1;
  private t0 = performance.now();
  updates = 0;
  private timer: NodeJS.Timeout;
  constructor() {
    for (let i = 1; i <= CONNECTIONS; i++) this.rows.push(row(i, 0));
    let next = 1;
    let due = 0;
    let lastTick = performance.now();
    this.timer = setInterval(() => {
      const tickAt = performance.now();
      const now = tickAt - this.t0;
      // However late the timer fires, keep the rate: UPDATES_PER_SECOND rows per second.
      due += ((tickAt - lastTick) / 1000) * UPDATES_PER_SECOND;
      lastTick = tickAt;
      const n = Math.floor(due);
      due -= n;
      this.rows = this.rows.slice();
      for (let k = 0; k < n; k++) {
        const i = next++ % CONNECTIONS;
        const r = this.rows[i];
        this.rows[i] = { ...r, recvQ: (r.recvQ + 1) % 100, sendQ: (r.sendQ + 1448) % 65536, sndNxt: r.sndNxt + 1448, timer: { name: 'retransmit', deadline: now + 200, expiresIn: 200 } };
        this.updates++;
      }
      this.version++;
    }, 10);
  }
  close(): void { clearInterval(this.timer); }
  snapshot(): Snapshot {
    return {
      version: this.version, at: performance.now() - this.t0, lastEventSeq: 0,
      info: { device: null, simulated: true, labAddr: '10.77.0.2', kernelAddr: '10.77.0.1', timeScale: 1 },
      connections: this.rows,
      listeners: [{ id: 1, state: 'LISTEN', local: '10.77.0.2:80', localAddr: '10.77.0.2', port: 80, backlog: 128, acceptQueue: 0, acceptQueueLimit: 129, synQueue: 0, synQueueLimit: 128, responder: 'echo', paused: false }],
      counters: { CurrEstab: CONNECTIONS }, knobs: {},
      faults: { rules: [], random: null, held: 0, counts: { dropped: 0, delayed: 0, duplicated: 0, corrupted: 0, reordered: 0 } },
      pcap: { running: false, packets: 0, bytes: 0, maxPackets: 0, maxBytes: 0 }, scenario: null,
    };
  }
  readonly events = { subscribe: (_cb: (e: LabEvent) => void) => () => {} };
  readonly handlers = new Proxy({}, { get: () => () => ({}) }) as LabHandlers;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  if (!hasChromium) {
    console.log('bench/renderer: /usr/bin/chromium is missing (apt-get install chromium); skipped');
    return;
  }
  const lab = new LoadLab();
  const web = await serveWebLab(lab);
  const b = await openBrowser({ extraArgs: ['--disable-gpu-vsync', '--disable-frame-rate-limit'] });
  try {
    await b.page.goto(web.url);
    await b.page.waitForFunction((n) => (window as unknown as { tcplabStore?: { snapshot: { connections: unknown[] } | null } }).tcplabStore?.snapshot?.connections.length === n, CONNECTIONS, { timeout: 30_000 });
    await b.page.waitForTimeout(1000);
    const updates0 = lab.updates;
    // A plain-JS string: the page must not see the helpers tsx adds to named functions.
    const result = (await b.page.evaluate(`(async (ms) => {
      const store = window.tcplabStore;
      const body = document.querySelector('.tbody');
      const frames = [];
      let maxNodes = 0;
      let last = performance.now();
      const end = last + ms;
      const v0 = store.snapshot.version;
      let applied = 0;
      let seen = store.version;
      await new Promise((resolve) => {
        const tick = (now) => { try {
          frames.push(now - last);
          last = now;
          if (store.version !== seen) { applied++; seen = store.version; }
          // Scroll down through all 10,000 rows, and round again.
          const max = body.scrollHeight - body.clientHeight;
          body.scrollTop = (body.scrollTop + 84) % Math.max(1, max);
          if (frames.length % 10 === 0) maxNodes = Math.max(maxNodes, document.getElementsByTagName('*').length);
          if (now < end) requestAnimationFrame(tick); else resolve();
        } catch (err) { frames.length = 0; resolve(); throw err; } };
        requestAnimationFrame(tick);
      });
      return { frames: frames.slice(5), maxNodes, snapshotVersions: store.snapshot.version - v0, storeChanges: applied };
    })(${MEASURE_MS})`)) as { frames: number[]; maxNodes: number; snapshotVersions: number; storeChanges: number };
    const updates = lab.updates - updates0;
    const f = result.frames;
    if (f.length === 0) throw new Error(`no frames measured; page errors: ${b.errors.join('; ')}`);
    const rows = await b.page.locator('.tr').count();
    console.log(`connections                 ${CONNECTIONS}`);
    console.log(`row updates at the lab      ${Math.round(updates / (MEASURE_MS / 1000))} /s`);
    console.log(`snapshot diffs applied      ${(result.storeChanges / (MEASURE_MS / 1000)).toFixed(1)} /s (coalesced by the API, rate 20)`);
    console.log(`frames                      ${f.length} in ${MEASURE_MS / 1000} s (${(f.length / (MEASURE_MS / 1000)).toFixed(0)} fps, frame rate unlocked, scrolling)`);
    console.log(`frame time p50 / p95 / p99  ${pct(f, 50).toFixed(2)} / ${pct(f, 95).toFixed(2)} / ${pct(f, 99).toFixed(2)} ms  (max ${Math.max(...f).toFixed(1)} ms)`);
    console.log(`DOM nodes (max)             ${result.maxNodes}  (row elements now: ${rows})`);
    const ok = pct(f, 95) < 16.7 && result.maxNodes < 1400;
    console.log(`target: p95 < 16.7 ms and DOM < 1,400 nodes: ${ok ? 'met' : 'NOT met'}`);
    if (!ok) process.exitCode = 1;
    if (b.errors.length) console.log(`page errors: ${b.errors.join('; ')}`);
  } finally {
    await b.close();
    await web.close();
    lab.close();
  }
}

await main();
