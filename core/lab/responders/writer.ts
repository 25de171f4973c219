// Writing to a stack socket with backpressure: what the send buffer does not take now is kept
// (bounded by the caller, who stops producing while `pending` is large) and written on 'drain'.
import type { Socket } from '../../stack/socket.ts';

export class SocketWriter {
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes accepted by write() but not yet taken by the socket. */
  pending = 0;
  private failed = false;

  constructor(private readonly sock: Socket) {}

  /**
   * Queue `data` (copied when it cannot be written at once). Returns false when the socket
   * refused it for good (reset, or already shut down): the caller should stop.
   */
  write(data: Uint8Array): boolean {
    if (this.failed) return false;
    if (data.length === 0) return true;
    if (this.pending === 0) {
      const n = this.tryWrite(data);
      if (n < 0) return false;
      if (n === data.length) return true;
      data = data.subarray(n);
    }
    this.chunks.push(data.slice());
    this.pending += data.length;
    return true;
  }

  /** Write what is queued (call on 'drain'). Returns true when nothing is left. */
  flush(): boolean {
    while (this.head < this.chunks.length) {
      const c = this.chunks[this.head];
      const n = this.tryWrite(c);
      if (n < 0) return false;
      this.pending -= n;
      if (n < c.length) {
        this.chunks[this.head] = c.subarray(n);
        return false;
      }
      this.head++;
    }
    this.chunks.length = 0;
    this.head = 0;
    return true;
  }

  get idle(): boolean {
    return this.pending === 0;
  }

  get broken(): boolean {
    return this.failed;
  }

  private tryWrite(data: Uint8Array): number {
    try {
      return this.sock.write(data);
    } catch {
      this.failed = true;
      this.chunks.length = 0;
      this.head = 0;
      this.pending = 0;
      return -1;
    }
  }
}
