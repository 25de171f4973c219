// A TTY stdin for Ink without a terminal, in a file of its own: it loads no React, so the
// TUI benchmark can use it and still load React's production build first.
import { EventEmitter } from 'node:events';

/** A TTY stdin for Ink without a terminal: `write` types into it. */
export class FakeStdin extends EventEmitter {
  isTTY = true;
  data: string | null = null;
  write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
}
