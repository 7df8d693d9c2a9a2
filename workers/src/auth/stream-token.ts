/**
 * Signed stream URLs: EventSource cannot send headers, so OFREP's `eventStreams` URL carries a
 * short-lived HMAC token naming the environment and key kind instead of the key itself.
 */
export const STREAM_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface StreamGrant {
  environment: string;
  kind: 'server' | 'client';
  keyId: string;
  exp: number;
}

async function hmac(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data));
  return btoa(String.fromCharCode(...new Uint8Array(sig)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function signStreamToken(secret: string, grant: Omit<StreamGrant, 'exp'>, now = Date.now()): Promise<string> {
  const payload = btoa(JSON.stringify({ ...grant, exp: now + STREAM_TOKEN_TTL_MS })).replace(/=+$/, '');
  return `${payload}.${await hmac(secret, payload)}`;
}

export async function verifyStreamToken(secret: string, token: string, now = Date.now()): Promise<StreamGrant | undefined> {
  const [payload, sig] = token.split('.');
  if (!payload || !sig || (await hmac(secret, payload)) !== sig) return undefined;
  try {
    const grant = JSON.parse(atob(payload)) as StreamGrant;
    return grant.exp > now ? grant : undefined;
  } catch {
    return undefined;
  }
}
