// A TUI on a test lab: the real Lab on the simulated wire (a second stack plays the kernel) or
// the API's FakeLab (10,000 rows cheaply), behind a real LabServer and the in-process client,
// on manual clocks; frames are read from ink-testing-library (80 columns) or, for other sizes,
// from a fake terminal of that width.
import React from 'react';
import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import { render as testRender } from 'ink-testing-library';
import { createLocalClient } from '../../core/api/local.ts';
import { LabServer } from '../../core/api/server.ts';
import type { Lang } from '../../core/api/views/i18n.ts';
import { App } from '../../tui/ui/app.tsx';
import { Controller } from '../../tui/ui/controller.ts';
import { LabStore } from '../../tui/ui/store.ts';
import { FakeLab } from '../core/api/fake-lab.ts';
import { ManualTimers } from '../core/api/manual-timers.ts';
import type { LabBackend } from '../../core/api/backend.ts';
import { createLab } from '../../core/lab/create.ts';
import type { Lab } from '../../core/lab/lab.ts';
import { ManualClock } from '../../core/stack/clock.ts';
import { FakeStdin } from './fake-stdin.ts';
import type { LabClient } from '../../core/api/client.ts';
import type { Scenario } from '../../core/lab/scenarios.ts';

export interface Harness {
  /** The real lab (backend 'lab'). */
  lab: Lab;
  /** The test double (backend 'fake'). */
  fake: FakeLab;
  timers: ManualTimers;
  store: LabStore;
  controller: Controller;
  frame(): string;
  /** Types keys (strings as typed; use KEYS for special keys), then lets everything settle. */
  press(...keys: string[]): Promise<string>;
  /** Moves lab time on by `ms` (default 200) and lets streams, replies and renders settle. */
  settle(ms?: number): Promise<string>;
  quitCalls: number;
  written: { path: string; data: Uint8Array }[];
  close(): void;
}

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
  home: '\u001B[H',
  end: '\u001B[F',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlU: '\u0015',
} as const;

class WideStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = false;
  constructor(readonly columns: number, readonly rows: number) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = (): string | undefined => this.frames.at(-1);
}

const tick = async (): Promise<void> => {
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setImmediate(r));
};

export interface HarnessOptions {
  lang?: Lang;
  width?: number;
  height?: number;
  backend?: 'lab' | 'fake';
  setupFake?: (fake: FakeLab) => void;
  /** The real lab's scenarios (default: the lab's own). */
  scenarios?: readonly Scenario<Lab>[];
  /** Wraps the client the TUI talks through (test doubles of methods the lab has not yet). */
  wrap?: (client: LabClient) => LabClient;
  /** The run's notice (as `tcplab tui` passes it). */
  notice?: string;
}

export async function startTui(opts: HarnessOptions = {}): Promise<Harness> {
  const width = opts.width ?? 80;
  const height = opts.height ?? 24;
  const timers = new ManualTimers();
  let lab: Lab | null = null;
  let fake: FakeLab | null = null;
  let backend: LabBackend;
  if (opts.backend === 'fake') {
    fake = new FakeLab(timers);
    opts.setupFake?.(fake);
    backend = fake;
  } else {
    lab = createLab({ simulated: true, clock: new ManualClock(0), seed: 7, ...(opts.scenarios !== undefined ? { scenarios: opts.scenarios } : {}) });
    backend = lab;
  }
  const server = new LabServer(backend, { timers });
  const local = createLocalClient(server);
  const client = opts.wrap?.(local) ?? local;
  const now = (): number => (lab !== null ? lab.clock.now() : timers.now());
  const store = new LabStore(client, { notifyMs: 0, now });
  await store.start();
  const h: Partial<Harness> & { quitCalls: number; written: { path: string; data: Uint8Array }[] } = { quitCalls: 0, written: [] };
  const controller = new Controller(store, {
    lang: opts.lang ?? 'en',
    quit: () => { h.quitCalls++; },
    selectDelayMs: 0,
    writeFile: async (path, data) => { h.written.push({ path, data }); },
    date: () => new Date(2025, 0, 2, 3, 4, 5),
    notice: opts.notice,
  });
  const tree = <App controller={controller} width={width} height={height} where="own lab" tickMs={0} frameMs={0} />;
  let frame: () => string;
  let stdin: { write(s: string): void };
  let unmount: () => void;
  if (width <= 100) {
    const r = testRender(tree);
    frame = () => r.lastFrame() ?? '';
    stdin = r.stdin;
    unmount = r.unmount;
  } else {
    const out = new WideStdout(width, height + 1);
    const inp = new FakeStdin();
    const inst = inkRender(tree, { stdout: out as unknown as NodeJS.WriteStream, stdin: inp as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false });
    frame = () => out.lastFrame() ?? '';
    stdin = inp;
    unmount = inst.unmount;
  }
  const settle = async (ms = 200): Promise<string> => {
    for (let i = 0; i < 6; i++) {
      lab?.advance(ms / 6);
      timers.advance(ms / 6);
      await tick();
    }
    // What the app's clock tick does: redraw what depends on time alone (countdowns).
    store.touch();
    await tick();
    return frame();
  };
  const press = async (...keys: string[]): Promise<string> => {
    for (const k of keys) {
      stdin.write(k);
      await tick();
      await settle();
    }
    return frame();
  };
  await settle();
  return Object.assign(h, {
    lab: lab as Lab, fake: fake as FakeLab, timers, store, controller, frame, press, settle,
    close: () => { unmount(); controller.dispose(); store.stop(); server.close(); lab?.close(); },
  });
}
