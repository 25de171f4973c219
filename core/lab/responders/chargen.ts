// chargen (RFC 864): an endless stream of 72-character lines, each starting one printable
// character later than the one before; what the peer sends is discarded; close after its FIN.
// The stream goes as fast as the send buffer drains (the peer's window rules).
import type { Socket } from '../../stack/socket.ts';
import { readChunk, safeClose } from './common.ts';

const LINE = 72;
const PRINTABLE = 95; // ' ' .. '~'
const CYCLE = PRINTABLE * (LINE + 2);

/** The RFC 864 pattern, repeated to at least 64 KiB (it repeats every 95 lines). */
function pattern(): Uint8Array {
  const reps = Math.ceil(65536 / CYCLE) + 1;
  const out = new Uint8Array(CYCLE * reps);
  let o = 0;
  for (let r = 0; r < reps; r++) {
    for (let line = 0; line < PRINTABLE; line++) {
      for (let i = 0; i < LINE; i++) out[o++] = 32 + ((line + i) % PRINTABLE);
      out[o++] = 13;
      out[o++] = 10;
    }
  }
  return out;
}

let shared: Uint8Array | null = null;

export function chargenPattern(): Uint8Array {
  return (shared ??= pattern());
}

export function chargenResponder(sock: Socket): void {
  const data = chargenPattern();
  let offset = 0;
  let done = false;
  const finish = (): void => {
    done = true;
    safeClose(sock);
  };
  const produce = (): void => {
    if (done) return;
    for (;;) {
      let n: number;
      try {
        n = sock.write(data.subarray(offset, offset + 65536));
      } catch {
        return finish();
      }
      offset = (offset + n) % CYCLE;
      if (n < 65536) return;
    }
  };
  const consume = (): void => {
    if (done) return;
    for (let d = readChunk(sock); d !== null; d = readChunk(sock)) {
      if (d.length === 0) return finish();
    }
  };
  sock.on('readable', consume);
  sock.on('end', consume);
  sock.on('drain', produce);
  sock.on('connect', produce);
  consume();
  if (!done && sock.state !== 'SYN-SENT' && sock.state !== 'SYN-RECEIVED') produce();
}
