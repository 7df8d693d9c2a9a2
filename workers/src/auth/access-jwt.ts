// Cloudflare Access in front of the admin app and API (docs/identity.md): Access signs in the
// person and forwards a JWT (`Cf-Access-Jwt-Assertion`; browsers also carry it as the
// `CF_Authorization` cookie). The Worker checks it itself, so a request that reaches the Worker
// some other way (workers.dev, a second route) is not trusted for having a header.

import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { ACCESS_ALGORITHM, accessKey } from './access-keys.ts';

export interface AccessConfig {
  /** `https://<team>.cloudflareaccess.com`: the JWT's `iss`, and where the keys and identity live. */
  issuer: string;
  /** The Access application's AUD tag(s); a token for another application is refused. */
  audiences: string[];
}

/** Clock skew tolerated on `exp` and `nbf` (Access and the Worker both run on Cloudflare's clock). */
const LEEWAY_MS = 30_000;

/** Access settings from the vars; undefined when Access is off (admin tokens only, as before). */
export function accessConfig(env: Pick<Env, 'ACCESS_TEAM_DOMAIN' | 'ACCESS_AUD'>): AccessConfig | undefined {
  const team = env.ACCESS_TEAM_DOMAIN?.trim();
  const audiences = (env.ACCESS_AUD ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!team && audiences.length === 0) return undefined;
  // Half a configuration must not quietly mean "off": nobody could tell Access is not checked.
  if (!team || audiences.length === 0)
    throw new ApiError(
      500,
      'internal',
      'Cloudflare Access is half configured: set both ACCESS_TEAM_DOMAIN and ACCESS_AUD (docs/identity.md)',
    );
  // A host name is case-insensitive, and Access writes `iss` lower-cased: "MyTeam.cloudflareaccess.com" is the same team.
  return {
    issuer: `https://${team
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '')
      .toLowerCase()}`,
    audiences,
  };
}

/** The Access JWT of a request: the header Access adds, else the browser's cookie. */
export function presentedAccessJwt(headers: Headers): string | undefined {
  const header = headers.get('cf-access-jwt-assertion')?.trim();
  if (header) return header;
  const cookie = headers.get('cookie');
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'CF_Authorization' && value.length) return value.join('=');
  }
  return undefined;
}

export interface AccessClaims {
  email: string;
  sub: string;
  /** Epoch ms the token stops being valid. */
  expiresAt: number;
}

const refuse = (why: string) => new ApiError(401, 'unauthorized', `Cloudflare Access token refused: ${why}`);

/**
 * Checks an Access JWT: RS256 only (never `none`, never an HMAC keyed with a public key), a key
 * the team publishes, the signature, then issuer, audience and validity window.
 */
export async function verifyAccessJwt(
  token: string,
  config: AccessConfig,
  now = Date.now(),
  fetcher: typeof fetch = fetch,
): Promise<AccessClaims> {
  const parts = token.split('.');
  if (parts.length !== 3) throw refuse('not a JWT');
  const [head, body, signature] = parts as [string, string, string];
  const header = decodeJson(head);
  if (header?.alg !== 'RS256') throw refuse(`algorithm ${JSON.stringify(header?.alg ?? null)} is not accepted (RS256 only)`);
  if (typeof header.kid !== 'string') throw refuse('no key id (kid)');
  const key = await keyFor(config, header.kid, now, fetcher);
  if (!key) throw refuse(`key ${header.kid} is not one the team publishes`);
  const signed = new TextEncoder().encode(`${head}.${body}`);
  const bytes = decodeBytes(signature);
  if (!bytes || !(await crypto.subtle.verify(ACCESS_ALGORITHM, key, bytes, signed))) throw refuse('bad signature');
  return checkClaims(decodeJson(body), config, now);
}

async function keyFor(config: AccessConfig, kid: string, now: number, fetcher: typeof fetch): Promise<CryptoKey | undefined> {
  try {
    return await accessKey(`${config.issuer}/cdn-cgi/access/certs`, kid, now, fetcher);
  } catch (err) {
    throw new ApiError(503, 'unavailable', `cannot fetch Cloudflare Access signing keys (${(err as Error).message}); retry shortly`);
  }
}

function checkClaims(claims: Record<string, unknown> | undefined, config: AccessConfig, now: number): AccessClaims {
  if (!claims) throw refuse('unreadable claims');
  if (claims.iss !== config.issuer) throw refuse(`issuer ${JSON.stringify(claims.iss ?? null)} is not ${config.issuer}`);
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && config.audiences.includes(a))) throw refuse('issued for another Access application (aud)');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now - LEEWAY_MS) throw refuse('expired; sign in again');
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now + LEEWAY_MS) throw refuse('not valid yet (nbf)');
  // Access service tokens carry `common_name` and no email: automation uses an admin token instead.
  if (typeof claims.email !== 'string' || !claims.email.includes('@'))
    throw new ApiError(403, 'forbidden', 'this Access token names no person (a service token?); automation uses an admin token (efa_…)');
  return { email: claims.email.toLowerCase(), sub: typeof claims.sub === 'string' ? claims.sub : '', expiresAt: claims.exp * 1000 };
}

function decodeBytes(part: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined; // a length no base64 has
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const bytes = decodeBytes(part);
    const value: unknown = bytes && JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
