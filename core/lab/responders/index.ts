// The responders: what the lab does with a connection's data on its own. `manual` does nothing
// (the user drives the connection: data waits in Recv-Q, so the window can be watched closing).
import type { Responder } from '../../api/names.ts';
import type { Socket } from '../../stack/socket.ts';
import { chargenResponder } from './chargen.ts';
import { RESPONDER_DEFAULTS, type ResponderOptions } from './common.ts';
import { discardResponder } from './discard.ts';
import { echoResponder } from './echo.ts';
import { httpResponder } from './http.ts';

export { RESPONDER_DEFAULTS, type ResponderOptions };

/** Hands a connection to a responder; from here on it serves the connection by itself. */
export function attachResponder(sock: Socket, kind: Responder, opts: ResponderOptions = RESPONDER_DEFAULTS): void {
  switch (kind) {
    case 'echo':
      return echoResponder(sock, opts);
    case 'discard':
      return discardResponder(sock);
    case 'http':
      return httpResponder(sock, opts);
    case 'chargen':
      return chargenResponder(sock);
    case 'manual':
      return;
    default: {
      const never: never = kind;
      throw new Error(`unknown responder ${String(never)}`);
    }
  }
}
