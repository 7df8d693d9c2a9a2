import type { Env } from './env.ts';

export type Role = 'viewer' | 'editor' | 'admin';

/** A person, as Cloudflare Access names them (docs/identity.md). */
export interface Person {
  email: string;
  /** Display name from Access's identity endpoint; the email when it gives none. */
  name: string;
}

export interface Actor {
  /** The token's id (`bootstrap` for ADMIN_TOKEN), `person:<email>` for Access, `release:<plan>` for the conductor. */
  id: string;
  name: string;
  role: Role;
  productionAccess: boolean;
  /** Who acts: the signed-in person, or the owner of the token used; null for an unowned token. */
  person?: Person | null;
  /** The admin token used, when one was (null: signed in through Access). */
  token?: { id: string; name: string } | null;
  /** When an Access sign-in stops being valid (the JWT's exp, epoch ms); a token's expiry is in D1. */
  expiresAt?: number;
}

export interface SdkKey {
  id: string;
  kind: 'server' | 'client';
  environment: string;
  /** Epoch ms after which the key is refused (set at creation or by a rotation); null: never. */
  expiresAt: number | null;
  /** Which rate-limit binding counts it (auth/rate-limit.ts); carried in the key cache, so no extra read. */
  rateTier: RateTier;
}

/** A key's rate-limit tier: fixed bindings in wrangler.toml (docs/scale.md "Rate limits"). */
export type RateTier = 'standard' | 'high';

/** Hono generics for every sub-app: bindings plus what the auth middleware sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    actor: Actor;
    sdkKey: SdkKey;
    /** The rate limiter's verdict on this SDK request (settled before any effect is allowed). */
    withinLimit: Promise<boolean>;
    /** Set when this admin write runs beside its own in-flight twin (admin/idempotency.ts). */
    idempotencyTwin: boolean;
  };
}
