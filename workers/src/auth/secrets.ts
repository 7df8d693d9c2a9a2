/** Key material: prefixed secrets (so scanners can spot leaks), stored only as SHA-256 hex. */

export type SecretKind = 'server' | 'client' | 'admin';

export const PREFIX: Record<SecretKind, string> = { server: 'efs_', client: 'efc_', admin: 'efa_' };

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 characters after the prefix in a minted secret: ~190 bits from the CSPRNG. */
export const SECRET_LENGTH = 32;

/**
 * What a key can look like: a known prefix, then base62 only, 32 characters when minted here
 * (up to 48 accepted: the readable local seed keys have 34). Anything else is refused before
 * any lookup, so junk costs neither a hash, a D1 read nor a cache entry.
 */
const WELL_FORMED = /^ef[sca]_[0-9A-Za-z]{32,48}$/;

export function isWellFormedSecret(secret: string): boolean {
  return WELL_FORMED.test(secret);
}

export function newSecret(kind: SecretKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_LENGTH));
  let s = PREFIX[kind];
  for (const b of bytes) s += ALPHABET[b % 62];
  return s;
}

export function newId(): string {
  return crypto.randomUUID();
}

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function kindOf(secret: string): SecretKind | undefined {
  if (secret.startsWith('efs_')) return 'server';
  if (secret.startsWith('efc_')) return 'client';
  if (secret.startsWith('efa_')) return 'admin';
  return undefined;
}

/** What lists show instead of the secret. */
export function hintOf(secret: string): string {
  return `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}

/** `Authorization: Bearer <key>` or `X-API-Key: <key>` (OFREP allows both). */
export function presentedSecret(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1];
  }
  return headers.get('x-api-key') ?? undefined;
}
