// The lab's pcap tap: a Link wrapper next to the device (so the file shows what really crossed
// the wire) feeding a PcapRecorder (core/link/pcap.ts) used as a store. On top of the
// recorder's ring (oldest evicted) it offers the Lab API's other mode, ring: false: recording
// stops by itself when the next packet would exceed maxPackets or maxBytes.
// Not recording costs one boolean test per packet written and per batch received.
import type { PcapStatus } from '../api/snapshot.ts';
import type { Link, PacketHandler } from '../link/link.ts';
import { PcapRecorder } from '../link/pcap.ts';
import type { Clock } from '../link/timing.ts';

export interface CaptureOptions {
  maxPackets: number;
  maxBytes: number;
  snaplen: number;
  /** true: keep the newest (a ring); false: stop when full. */
  ring: boolean;
}

const MAX_SNAPLEN = 65535; // the recorder's limit; no IPv4 packet is longer

const detached: Link = { mtu: 65535, write() {}, flush() {}, onReceive() {}, close() {} };

export class CaptureTap implements Link {
  readonly recorder: PcapRecorder;
  private recording = false;
  private opts: CaptureOptions = { maxPackets: 0, maxBytes: 0, snaplen: MAX_SNAPLEN, ring: true };
  private kept = 0;
  private keptBytes = 0;

  constructor(private readonly inner: Link, clock: Clock) {
    this.recorder = new PcapRecorder(detached, { clock });
  }

  get mtu(): number {
    return this.inner.mtu;
  }

  get running(): boolean {
    return this.recording;
  }

  /** Start a new recording (what an earlier one held is discarded). */
  start(opts: CaptureOptions): void {
    const snaplen = Math.min(opts.snaplen, MAX_SNAPLEN);
    this.opts = { ...opts, snaplen };
    this.recorder.start({ maxPackets: opts.maxPackets, maxBytes: opts.maxBytes, snaplen });
    this.kept = 0;
    this.keptBytes = 0;
    this.recording = true;
  }

  stop(): void {
    this.recording = false;
    this.recorder.stop();
  }

  status(): PcapStatus {
    const s = this.recorder.status();
    return { running: this.recording, packets: s.packets, bytes: s.bytes, maxPackets: this.opts.maxPackets, maxBytes: this.opts.maxBytes };
  }

  private capture(dir: 'in' | 'out', p: Uint8Array): void {
    if (!this.opts.ring) {
      const len = Math.min(p.length, this.opts.snaplen);
      if (this.kept + 1 > this.opts.maxPackets || this.keptBytes + len > this.opts.maxBytes) {
        this.stop();
        return;
      }
      this.kept++;
      this.keptBytes += len;
    }
    this.recorder.capture(dir, p);
  }

  // ---- Link

  write(packet: Uint8Array): void {
    if (this.recording) this.capture('out', packet);
    this.inner.write(packet);
  }

  flush(): void {
    this.inner.flush();
  }

  onReceive(handler: PacketHandler): void {
    this.inner.onReceive((packets) => {
      if (this.recording) for (const p of packets) this.capture('in', p);
      handler(packets);
    });
  }

  close(): void {
    this.recording = false;
    this.inner.close();
  }
}
