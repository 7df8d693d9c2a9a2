/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a string. ASCII input (ids, keys) is hashed
 * straight from char codes without allocating; anything else is encoded to UTF-8 first so every
 * runtime and language agrees on the bytes.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function murmur3(key: string, seed = 0): number {
  return murmur3Int32(key, seed) >>> 0;
}

/**
 * The same hash as a signed 32-bit integer. Bucketing calls this and converts after the call:
 * a uint32 over 2^31 returned from a call that V8 did not inline is boxed as a heap number (an
 * allocation per evaluation), an int32 stays a small integer on 64-bit Node.
 */
export function murmur3Int32(key: string, seed = 0): number {
  const len = key.length;
  const blocks = len & ~3;
  let h = seed | 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) return murmur3Bytes(utf8(key), seed) | 0;
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  const rem = len & 3;
  if (rem > 0) {
    let k = key.charCodeAt(i);
    let seen = k;
    if (rem > 1) {
      const c = key.charCodeAt(i + 1);
      seen |= c;
      k |= c << 8;
    }
    if (rem > 2) {
      const c = key.charCodeAt(i + 2);
      seen |= c;
      k |= c << 16;
    }
    if (seen > 0x7f) return murmur3Bytes(utf8(key), seed) | 0;
    h ^= mixK(k);
  }
  return finalize(h, len) | 0;
}

export function murmur3Bytes(bytes: ArrayLike<number>, seed = 0): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed | 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const rem = len & 3;
  if (rem > 0) {
    let k = bytes[i]!;
    if (rem > 1) k |= bytes[i + 1]! << 8;
    if (rem > 2) k |= bytes[i + 2]! << 16;
    h ^= mixK(k);
  }
  return finalize(h, len);
}

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixBlock(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** UTF-8 bytes of a string; lone surrogates become U+FFFD, as TextEncoder does. */
export function utf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}
