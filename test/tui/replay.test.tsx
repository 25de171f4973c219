// `tcplab tui --attach` to `tcplab replay FILE`: a session recorded from a lab (simulated wire,
// through the Lab API, as `tcplab record` does) is written to a file, loaded the way
// `tcplab replay` loads it and served on a private Unix socket; the TUI attaches and shows it
// from the log alone, labelled read-only; commands are refused in the status line; T plays it
// again without showing any event twice.
import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { connectSocket } from '../../core/api/client-socket.ts';
import { LabServer } from '../../core/api/server.ts';
import { startSocketServer } from '../../core/api/socket-server.ts';
import { loadReplay } from '../../core/replay/load.ts';
import { App } from '../../tui/ui/app.tsx';
import { Controller } from '../../tui/ui/controller.ts';
import { LabStore } from '../../tui/ui/store.ts';
import { recordSession as record, sleep, until } from './record-session.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('tcplab tui --attach to tcplab replay FILE', () => {
  it('shows the recorded session, labelled read-only, and says so when asked to change it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-tui-replay-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'session.json');
    await record(file);
    const server = new LabServer(loadReplay(file));
    const sockets = await startSocketServer({ api: server, unixPath: join(dir, 'replay.sock') });
    cleanups.push(() => server.close(), () => sockets.close());
    const client = await connectSocket({ path: join(dir, 'replay.sock') });
    cleanups.push(() => client.close());
    const store = new LabStore(client, { notifyMs: 0 });
    await store.start();
    const controller = new Controller(store, { lang: 'en', quit: () => {}, selectDelayMs: 0 });
    cleanups.push(() => { controller.dispose(); store.stop(); });
    const r = render(<App controller={controller} width={80} height={24} where="attached to replay.sock" tickMs={0} frameMs={0} />);
    cleanups.push(() => r.unmount());
    const frame = (): string => r.lastFrame() ?? '';

    await until(() => frame().includes('▶ replay: session.json, read-only'));
    expect(frame().split('\n')[1]).toMatch(/^▶ replay: session\.json, read-only · at (\d\.\d{3}) of \1 s · standing still · T pl…$/);
    // The session as it ended: the connection in TIME-WAIT.
    expect(frame()).toMatch(/^~ 10\.77\.0\.2:\d+ +10\.77\.0\.1:9 +TIME-WAIT +0 +0 timewait 5\ds/m);
    // Lab time stands still in a replay: so do the countdowns.
    const timer = /(timewait \S+)/.exec(frame())?.[1];
    await sleep(1100);
    store.touch();
    await sleep(50);
    expect(/(timewait \S+)/.exec(frame())?.[1]).toBe(timer);

    // Its history, from the log alone.
    r.stdin.write('\r');
    await until(() => frame().includes('─ Segments ─') && /TIME-WAIT +├─+ \. seq 8 ack 2 /.test(frame()));
    expect(frame()).toMatch(/^ +\+0\.000 SYN-SENT +\d+ms ☞ user connect/m);
    expect(frame()).toMatch(/^ +\+0\.\d{3} FIN-WAIT-1 .*☞ user/m);

    // Read-only: refusals in the status line.
    r.stdin.write('c');
    await until(() => frame().includes('✗ read-only replay: close refused (this is a replay of'));
    r.stdin.write('\u001B');
    await sleep(30);
    r.stdin.write('l');
    await sleep(30);
    r.stdin.write('8080\r');
    await until(() => frame().includes('✗ read-only replay: listen refused'));

    // T plays it again from the start: the timeline fills again, each state once.
    r.stdin.write('\r');
    await sleep(30);
    r.stdin.write('T');
    await until(() => frame().includes('✓ replay playing x1'));
    await until(() => frame().includes('standing still'), 8000);
    const lines = frame().split('\n');
    const timeline = lines.slice(lines.findIndex((l) => l.startsWith('─ Timeline')), lines.findIndex((l) => l.startsWith('─ Segments')));
    const states = timeline.filter((l) => /^ +\+\d\.\d{3} [A-Z0-9-]+ /.test(l)).map((l) => l.trim().split(/ +/)[1]);
    expect(states).toEqual(['SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT']);
  }, 30_000);
});
