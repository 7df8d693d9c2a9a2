/**
 * Signed stream URLs: EventSource cannot send headers, so OFREP's `eventStreams` URL carries a
 * short-lived HMAC token naming the key instead of the key itself. The token only proves that
 * this Worker issued it; whoever opens the stream also checks the key is still live in D1.
 *
 * Format: `<payload>.<signature>`, both base64url without padding; the payload is the JSON of
 * exactly `{ environment, kind, keyId, exp }`. Anything else is refused, never repaired.
 */
export const STREAM_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface StreamGrant {
  environment: string;
  kind: 'server' | 'client';
  keyId: string;
  /** Epoch ms after which the token is refused. */
  exp: number;
}

const encoder = new TextEncoder();
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** A payload past this is not one we signed; refuse it before any crypto. */
const MAX_TOKEN_LENGTH = 1024;

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

export async function signStreamToken(secret: string, grant: Omit<StreamGrant, 'exp'>, now = Date.now()): Promise<string> {
  const { environment, kind, keyId } = grant;
  const payload = toBase64Url(encoder.encode(JSON.stringify({ environment, kind, keyId, exp: now + STREAM_TOKEN_TTL_MS })));
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload));
  return `${payload}.${toBase64Url(new Uint8Array(sig))}`;
}

/** The grant a token carries when it is well formed, signed by `secret` and unexpired; else undefined. */
export async function verifyStreamToken(secret: string, token: string, now = Date.now()): Promise<StreamGrant | undefined> {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 2) return undefined;
  const [payload, sig] = parts as [string, string];
  if (!SEGMENT.test(payload) || !SEGMENT.test(sig)) return undefined;
  const signature = fromBase64Url(sig);
  if (!signature) return undefined;
  // crypto.subtle.verify compares in constant time, so the signature cannot be guessed byte by byte.
  if (!(await crypto.subtle.verify('HMAC', await hmacKey(secret), signature, encoder.encode(payload)))) return undefined;
  const grant = parseGrant(fromBase64Url(payload));
  return grant && grant.exp > now ? grant : undefined;
}

function parseGrant(bytes: Uint8Array | undefined): StreamGrant | undefined {
  if (!bytes) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { environment, kind, keyId, exp, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (typeof environment !== 'string' || environment === '' || typeof keyId !== 'string' || keyId === '') return undefined;
  if (kind !== 'server' && kind !== 'client') return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
  return { environment, kind, keyId, exp };
}
