// What the responders share: options, reading that never throws, closing that never throws.
import type { Socket } from '../../stack/socket.ts';

export interface ResponderOptions {
  /** Bytes a responder lets wait for the send buffer before it stops reading (default 1 MiB). */
  maxPending: number;
}

export const RESPONDER_DEFAULTS: ResponderOptions = { maxPending: 1 << 20 };

/** Largest read at once. */
export const READ_MAX = 1 << 18;

/** Bytes from the socket: data, an empty array at end of stream, null when nothing is there (or it broke). */
export function readChunk(sock: Socket, max = READ_MAX): Uint8Array | null {
  try {
    return sock.read(max);
  } catch {
    return new Uint8Array(0);
  }
}

/** Graceful close; nothing to do when the connection has already gone. */
export function safeClose(sock: Socket): void {
  if (sock.state === 'CLOSED') return;
  try {
    sock.close();
  } catch {
    // already closing or gone
  }
}
