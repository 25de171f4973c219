// The terminal side: Ink renders each frame as a whole string (into a stand-in stdout), and
// FrameWriter puts it on the real terminal's alternate screen rewriting only the lines that
// changed, at most `maxFps` times per second (the latest frame wins). Ink's own incremental
// mode misplaces lines when the frame does not fill the screen, and its full-height mode
// clears the whole screen every frame; this does neither.
import { EventEmitter } from 'node:events';

const ESC = '\x1b[';
export const ENTER_ALT = `${ESC}?1049h${ESC}?25l${ESC}H${ESC}2J`;
export const LEAVE_ALT = `${ESC}?25h${ESC}?1049l`;

export interface FrameSink {
  write(s: string): unknown;
}

export interface FrameStats {
  frames: number;          // frames Ink produced
  writes: number;          // frames put on the terminal
  lines: number;           // lines rewritten
  bytes: number;           // bytes written
}

export class FrameWriter {
  private shown: string[] = [];
  private pending: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = -Infinity;
  private stopped = false;
  readonly stats: FrameStats = { frames: 0, writes: 0, lines: 0, bytes: 0 };

  constructor(
    private readonly out: FrameSink,
    private readonly opts: { maxFps: number; now?: () => number } = { maxFps: 10 },
  ) {}

  private now(): number {
    return (this.opts.now ?? (() => performance.now()))();
  }

  /** A new frame from Ink; shown now or at the next allowed moment. */
  frame(text: string): void {
    if (this.stopped) return;
    this.stats.frames++;
    this.pending = text;
    const gap = 1000 / this.opts.maxFps;
    const wait = this.last + gap - this.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
    }
  }

  /** Writes the pending frame: only its changed lines, by absolute position. */
  flush(): void {
    const text = this.pending;
    this.pending = null;
    if (text === null || this.stopped) return;
    this.last = this.now();
    const lines = text.replace(/\n$/, '').split('\n');
    let buf = '';
    let changed = 0;
    for (let i = 0; i < Math.max(lines.length, this.shown.length); i++) {
      const line = lines[i] ?? '';
      if (line === this.shown[i]) continue;
      buf += `${ESC}${i + 1};1H${line}${ESC}0m${ESC}K`;
      changed++;
    }
    this.shown = lines;
    if (buf === '') return;
    this.stats.writes++;
    this.stats.lines += changed;
    this.stats.bytes += Buffer.byteLength(buf);
    this.out.write(buf);
  }

  /** Forget what is on the screen (after a resize): the next frame is drawn whole. */
  invalidate(): void {
    this.shown = [];
    this.out.write(`${ESC}H${ESC}2J`);
  }

  stop(): void {
    this.flush();
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * What Ink writes to: a stand-in stdout with the real terminal's size, handing every frame to
 * the writer. Resizes of the real terminal are passed on (Ink lays out again).
 */
export class InkStdout extends EventEmitter {
  isTTY = false;
  constructor(private readonly real: NodeJS.WriteStream, private readonly writer: FrameWriter) {
    super();
    real.on('resize', this.onResize);
  }

  get columns(): number {
    return this.real.columns || 80;
  }

  get rows(): number {
    return this.real.rows || 24;
  }

  private onResize = (): void => {
    this.writer.invalidate();
    this.emit('resize');
  };

  write = (s: string, cb?: () => void): boolean => {
    // Ink writes '' with a callback as a barrier when it unmounts.
    if (s !== '') this.writer.frame(s);
    cb?.();
    return true;
  };

  detach(): void {
    this.real.off('resize', this.onResize);
  }
}
