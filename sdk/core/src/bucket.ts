import { murmur3, murmur3Int32 } from './murmur3.ts';

/** Buckets per flag: a weight of 0.001% is one bucket. */
export const BUCKET_COUNT = 100_000;

/**
 * The per-flag seed: hashing the salt once and seeding the value's hash with it salts every
 * bucket without building a `salt:value` string per call (which would double the cost).
 */
export function saltSeed(salt: string): number {
  return murmur3(salt, 0);
}

/** Bucket in [0, 100000) of a bucketing value under a flag's seed. */
export function bucketOf(value: string, seed: number): number {
  return (murmur3Int32(value, seed) >>> 0) % BUCKET_COUNT;
}

/** Weight in percent (three decimals) to a count of buckets. */
export function weightToBuckets(weight: number): number {
  return Math.round(weight * 1000);
}
