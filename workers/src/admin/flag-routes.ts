import type { FlagDefinition } from '@edgeflags/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { eq, isNull } from 'drizzle-orm';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { db, statement } from '../db.ts';
import { ApiError, notFound, validationHook } from '../errors.ts';
import { lifecycleFlag, readLifecycles } from '../lifecycle/lifecycle-read.ts';
import { createDefaults, policiesFor } from '../policies/policy-settings.ts';
import { publishEverywhere } from '../snapshot/publish.ts';
import { auditStatement } from './audit.ts';
import { isUniqueViolation } from './conflicts.ts';
import { flagWriteRoutes } from './flag-write-routes.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { FlagCreated, FlagDetail, FlagList } from './responses.ts';
import { FlagCreate, KeyParam } from './schemas.ts';
import { proposeSnapshot } from './write-config.ts';
import { checkWritePolicies } from './write-policies.ts';

/** The columns a create may leave out, as the table defaults them. */
const FLAG_DEFAULTS = {
  name: '',
  description: '',
  tags: [],
  owner: '',
  type: 'release',
  links: [],
  clientVisible: false,
  protectiveState: 'off',
  primaryMetric: null,
} as const satisfies Partial<typeof flags.$inferSelect>;

/** Flags: metadata shared by every environment. Targeting lives in config-routes.ts. */
export const flagRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/flags',
      tags: ['flags'],
      security,
      middleware: [requireRole('viewer')],
      responses: ok('Live flags with their state in every environment', FlagList),
    }),
    async (c) => {
      const d = db(c.env);
      const [rows, configs] = await d.batch([
        d.select().from(flags).where(isNull(flags.archivedAt)).orderBy(flags.key),
        d.select().from(flagConfigs),
      ]);
      const byFlag = Map.groupBy(configs, (r) => r.flagKey);
      const lifecycles = await readLifecycles(c.env, rows.map(lifecycleFlag));
      return c.json(
        {
          flags: rows.map((f) => ({
            ...f,
            environments: Object.fromEntries(
              (byFlag.get(f.key) ?? []).map((r) => [
                r.environment,
                {
                  enabled: r.enabled,
                  version: r.version,
                  offVariant: r.offVariant,
                  defaultServe: r.defaultServe,
                  rules: r.rules.length,
                  targets: r.targets.length,
                  prerequisites: r.prerequisites.length,
                  updatedAt: r.updatedAt,
                  lifecycle: lifecycles.get(r.environment)!.get(f.key)!,
                },
              ]),
            ),
          })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/flags/{key}',
      tags: ['flags'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: KeyParam },
      responses: ok('A flag and its configuration per environment', FlagDetail),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const d = db(c.env);
      const [flag, configs] = await d.batch([
        d.select().from(flags).where(eq(flags.key, key)),
        d.select().from(flagConfigs).where(eq(flagConfigs.flagKey, key)),
      ]);
      if (!flag[0]) throw notFound(`flag "${key}"`);
      // The flag's version, the validator PATCH, archive and restore take in If-Match.
      c.header('ETag', `"${flag[0].version}"`);
      const lifecycles = await readLifecycles(c.env, [lifecycleFlag(flag[0])]);
      const environments = configs.map((r) => [r.environment, { ...r, lifecycle: lifecycles.get(r.environment)!.get(key)! }]);
      return c.json({ ...flag[0], environments: Object.fromEntries(environments) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags',
      tags: ['flags'],
      security,
      middleware: [access('all-environments')],
      request: jsonBody(FlagCreate),
      responses: ok('Created: off in every environment', FlagCreated),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      const now = Date.now();
      const filled = createDefaults(await policiesFor(c), body, now);
      // Variants' refine has checked every value is JSON.
      const variants =
        (body.variants as FlagDefinition['variants'] | undefined) ??
        filled.variants ??
        (body.kind === 'boolean' ? { on: true, off: false } : undefined);
      if (!variants || Object.keys(variants).length === 0)
        throw new ApiError(422, 'rule_violation', 'body.variants: a non-boolean flag needs variants');
      const names = Object.keys(variants);
      const offVariant = body.offVariant ?? (Object.hasOwn(variants, 'off') ? 'off' : names[0]!);
      if (!Object.hasOwn(variants, offVariant))
        throw new ApiError(422, 'rule_violation', `body.offVariant: unknown variant "${offVariant}"`);
      const kindOk = names.every((n) => body.kind === 'json' || typeof variants[n] === body.kind);
      if (!kindOk) throw new ApiError(422, 'rule_violation', `body.variants: every value must be a ${body.kind}`);
      const d = db(c.env);
      if (await d.select({ key: flags.key }).from(flags).where(eq(flags.key, body.key)).get()) {
        throw new ApiError(409, 'already_exists', `flag "${body.key}" already exists (archived flags keep their key)`);
      }
      const envs = await d.select().from(environments);
      const { reason, key, kind, offVariant: _o, variants: _v, ...meta } = body;
      // Every column given, so the answer is the stored row without reading it back after the
      // commit (a D1 failure there would turn a committed create into a 503).
      const row: typeof flags.$inferSelect = {
        ...FLAG_DEFAULTS,
        ...meta,
        key,
        kind,
        variants,
        expiresAt: meta.expiresAt ?? filled.expiresAt ?? null,
        version: 1,
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await checkWritePolicies(c, {
        action: 'flag.create',
        resourceKey: key,
        protective: false,
        flag: { after: row, sent: Object.keys(body) },
      });
      // Added (off) to every environment: each snapshot must still validate and fit, before saving.
      const definition: FlagDefinition = {
        key,
        kind,
        variants,
        enabled: false,
        offVariant,
        defaultServe: { variant: offVariant },
        version: 1,
      };
      if (row.clientVisible) definition.clientVisible = true;
      for (const e of envs) await proposeSnapshot(c, e.key, definition);
      // A create racing another create of the same key loses on the primary key (the batch rolls back).
      // Configured (off) in every environment that exists when the batch commits, not only those
      // read above: an environment created meanwhile gets it too (environment-routes.ts does the
      // same the other way round), and every snapshot that now holds it is bumped.
      const created = c.env.DB.batch([
        statement(c.env.DB, d.insert(flags).values(row)),
        c.env.DB.prepare(
          'INSERT INTO flag_configs (flag_key, environment, enabled, off_variant, default_serve) SELECT ?, key, 0, ?, ? FROM environments',
        ).bind(key, offVariant, JSON.stringify({ variant: offVariant })),
        auditStatement(c.env.DB, { actor, action: 'flag.create', resourceType: 'flag', resourceKey: key, after: row, reason }),
        c.env.DB.prepare('UPDATE environments SET snapshot_version = snapshot_version + 1'),
      ]);
      await created.catch((err: unknown) => {
        throw isUniqueViolation(err) ? new ApiError(409, 'already_exists', `flag "${key}" already exists`) : err;
      });
      const delivery = await publishEverywhere(
        c,
        envs.map((e) => e.key),
        [key],
      );
      return c.json({ ...row, offVariant, environments: envs.map((e) => e.key), ...delivery }, 200);
    },
  )
  .route('/', flagWriteRoutes);
