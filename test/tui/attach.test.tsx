// `tcplab tui --attach`: the same app over the socket transport, showing a lab that runs
// elsewhere (here a simulated lab in this process, served on a private Unix socket) while
// another client (as `tcplab listen` would) changes it.
import React from 'react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import type { LabClient } from '../../core/api/client.ts';
import { connectSocket } from '../../core/api/client-socket.ts';
import { LabServer } from '../../core/api/server.ts';
import { startSocketServer, type SocketServer } from '../../core/api/socket-server.ts';
import { createLab } from '../../core/lab/create.ts';
import type { Lab } from '../../core/lab/lab.ts';
import { App } from '../../tui/ui/app.tsx';
import { Controller } from '../../tui/ui/controller.ts';
import { LabStore } from '../../tui/ui/store.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tcplab tui --attach', () => {
  it('shows a lab served on a Unix socket, live, and acts on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-tui-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const lab: Lab = createLab({ simulated: true });
    const server = new LabServer(lab);
    const sockets: SocketServer = await startSocketServer({ api: server, unixPath: join(dir, 'lab.sock') });
    cleanups.push(() => lab.close(), () => server.close(), () => sockets.close());
    const client: LabClient = await connectSocket({ path: join(dir, 'lab.sock') });
    const other: LabClient = await connectSocket({ path: join(dir, 'lab.sock') });
    cleanups.push(() => client.close(), () => other.close());
    const store = new LabStore(client, { notifyMs: 0 });
    await store.start();
    const controller = new Controller(store, { lang: 'en', quit: () => {}, selectDelayMs: 0 });
    cleanups.push(() => { controller.dispose(); store.stop(); });
    const r = render(<App controller={controller} width={80} height={24} where="attached to lab.sock" tickMs={0} frameMs={0} />);
    cleanups.push(() => r.unmount());
    await until(() => (r.lastFrame() ?? '').includes('attached to'));
    expect(r.lastFrame()).toContain('simulated wire · 10.77.0.2 ⇄ 10.77.0.1');
    await other.call('listen', { port: 8080, backlog: 2, responder: 'echo' });
    await other.call('connect', { addr: '10.77.0.1', port: 9 });
    await until(() => /10\.77\.0\.1:9 +ESTABLISHED/.test(r.lastFrame() ?? ''));
    r.stdin.write('R');
    await until(() => (r.lastFrame() ?? '').includes('send RST on 1? (y/n)'));
    r.stdin.write('y');
    await until(() => (r.lastFrame() ?? '').includes('✓ RST sent on 1'));
    await until(() => (r.lastFrame() ?? '').includes('no connections'));
    r.stdin.write('2');
    await until(() => /L 10\.77\.0\.2:8080 +echo/.test(r.lastFrame() ?? ''));
  });
});
