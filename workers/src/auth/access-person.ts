// A person signed in through Cloudflare Access, and the role they get (docs/identity.md). The
// JWT names the person (email, sub); their groups and display name come from Access's identity
// endpoint. Roles come from `role_bindings` (by email or by group) and the ACCESS_ADMIN_EMAILS
// bootstrap, read on every request so a removed binding takes effect at once.

import type { Actor, Role } from '../app-env.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { type AccessClaims, type AccessConfig, verifyAccessJwt } from './access-jwt.ts';
import { visible } from './actor-label.ts';

export interface AccessIdentity {
  name: string;
  /** Group names and ids, lower-cased, as the identity provider reports them. */
  groups: string[];
}

/** How long a person's groups and name are reused: a group change shows within a minute. */
export const IDENTITY_TTL_MS = 60_000;
const IDENTITY_CACHE_MAX = 500;
const identities = new Map<string, { at: number; identity: AccessIdentity }>();
/**
 * After the identity endpoint failed (5xx, timeout), how long it is not asked again: while it is
 * down or hanging, every signed-in request would otherwise wait for its own 5 s timeout.
 */
export const IDENTITY_RETRY_MS = 5_000;
/** Per issuer: until when the identity endpoint is not asked (it just failed). */
const identityDownUntil = new Map<string, number>();

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Emails that are admins with production access without any binding: the first admin(s). */
export function bootstrapAdmins(env: Pick<Env, 'ACCESS_ADMIN_EMAILS'>): string[] {
  return (env.ACCESS_ADMIN_EMAILS ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
}

interface Binding {
  kind: 'email' | 'group';
  subject: string;
  role: Role;
  production_access: number;
}

/** The actor for a verified Access JWT, or 403 when no binding gives the person a role. */
export async function personActor(env: Env, config: AccessConfig, jwt: string, now = Date.now()): Promise<Actor> {
  const claims = await verifyAccessJwt(jwt, config, now);
  const { results: bindings } = await env.DB.prepare(
    "SELECT kind, subject, role, production_access FROM role_bindings WHERE (kind = 'email' AND subject = ?) OR kind = 'group'",
  )
    .bind(claims.email)
    .all<Binding>();
  const identity = await accessIdentity(config, jwt, claims, now);
  const groups = new Set(identity?.groups ?? []);
  const grants = bindings
    .filter((b) => b.kind === 'email' || groups.has(b.subject.toLowerCase()))
    .map((b) => ({ role: b.role, productionAccess: b.production_access === 1 }));
  if (bootstrapAdmins(env).includes(claims.email)) grants.push({ role: 'admin', productionAccess: true });
  if (grants.length === 0) {
    if (!identity && bindings.some((b) => b.kind === 'group'))
      throw new ApiError(503, 'unavailable', 'cannot read your groups from Cloudflare Access right now; retry shortly');
    throw new ApiError(
      403,
      'forbidden',
      `${claims.email} is signed in through Cloudflare Access but has no role in edgeflags; an admin can grant one (POST /api/v1/role-bindings, docs/identity.md)`,
    );
  }
  const role = grants.reduce<Role>((best, g) => (RANK[g.role] > RANK[best] ? g.role : best), 'viewer');
  const name = identity?.name || claims.email;
  return {
    id: `person:${claims.email}`,
    name,
    role,
    productionAccess: role === 'admin' || grants.some((g) => g.productionAccess),
    person: { email: claims.email, name },
    token: null,
    expiresAt: claims.expiresAt,
  };
}

/**
 * The person's name and groups from `<team>/cdn-cgi/access/get-identity` (called with the JWT as
 * the CF_Authorization cookie), cached briefly. Undefined when Access cannot answer: the email
 * still counts, groups do not.
 */
async function accessIdentity(config: AccessConfig, jwt: string, claims: AccessClaims, now: number): Promise<AccessIdentity | undefined> {
  const key = `${config.issuer}|${claims.sub || claims.email}`;
  const cached = identities.get(key);
  if (cached && now - cached.at < IDENTITY_TTL_MS) return cached.identity;
  const downUntil = identityDownUntil.get(config.issuer);
  if (downUntil !== undefined && now < downUntil) return undefined;
  const started = Date.now();
  const failed = () => identityDownUntil.set(config.issuer, now + (Date.now() - started) + IDENTITY_RETRY_MS);
  try {
    const res = await fetch(`${config.issuer}/cdn-cgi/access/get-identity`, {
      headers: { Cookie: `CF_Authorization=${jwt}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
    // A 4xx is about this person's token; a 5xx is Access itself.
    if (res.status >= 500) failed();
    if (!res.ok) return undefined;
    const identity = readIdentity(await res.json());
    if (identities.size >= IDENTITY_CACHE_MAX) identities.clear();
    identities.set(key, { at: now, identity });
    return identity;
  } catch {
    failed();
    return undefined;
  }
}

/**
 * Groups arrive as objects `{ id, name, email }` (most providers) or as plain strings. The name
 * goes into audit entries: no control characters, nor the brackets that delimit the email there.
 */
function readIdentity(body: unknown): AccessIdentity {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { name?: unknown; groups?: unknown };
  const groups = new Set<string>();
  for (const g of Array.isArray(b.groups) ? b.groups : []) {
    if (typeof g === 'string') groups.add(g.toLowerCase());
    else if (typeof g === 'object' && g !== null) {
      for (const v of [(g as { id?: unknown }).id, (g as { name?: unknown }).name]) if (typeof v === 'string') groups.add(v.toLowerCase());
    }
  }
  return {
    // Cut by code points, so a long name never ends in half a surrogate pair.
    name: typeof b.name === 'string' ? [...printable(b.name).trim()].slice(0, 200).join('').trim() : '',
    groups: [...groups],
  };
}

/** The name without control characters or the brackets that delimit parts of an audit label. */
function printable(name: string): string {
  return visible(name).replace(/[<>()]/g, '');
}

/** Forgets cached identities (tests start each scenario from a cold isolate). */
export function forgetAccessIdentities(): void {
  identities.clear();
  identityDownUntil.clear();
}
