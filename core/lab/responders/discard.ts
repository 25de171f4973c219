// discard (RFC 863): read and forget everything; close after the peer's FIN.
import type { Socket } from '../../stack/socket.ts';
import { readChunk, safeClose } from './common.ts';

export function discardResponder(sock: Socket): void {
  let done = false;
  const pump = (): void => {
    if (done) return;
    for (let d = readChunk(sock); d !== null; d = readChunk(sock)) {
      if (d.length === 0) {
        done = true;
        safeClose(sock);
        return;
      }
    }
  };
  sock.on('readable', pump);
  sock.on('end', pump);
  pump();
}
