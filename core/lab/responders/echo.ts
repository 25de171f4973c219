// echo (RFC 862): everything received is sent back; after the peer's FIN and the last echoed
// byte, close. Reading stops while too much is waiting to be sent, so the receive window
// closes instead of memory growing (flow control end to end).
import type { Socket } from '../../stack/socket.ts';
import { readChunk, safeClose, type ResponderOptions } from './common.ts';
import { SocketWriter } from './writer.ts';

export function echoResponder(sock: Socket, opts: ResponderOptions): void {
  const w = new SocketWriter(sock);
  let eof = false;
  let done = false;
  const pump = (): void => {
    if (done) return;
    w.flush();
    while (!eof && w.pending < opts.maxPending) {
      const d = readChunk(sock);
      if (d === null) break;
      if (d.length === 0) eof = true;
      else if (!w.write(d)) return finish();
    }
    if (w.broken || (eof && w.idle)) finish();
  };
  const finish = (): void => {
    done = true;
    safeClose(sock);
  };
  sock.on('readable', pump);
  sock.on('end', pump);
  sock.on('drain', pump);
  pump();
}
