// Raw TUN packet rate through the addon, the ceiling for everything above it:
//   rx: the kernel floods UDP datagrams into the TUN (a sender inside the namespace, to the lab's
//       address: a small C program using sendmmsg when a C compiler is there, else python); we
//       count what the uv_poll batch loop hands to JS.
//   tx: we write UDP datagrams to the kernel side in batches; the kernel counts what it got.
// Bounded: a fixed number of packets per run, in a namespace of its own (deleted afterwards).
// Needs root; prints a note and exits 0 without it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Tun } from '../core/link/tun.ts';
import { createTestNet, isRoot, type TestNet } from '../test/interop/netns.ts';

// [datagram payload size, device MTU]; counts shrink for big packets (about 3 GB at most).
const CASES: [number, number][] = [[64, 1500], [1400, 1500], [60_000, 65_000]];
const rxCount = (size: number): number => Math.min(300_000, Math.floor(3e9 / size));
const txCount = (size: number): number => Math.min(500_000, Math.floor(3e9 / size / 256) * 256);

const SENDER = `
import socket, sys, time
n, size, dst = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
s.connect((dst, 9))
data = b'x' * size
t = time.perf_counter()
sent = 0
for _ in range(n):
    try:
        s.send(data); sent += 1
    except OSError:
        pass
print(sent, time.perf_counter() - t)
`;

const C_SENDER = `
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]); int size = atoi(argv[2]);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int buf = 4 << 20; setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
  inet_pton(AF_INET, argv[3], &to.sin_addr);
  if (connect(s, (struct sockaddr *)&to, sizeof to) < 0) { perror("connect"); return 1; }
  static char data[65536]; memset(data, 'x', sizeof data);
  struct mmsghdr msgs[64]; struct iovec iov[64];
  for (int i = 0; i < 64; i++) { iov[i].iov_base = data; iov[i].iov_len = size; memset(&msgs[i], 0, sizeof msgs[i]); msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1; }
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  long sent = 0;
  while (sent < n) { int k = n - sent < 64 ? (int)(n - sent) : 64; int r = sendmmsg(s, msgs, k, 0); if (r > 0) sent += r; else sent += k; }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%ld %f\\n", sent, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
  return 0;
}
`;

/** Compile the C sender; null when there is no compiler (then python sends). */
function buildSender(dir: string): string | null {
  const src = path.join(dir, 'udp-flood.c');
  const bin = path.join(dir, 'udp-flood');
  writeFileSync(src, C_SENDER);
  try {
    execFileSync('cc', ['-O2', '-o', bin, src], { stdio: 'ignore' });
    return bin;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function linkCounters(net: TestNet): Promise<{ rx: number; tx: number; txDropped: number; rxDropped: number }> {
  const r = await net.ip('-s', '-j', 'link', 'show', 'dev', net.dev);
  const [l] = JSON.parse(r.stdout) as { stats64: { rx: { packets: number; dropped: number }; tx: { packets: number; dropped: number } } }[];
  return { rx: l.stats64.rx.packets, tx: l.stats64.tx.packets, rxDropped: l.stats64.rx.dropped, txDropped: l.stats64.tx.dropped };
}

async function benchRx(net: TestNet, size: number, sender: string | null): Promise<string> {
  const tun = net.tun as Tun;
  let packets = 0;
  let batches = 0;
  let maxBatch = 0;
  let first = 0;
  let last = 0;
  tun.onReceive((batch) => {
    const now = performance.now();
    if (packets === 0) first = now;
    last = now;
    packets += batch.length;
    batches++;
    if (batch.length > maxBatch) maxBatch = batch.length;
  });
  await sleep(50);
  packets = batches = maxBatch = 0;
  const before = await linkCounters(net);
  const cpu0 = process.cpuUsage();
  const args = [String(rxCount(size)), String(size), net.labAddr];
  const r = await net.exec(sender !== null ? [sender, ...args] : ['python3', '-c', SENDER, ...args], { timeoutMs: 60_000 });
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await sleep(200);
  const after = await linkCounters(net);
  const [sent, secs] = r.stdout.trim().split(' ').map(Number);
  const seconds = (last - first) / 1000;
  const pps = packets / seconds;
  return `rx ${String(size).padStart(5)} B MTU ${net.tun?.mtu}  ${fmt(pps)} packets/s  ${(pps * size * 8 / 1e9).toFixed(2)} Gbit/s payload  ` +
    `(${packets}/${sent} delivered, kernel tx_dropped ${after.txDropped - before.txDropped}, ` +
    `${sender !== null ? 'C sendmmsg' : 'python'} sender ${fmt(sent / secs)}/s, ` +
    `${(packets / batches).toFixed(1)} packets/wakeup, max ${maxBatch}; ` +
    `node CPU ${(cpu / packets * 1e6).toFixed(2)} us/packet -> one-core ceiling ~${fmt(packets / cpu)}/s)`;
}

function udpPacket(src: number, dst: number, size: number, id: number): Uint8Array {
  const len = 20 + 8 + size;
  const p = new Uint8Array(len);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, len);
  v.setUint16(4, id & 0xffff);
  p[8] = 64;
  p[9] = 17;
  v.setUint32(12, src);
  v.setUint32(16, dst);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  v.setUint16(20, 40000);
  v.setUint16(22, 9);
  v.setUint16(24, 8 + size);
  // UDP checksum 0: none (allowed for IPv4 UDP).
  return p;
}

async function benchTx(net: TestNet, size: number): Promise<string> {
  const tun = net.tun as Tun;
  const packets = Array.from({ length: 256 }, (_, i) => udpPacket(0x0a4d0002, 0x0a4d0001, size, i));
  const before = await linkCounters(net);
  const stats0 = tun.stats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let sent = 0; sent < txCount(size); sent += packets.length) {
    for (const p of packets) tun.write(p);
    tun.flush();
    if ((sent & 0x3fff) === 0) await new Promise((r) => setImmediate(r));
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await sleep(200);
  const after = await linkCounters(net);
  const stats1 = tun.stats();
  const written = stats1.txPackets - stats0.txPackets;
  return `tx ${String(size).padStart(5)} B MTU ${tun.mtu}  ${fmt(written / secs)} packets/s  ${(written / secs * size * 8 / 1e9).toFixed(2)} Gbit/s payload  ` +
    `(kernel counted ${after.rx - before.rx} rx, ${after.rxDropped - before.rxDropped} rx_dropped, write errors ${stats1.txErrors - stats0.txErrors}; ` +
    `node CPU ${(cpu / written * 1e6).toFixed(2)} us/packet, including the kernel's receive path)`;
}

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`;
}

async function main(): Promise<void> {
  if (!isRoot) {
    process.stdout.write('bench/tun: needs root (it makes a namespace and a TUN); skipped\n');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-bench-tun-'));
  try {
    const sender = buildSender(dir);
    for (const [size, mtu] of CASES) {
      const net = await createTestNet({ mtu });
      try {
        await net.ip('link', 'set', 'dev', net.dev, 'txqueuelen', '10000');
        process.stdout.write(`${await benchRx(net, size, sender)}\n`);
        process.stdout.write(`${await benchTx(net, size)}\n`);
      } finally {
        await net.cleanup();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
