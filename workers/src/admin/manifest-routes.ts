import type { JsonValue, Serve } from '@edgeflags/core';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { validationHook } from '../errors.ts';
import { ok, security } from './openapi-helpers.ts';

// What `edgeflags lint` and `edgeflags cleanup` need to judge code (sdk/cli/README.md): every
// key ever created (archived ones too, so a read of an archived flag is named as such rather
// than "unknown"), its expiry, and per environment the one answer it gives everyone, if it does.

const Uniform = z
  .object({ variant: z.string(), value: z.unknown() })
  .nullable()
  .openapi({ description: 'The answer everyone gets in this environment; null while it depends on the context' });

const ManifestFlag = z.object({
  key: z.string(),
  kind: z.enum(['boolean', 'string', 'number', 'json']),
  type: z.string(),
  owner: z.string(),
  expiresAt: z.string().nullable(),
  archived: z.boolean(),
  variants: z.record(z.string(), z.unknown()),
  environments: z.record(z.string(), Uniform),
});

const Manifest = z
  .object({ generatedAt: z.number(), flags: z.array(ManifestFlag) })
  .openapi('FlagManifest', { description: 'Every flag key, archived included, for offline CI (edgeflags manifest export)' });

interface FlagRow {
  key: string;
  kind: 'boolean' | 'string' | 'number' | 'json';
  type: string;
  owner: string;
  expiresAt: string | null;
  archivedAt: number | null;
  variants: string;
}

interface ConfigRow {
  flagKey: string;
  environment: string;
  enabled: number;
  offVariant: string;
  rules: string;
  targets: string;
  prerequisites: string;
  defaultServe: string;
}

const empty = (json: string) => (JSON.parse(json) as unknown[]).length === 0;

/** The variant everyone is served, or null when rules, targets, prerequisites or a split decide. */
export function uniformVariant(c: ConfigRow): string | null {
  if (!c.enabled) return c.offVariant;
  if (!empty(c.rules) || !empty(c.targets) || !empty(c.prerequisites)) return null;
  const serve = JSON.parse(c.defaultServe) as Serve;
  if (serve.variant) return serve.variant;
  const weighted = (serve.split ?? []).filter((s) => s.weight > 0);
  return weighted.length === 1 ? weighted[0]!.variant : null;
}

export const manifestRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/manifest',
    tags: ['flags'],
    security,
    middleware: [requireRole('viewer')],
    responses: ok('Every flag key with its expiry, archived state and per-environment uniform answer', Manifest),
  }),
  async (c) => {
    const [flagRows, configRows] = await c.env.DB.batch<FlagRow | ConfigRow>([
      c.env.DB.prepare(
        'SELECT key, kind, type, owner, expires_at AS expiresAt, archived_at AS archivedAt, variants FROM flags ORDER BY key',
      ),
      c.env.DB.prepare(
        `SELECT flag_key AS flagKey, environment, enabled, off_variant AS offVariant, rules, targets, prerequisites,
           default_serve AS defaultServe FROM flag_configs`,
      ),
    ]);
    const configs = Map.groupBy((configRows?.results ?? []) as ConfigRow[], (r) => r.flagKey);
    const flags = ((flagRows?.results ?? []) as FlagRow[]).map((f) => {
      const variants = JSON.parse(f.variants) as Record<string, JsonValue>;
      const environments = Object.fromEntries(
        (configs.get(f.key) ?? []).map((cfg) => {
          const variant = uniformVariant(cfg);
          return [cfg.environment, variant === null ? null : { variant, value: variants[variant] ?? null }];
        }),
      );
      const { archivedAt, variants: _raw, ...rest } = f;
      return { ...rest, archived: archivedAt !== null, variants, environments };
    });
    return c.json({ generatedAt: Date.now(), flags }, 200);
  },
);
