import type { Env } from './env.ts';

export type Role = 'viewer' | 'editor' | 'admin';

export interface Actor {
  id: string;
  name: string;
  role: Role;
  productionAccess: boolean;
}

export interface SdkKey {
  id: string;
  kind: 'server' | 'client';
  environment: string;
  /** Epoch ms after which the key is refused (set at creation or by a rotation); null: never. */
  expiresAt: number | null;
}

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
