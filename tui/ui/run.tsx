// Runs the TUI on a terminal over any LabClient: the alternate screen, the terminal's size
// (and its changes), at most 10 frames per second, only changed lines rewritten (terminal.ts).
import React, { useEffect, useState } from 'react';
import { render } from 'ink';
import { writeFile } from 'node:fs/promises';
import type { LabClient } from '../../core/api/client.ts';
import type { Lang } from '../../core/api/views/i18n.ts';
import { App } from './app.tsx';
import { Controller } from './controller.ts';
import { LabStore } from './store.ts';
import { ENTER_ALT, FrameWriter, InkStdout, LEAVE_ALT } from './terminal.ts';

export interface RunOptions {
  client: LabClient;
  lang: Lang;
  /** Said in the header: 'own lab', 'attached to /run/user/0/tcplab/lab.sock'. */
  where: string;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** A first line for the status bar (why the desktop app did not start, say). */
  notice?: string;
  /** Called with the frame writer's numbers when the TUI ends (the benchmark). */
  onStats?: (stats: FrameWriter['stats']) => void;
}

/** Frames per second at most (the issue: ~10). */
export const MAX_FPS = 10;

function sizeOf(out: { columns: number; rows: number }): { width: number; height: number } {
  return { width: Math.max(40, out.columns || 80), height: Math.max(10, out.rows || 24) };
}

function Root({ controller, where, out }: { controller: Controller; where: string; out: InkStdout }): React.ReactElement {
  const [size, setSize] = useState(() => sizeOf(out));
  useEffect(() => {
    const onResize = (): void => setSize(sizeOf(out));
    out.on('resize', onResize);
    return () => {
      out.off('resize', onResize);
    };
  }, [out]);
  return <App controller={controller} width={size.width} height={size.height} where={where} />;
}

/** Runs until the user quits or the lab goes away and the user quits; resolves to an exit code. */
export async function runTui(opts: RunOptions): Promise<number> {
  const out = opts.stdout ?? process.stdout;
  const store = new LabStore(opts.client);
  await store.start();
  let quit: () => void = () => {};
  const controller = new Controller(store, {
    lang: opts.lang,
    quit: () => quit(),
    writeFile: (path, data) => writeFile(path, data),
    notice: opts.notice,
  });
  if (opts.notice !== undefined) controller.setStatus(opts.notice);
  const writer = new FrameWriter(out, { maxFps: MAX_FPS });
  const inkOut = new InkStdout(out, writer);
  out.write(ENTER_ALT);
  // Anything else printing while the TUI runs would scribble over it: keep it for later.
  const held: string[] = [];
  const hold = (chunk: unknown): void => {
    held.push(String(chunk));
  };
  const restore = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = (...args: unknown[]) => hold(`${args.map(String).join(' ')}\n`);
  const app = render(<Root controller={controller} where={opts.where} out={inkOut} />, {
    stdout: inkOut as unknown as NodeJS.WriteStream,
    stdin: opts.stdin ?? process.stdin,
    exitOnCtrlC: false,
    debug: true,
    patchConsole: false,
  });
  quit = () => app.unmount();
  try {
    await app.waitUntilExit();
  } finally {
    writer.stop();
    inkOut.detach();
    controller.dispose();
    store.stop();
    out.write(LEAVE_ALT);
    Object.assign(console, restore);
    if (held.length > 0) process.stderr.write(held.join(''));
    opts.onStats?.(writer.stats);
  }
  return 0;
}
