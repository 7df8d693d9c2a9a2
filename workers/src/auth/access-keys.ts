// The public keys Cloudflare Access signs its JWTs with, from the team's JWKS
// (`https://<team>/cdn-cgi/access/certs`). Access rotates them every six weeks and keeps the
// previous key published for a week, so a key id we have not seen means "fetch again", once.

/** How long an isolate trusts the keys it fetched before fetching them again. */
export const KEYS_TTL_MS = 10 * 60_000;
/**
 * The least time between two fetches forced by an unknown `kid`: a flood of tokens with made-up
 * key ids must not become a flood of requests to Access (nor of slow requests here).
 */
export const REFETCH_MIN_MS = 30_000;
/**
 * After a fetch of the keys failed, how long no other fetch is tried: while Access is down or
 * slow, every request (anonymous ones with made-up key ids included) would otherwise start a
 * fetch of its own and wait up to its 5 s timeout.
 */
export const FAILED_RETRY_MS = 5_000;

interface RsaJwk extends JsonWebKey {
  kid?: string;
}

interface KeySet {
  keys: Map<string, CryptoKey>;
  fetchedAt: number;
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** Per certs URL: the keys of one team, and the one fetch in flight (concurrent misses share it). */
const sets = new Map<string, KeySet>();
const inFlight = new Map<string, Promise<KeySet>>();
/** Per certs URL: when the last fetch failed, and why (repeated to callers within FAILED_RETRY_MS). */
const failures = new Map<string, { at: number; error: Error }>();

/**
 * The verifying key for `kid`, or undefined when the team does not publish it (even after a
 * refetch). Throws when the keys cannot be fetched at all: the caller answers 503, not 401.
 */
export async function accessKey(
  certsUrl: string,
  kid: string,
  now = Date.now(),
  fetcher: typeof fetch = fetch,
): Promise<CryptoKey | undefined> {
  let set = sets.get(certsUrl);
  // Past the TTL, keys are refreshed; if Access cannot be reached then, the keys already held
  // still verify (they were valid minutes ago, and Access keeps a rotated key for a week).
  if (!set) set = await load(certsUrl, now, fetcher);
  else if (now - set.fetchedAt >= KEYS_TTL_MS) set = await load(certsUrl, now, fetcher).catch(() => set as KeySet);
  const known = set.keys.get(kid);
  if (known || now - set.fetchedAt < REFETCH_MIN_MS) return known;
  return (await load(certsUrl, now, fetcher)).keys.get(kid);
}

/** Forgets every fetched key (tests start each scenario from a cold isolate). */
export function forgetAccessKeys(): void {
  sets.clear();
  inFlight.clear();
  failures.clear();
}

function load(certsUrl: string, now: number, fetcher: typeof fetch): Promise<KeySet> {
  const pending = inFlight.get(certsUrl);
  if (pending) return pending;
  const failed = failures.get(certsUrl);
  if (failed && now - failed.at < FAILED_RETRY_MS && now >= failed.at) return Promise.reject(failed.error);
  const started = Date.now();
  const loading = fetchKeys(certsUrl, now, fetcher)
    .catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      // Counted from when the attempt ended: a fetch that hung for its whole timeout is not retried at once.
      failures.set(certsUrl, { at: now + (Date.now() - started), error });
      throw error;
    })
    .finally(() => inFlight.delete(certsUrl));
  inFlight.set(certsUrl, loading);
  return loading;
}

async function fetchKeys(certsUrl: string, now: number, fetcher: typeof fetch): Promise<KeySet> {
  const res = await fetcher(certsUrl, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Access certs answered ${res.status}`);
  const body = (await res.json()) as { keys?: RsaJwk[] };
  const keys = new Map<string, CryptoKey>();
  for (const jwk of body.keys ?? []) {
    // Only RSA signing keys: a JWKS entry of another type is never used to check an RS256 token.
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use && jwk.use !== 'sig')) continue;
    const material = { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true };
    const key = await crypto.subtle.importKey('jwk', material, ALGORITHM, false, ['verify']).catch(() => undefined);
    if (key) keys.set(jwk.kid, key);
  }
  const set = { keys, fetchedAt: now };
  sets.set(certsUrl, set);
  return set;
}

export { ALGORITHM as ACCESS_ALGORITHM };
