// The link interface: what the stack needs from the thing that carries IPv4 packets.
// Two implementations: the TUN device (tun.ts) and the in-memory wire (memory-wire.ts).

export type PacketHandler = (packets: readonly Uint8Array[]) => void;

export interface Link {
  /** Largest IPv4 packet the link carries. */
  readonly mtu: number;
  /**
   * Queue one IPv4 packet for sending. The link may batch; `flush` sends what is queued.
   * The link copies or consumes `packet` before returning from flush; callers may reuse it after.
   */
  write(packet: Uint8Array): void;
  flush(): void;
  /** Receive packets in batches. A packet's bytes are valid only during the call. */
  onReceive(handler: PacketHandler): void;
  /** Stop receiving and release the device. */
  close(): void;
}
