// The Internet checksum (RFC 1071): the ones'-complement sum of 16-bit big-endian words,
// inverted. Sums are kept unfolded while adding and folded once at the end.
//
// Fast path: on a little-endian host, a range that starts at an even byte offset in its
// ArrayBuffer is summed as 32-bit little-endian words through a cached Uint32Array view of
// the whole buffer, and the folded result byte-swapped once (RFC 1071 2(B): the sum is
// byte-order independent); an odd offset is handled the same way after its first byte.
// Big-endian hosts use a 16-bit big-endian byte loop.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest range summed before an intermediate fold (keeps the accumulator below 2^31). */
const CHUNK = 0x10000;

// Word views of the most recently summed buffer. The stack sums from a few preallocated
// buffers, so this almost always hits and allocates nothing per packet.
let viewBuffer: ArrayBufferLike | null = null;
let view16: Uint16Array = new Uint16Array(0);
let view32: Uint32Array = new Uint32Array(0);

function wordViews(buffer: ArrayBufferLike): void {
  if (buffer !== viewBuffer) {
    viewBuffer = buffer;
    view16 = new Uint16Array(buffer, 0, buffer.byteLength >>> 1);
    view32 = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }
}

/** Sum of big-endian 16-bit words of bytes[start, end), a trailing odd byte padded with zero. */
function sumBytes(bytes: Uint8Array, start: number, end: number): number {
  let acc = 0;
  let i = start;
  const last8 = start + ((end - start) & ~7);
  for (; i < last8; i += 8) {
    acc += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3])
      + ((bytes[i + 4] << 8) | bytes[i + 5]) + ((bytes[i + 6] << 8) | bytes[i + 7]);
  }
  for (; i + 1 < end; i += 2) acc += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) acc += bytes[i] << 8;
  return acc;
}

/** Same as sumBytes for an even absolute offset, through little-endian word views. */
function sumWords(bytes: Uint8Array, start: number, end: number): number {
  wordViews(bytes.buffer);
  const w16 = view16;
  const w32 = view32;
  let acc = 0;
  let i = (bytes.byteOffset + start) >>> 1; // index in 16-bit words
  const endWord = i + ((end - start) >>> 1);
  if ((i & 1) !== 0 && i < endWord) acc += w16[i++];
  let j = i >>> 1; // index in 32-bit words
  const end32 = endWord >>> 1;
  for (; j + 2 <= end32; j += 2) {
    const x = w32[j];
    const y = w32[j + 1];
    acc += (x & 0xffff) + (x >>> 16) + (y & 0xffff) + (y >>> 16);
  }
  if (j < end32) {
    const x = w32[j];
    acc += (x & 0xffff) + (x >>> 16);
  }
  if ((endWord & 1) !== 0 && endWord > i) acc += w16[endWord - 1];
  acc = (acc & 0xffff) + (acc >>> 16);
  acc = (acc & 0xffff) + (acc >>> 16);
  acc = ((acc & 0xff) << 8) | (acc >>> 8); // little-endian words -> big-endian sum
  if (((end - start) & 1) !== 0) acc += bytes[end - 1] << 8;
  return acc;
}

/** Folds a non-negative sum below 2^17 without losing carries (also for sums >= 2^32). */
function fold(sum: number): number {
  if (sum > 0xffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * Adds bytes[start, end) to a ones'-complement partial sum (0 to begin, or a value returned by
 * checksumAdd or pseudoHeaderSum). Words are big-endian; an odd trailing byte is padded with a
 * zero byte, so only the last range of a chain may have an odd length.
 */
export function checksumAdd(sum: number, bytes: Uint8Array, start: number, end: number): number {
  while (end - start > CHUNK) {
    sum = fold(sum + checksumAdd(0, bytes, start, start + CHUNK));
    start += CHUNK;
  }
  if (!LITTLE_ENDIAN || end - start < 2) return fold(sum + sumBytes(bytes, start, end));
  if (((bytes.byteOffset + start) & 1) === 0) return fold(sum + sumWords(bytes, start, end));
  // Odd absolute offset: sum the rest from the next (even) byte and swap its bytes; the
  // first byte is then the high half of the first word (RFC 1071 2(B), byte-order independence).
  let rest = sumWords(bytes, start + 1, end);
  rest = (rest & 0xffff) + (rest >>> 16);
  rest = (rest & 0xffff) + (rest >>> 16);
  return fold(sum + (bytes[start] << 8) + (((rest & 0xff) << 8) | (rest >>> 8)));
}

/** Folds a partial sum to 16 bits and inverts it: the value to put in a checksum field. */
export function checksumFinish(sum: number): number {
  sum = fold(sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The partial sum of the IPv4 pseudo-header (RFC 9293 3.1): src, dst, zero, protocol, length. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return fold((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length);
}

/** The checksum of bytes[start, end) on its own (an IPv4 header, an ICMP message). */
export function checksum(bytes: Uint8Array, start: number, end: number): number {
  return checksumFinish(checksumAdd(0, bytes, start, end));
}

/** The partial sum of one 16-bit value (for incremental updates). */
export function checksumAddWord(sum: number, word: number): number {
  return fold(sum + (word & 0xffff));
}
