import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { callerNetwork } from '../auth/caller.ts';
import { sha256Hex } from '../auth/secrets.ts';
import type { SourceKind } from './events-schema.ts';

export interface EventSource {
  source: string;
  kind: SourceKind;
}

/**
 * Who is writing, for the per-source caps. A server key is a secret held by one service, so the
 * key is the source. The client key is public and shared by every browser of the app, so there
 * the source is the caller's address (`CF-Connecting-IP`, set by Cloudflare and not forgeable
 * through it; an IPv6 caller is its /64: auth/caller.ts), hashed with the environment so the
 * sample stores no IP address.
 */
export async function eventSource(c: Context<AppEnv>): Promise<EventSource> {
  const key = c.get('sdkKey');
  if (key.kind === 'server') return { source: `key:${key.id}`, kind: 'server' };
  const ip = callerNetwork(c.req.raw.headers) ?? 'unknown';
  return { source: `ip:${(await sha256Hex(`${key.environment}\n${ip}`)).slice(0, 16)}`, kind: 'client' };
}
