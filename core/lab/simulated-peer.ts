// The simulated wire's other end: a second stack playing "the kernel" at the kernel's address,
// so a lab without a TUN still has something to talk to. It serves echo (7), discard (9),
// chargen (19) and http (80) like a small host would, and its client side can be driven
// (connect to the lab, send, close) by scenarios, tests and tools.
import type { Responder } from '../api/names.ts';
import type { Link } from '../link/link.ts';
import type { Clock } from '../stack/clock.ts';
import type { Knobs } from '../stack/knobs.ts';
import type { Random } from '../stack/random.ts';
import { Stack, type Listener, type Socket, type SocketOptions } from '../stack/stack.ts';
import { attachResponder, type ResponderOptions } from './responders/index.ts';

export const PEER_SERVICES: readonly { port: number; responder: Responder }[] = [
  { port: 7, responder: 'echo' },
  { port: 9, responder: 'discard' },
  { port: 19, responder: 'chargen' },
  { port: 80, responder: 'http' },
];

export interface SimulatedPeerOptions {
  address: number;
  labAddress: number;
  clock: Clock;
  random: Random;
  link: Link;
  mtu: number;
  knobs?: Partial<Knobs>;
  responder: ResponderOptions;
  /** Called after every batch of the peer's work (the lab's runtime re-arms its timer). */
  afterBatch: () => void;
}

export class SimulatedPeer {
  readonly stack: Stack;
  readonly services: Listener[] = [];
  private readonly labAddress: number;
  private readonly responderOpts: ResponderOptions;

  constructor(opts: SimulatedPeerOptions) {
    this.labAddress = opts.labAddress;
    this.responderOpts = opts.responder;
    this.stack = new Stack({ address: opts.address, clock: opts.clock, random: opts.random, mtu: opts.mtu, knobs: opts.knobs, eventRingSize: 1024 });
    this.stack.attach(opts.link);
    this.stack.onAfterBatch(opts.afterBatch);
    for (const s of PEER_SERVICES) this.serve(s.port, s.responder);
  }

  /** Listen on `port` of the peer with a responder (the peer's services, or more). */
  serve(port: number, responder: Responder, backlog = 128): Listener {
    const l = this.stack.listen(port, backlog);
    l.onAcceptable(() => {
      for (let s = l.accept(); s !== null; s = l.accept()) attachResponder(s, responder, this.responderOpts);
    });
    this.services.push(l);
    return l;
  }

  /** Open a connection from the peer to the lab (like a kernel client: curl, nc). */
  connect(port: number, opts: SocketOptions & { localPort?: number; responder?: Responder } = {}): Socket {
    const { responder, ...sockOpts } = opts;
    const s = this.stack.connect(this.labAddress, port, sockOpts);
    if (responder !== undefined) attachResponder(s, responder, this.responderOpts);
    return s;
  }
}
