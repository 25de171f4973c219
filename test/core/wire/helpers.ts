// Shared helpers for the wire tests: fixtures, hex, a seeded PRNG, a reference checksum.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FixturePacket {
  readonly hex: string;
  readonly tcpdump: string;
  readonly tcpdumpVerbose: readonly string[];
}

export interface Fixture {
  readonly scenario: string;
  readonly description: string;
  readonly captured: string;
  readonly packets: readonly FixturePacket[];
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/packets');

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Fixture);
}

export function fixture(scenario: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, `${scenario}.json`), 'utf8')) as Fixture;
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** mulberry32: a small seeded PRNG, deterministic across runs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** RFC 1071 straight from the definition: 16-bit big-endian words, end-around carry. */
export function referenceChecksum(bytes: Uint8Array, prefix: readonly number[] = []): number {
  let sum = 0;
  for (const w of prefix) sum += w;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** tcpdump's text up to and including the transport 'length N' (drops app-layer decoding like ': HTTP: GET ...'). */
export function withoutAppLayer(line: string): string {
  return line.replace(/(, length \d+)(: .*|, length: \d+.*)$/, '$1');
}
