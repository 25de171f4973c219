// Hand-built ICMP echo packets for the TUN interop tests (independent of core/wire, so these
// tests check the device and the addon only).

export interface Echo { type: number; src: number; dst: number; id: number; seq: number; payload: Uint8Array }

export function addr(s: string): number {
  const [a, b, c, d] = s.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function checksum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An IPv4 packet carrying an ICMP echo request (type 8) or reply (type 0). */
export function buildEcho(e: Echo): Uint8Array {
  const len = 20 + 8 + e.payload.length;
  const p = new Uint8Array(len);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, len);
  v.setUint16(4, e.seq & 0xffff);
  p[8] = 64;
  p[9] = 1;
  v.setUint32(12, e.src);
  v.setUint32(16, e.dst);
  v.setUint16(10, checksum(p, 0, 20));
  p[20] = e.type;
  v.setUint16(24, e.id);
  v.setUint16(26, e.seq);
  p.set(e.payload, 28);
  v.setUint16(22, checksum(p, 20, len));
  return p;
}

/** The echo request or reply in an IPv4 packet, or null for anything else. */
export function parseEcho(p: Uint8Array): Echo | null {
  if (p.length < 28 || p[0] >> 4 !== 4 || p[9] !== 1) return null;
  const ihl = (p[0] & 15) * 4;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const type = p[ihl];
  if (type !== 0 && type !== 8) return null;
  return {
    type, src: v.getUint32(12), dst: v.getUint32(16), id: v.getUint16(ihl + 4), seq: v.getUint16(ihl + 6),
    payload: p.slice(ihl + 8, v.getUint16(2)),
  };
}
