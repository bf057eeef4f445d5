// Spark-style hash partitioning of checkpoint rows into multi-part checkpoint files (PROTOCOL.md
// "Multi-part checkpoint": parts MUST be clustered by Spark's hash of the file path, so that racing
// writers produce identical parts). Spark hashes a string with Murmur3_x86_32.hashUnsafeBytes, seed 42.

const SEED = 42;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const ENCODER = new TextEncoder();

/**
 * The 0-based part (of `parts`) Spark's `repartition(parts, coalesce(add.path, remove.path))` puts a
 * row in; rows without a path (protocol, metaData, txn, domainMetadata) hash as null, i.e. the seed.
 */
export function sparkPartition(path: string | null, parts: number): number {
  const hash = path === null ? SEED : sparkStringHash(path, SEED);
  return ((hash % parts) + parts) % parts;
}

/** Spark's Murmur3 hash of a string's UTF-8 bytes (`Murmur3_x86_32.hashUnsafeBytes`), as a signed int. */
export function sparkStringHash(value: string, seed = SEED): number {
  const bytes = ENCODER.encode(value);
  const aligned = bytes.length - (bytes.length % 4);
  let h1 = seed | 0;
  for (let i = 0; i < aligned; i += 4) {
    const word = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h1 = mixH1(h1, mixK1(word));
  }
  // Spark's variant mixes each trailing byte on its own, sign-extended (unlike reference Murmur3).
  for (let i = aligned; i < bytes.length; i++) {
    h1 = mixH1(h1, mixK1((bytes[i]! << 24) >> 24));
  }
  return fmix(h1, bytes.length);
}

function mixK1(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
