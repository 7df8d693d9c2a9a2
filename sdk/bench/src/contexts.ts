/**
 * The users every SDK evaluates: the same pool, in the same order, for every SDK. Each adapter
 * turns them into its own context objects once, outside the timed loop.
 */

export interface User {
  readonly id: string;
  readonly country: string;
}

/** A power of two, so the timed loop cycles through the pool with `i & (POOL_SIZE - 1)`. */
export const POOL_SIZE = 1024;

/** The rule + rollout flag's countries: only these may ever be on. */
export const ROLLOUT_COUNTRIES: readonly string[] = ['US', 'GB'];

const OTHER_COUNTRIES = ['DE', 'FR', 'CA', 'JP', 'BR', 'IN'];

export const isRolloutCountry = (user: User): boolean => ROLLOUT_COUNTRIES.includes(user.country);

/** Deterministic: distinct ids, about half in US/GB, countries shuffled rather than striped. */
export function buildUsers(size = POOL_SIZE): User[] {
  const random = mulberry32(0x5eed);
  return Array.from({ length: size }, (_, i) => {
    const eligible = random() < 0.5;
    const pool = eligible ? ROLLOUT_COUNTRIES : OTHER_COUNTRIES;
    const country = pool[Math.floor(random() * pool.length)]!;
    return { id: `user-${(i * 7919 + 104_729).toString(36)}`, country };
  });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
