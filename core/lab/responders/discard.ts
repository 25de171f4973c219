// discard (RFC 863): read and forget everything; close after the peer's FIN.
import type { Socket } from '../../stack/socket.ts';
import { READ_MAX, readChunk, safeClose } from './common.ts';

export function discardResponder(sock: Socket): void {
  let done = false;
  const pump = (): void => {
    if (done) return;
    try {
      while (sock.discard(READ_MAX) > 0) {
        // dropped without copying
      }
    } catch {
      // gone: the read below says so
    }
    // Everything buffered is gone: read() now answers null (more may come) or empty (end of stream).
    const d = readChunk(sock);
    if (d !== null && d.length === 0) {
      done = true;
      safeClose(sock);
    }
  };
  sock.on('readable', pump);
  sock.on('end', pump);
  pump();
}
