import type { FlagDefinition } from '@edgeflags/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import type { Context } from 'hono';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { db, statement } from '../db.ts';
import { ApiError, notFound, validationHook } from '../errors.ts';
import { publishEnvironment } from '../snapshot/publish.ts';
import { auditStatement, bumpStatement } from './audit.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { FlagArchived, FlagCreated, FlagDetail, FlagList } from './responses.ts';
import { Flag } from './row-schemas.ts';
import { FlagCreate, FlagPatch, KeyParam } from './schemas.ts';
import { expectedVersion, proposeSnapshot } from './write-config.ts';

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
      return c.json({ ...flag[0], environments: Object.fromEntries(configs.map((r) => [r.environment, r])) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags',
      tags: ['flags'],
      security,
      middleware: [requireRole('editor')],
      request: jsonBody(FlagCreate),
      responses: ok('Created: off in every environment', FlagCreated),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      // Variants' refine has checked every value is JSON.
      const variants =
        (body.variants as FlagDefinition['variants'] | undefined) ?? (body.kind === 'boolean' ? { on: true, off: false } : undefined);
      if (!variants || Object.keys(variants).length === 0)
        throw new ApiError(400, 'invalid_request', 'body.variants: a non-boolean flag needs variants');
      const names = Object.keys(variants);
      const offVariant = body.offVariant ?? (Object.hasOwn(variants, 'off') ? 'off' : names[0]!);
      if (!Object.hasOwn(variants, offVariant))
        throw new ApiError(400, 'invalid_request', `body.offVariant: unknown variant "${offVariant}"`);
      const kindOk = names.every((n) => body.kind === 'json' || typeof variants[n] === body.kind);
      if (!kindOk) throw new ApiError(400, 'invalid_request', `body.variants: every value must be a ${body.kind}`);
      const d = db(c.env);
      if (await d.select({ key: flags.key }).from(flags).where(eq(flags.key, body.key)).get()) {
        throw new ApiError(409, 'already_exists', `flag "${body.key}" already exists (archived flags keep their key)`);
      }
      const envs = await d.select().from(environments);
      const { reason, key, kind, offVariant: _o, variants: _v, ...meta } = body;
      const row = { key, kind, variants, ...meta, expiresAt: meta.expiresAt ?? null };
      await c.env.DB.batch([
        statement(c.env.DB, d.insert(flags).values(row)),
        ...envs.map((e) =>
          statement(
            c.env.DB,
            d
              .insert(flagConfigs)
              .values({ flagKey: key, environment: e.key, enabled: false, offVariant, defaultServe: { variant: offVariant } }),
          ),
        ),
        auditStatement(c.env.DB, { actor, action: 'flag.create', resourceType: 'flag', resourceKey: key, after: row, reason }),
        ...envs.map((e) => bumpStatement(c.env.DB, e.key)),
      ]);
      await Promise.all(envs.map((e) => publishEnvironment(c.env, e.key, [key])));
      // The stored row, defaults included, so the answer carries the `version` the next edit sends.
      const created = await d.select().from(flags).where(eq(flags.key, key)).get();
      if (!created) throw notFound(`flag "${key}"`);
      return c.json({ ...created, offVariant, environments: envs.map((e) => e.key) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/flags/{key}',
      tags: ['flags'],
      security,
      middleware: [requireRole('editor')],
      request: { params: KeyParam, ...jsonBody(FlagPatch) },
      responses: ok('Updated metadata or variants', Flag),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const { reason, version, variants, ...rest } = c.req.valid('json');
      const changes = { ...rest, ...(variants !== undefined && { variants: variants as FlagDefinition['variants'] }) };
      const d = db(c.env);
      const flag = await d.select().from(flags).where(eq(flags.key, key)).get();
      if (!flag || flag.archivedAt !== null) throw notFound(`flag "${key}"`);
      const expected = expectedVersion(c, version);
      if (expected !== undefined && expected !== flag.version)
        throw new ApiError(409, 'version_conflict', `flag "${key}" is at version ${flag.version}, not ${expected}`);
      const updatedAt = Date.now();
      const after = { ...flag, ...changes, version: flag.version + 1, updatedAt };
      const visibilityChanged = changes.clientVisible !== undefined && changes.clientVisible !== flag.clientVisible;
      const variantsChanged = changes.variants !== undefined && JSON.stringify(changes.variants) !== JSON.stringify(flag.variants);
      // Both reach SDKs through the snapshot, so every environment is bumped and pushed.
      const envs = visibilityChanged || variantsChanged ? await d.select().from(environments) : [];
      if (changes.variants !== undefined && variantsChanged) await checkVariants(c, key, changes.variants, envs);
      // Guarded like config writes: the update only matches the version read above, and the audit
      // entry and snapshot bumps only follow a one-row update, so a lost race writes nothing.
      const results = await c.env.DB.batch([
        statement(
          c.env.DB,
          d
            .update(flags)
            .set({ ...changes, version: flag.version + 1, updatedAt })
            .where(and(eq(flags.key, key), eq(flags.version, flag.version))),
        ),
        auditStatement(
          c.env.DB,
          { actor: c.get('actor'), action: 'flag.update', resourceType: 'flag', resourceKey: key, before: flag, after, reason },
          true,
        ),
        ...envs.map((e) => bumpStatement(c.env.DB, e.key, true)),
      ]);
      if (results[0]?.meta.changes !== 1)
        throw new ApiError(409, 'version_conflict', `flag "${key}" changed while you were editing; reload and retry`);
      await Promise.all(envs.map((e) => publishEnvironment(c.env, e.key, [key])));
      return c.json(after, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/flags/{key}',
      tags: ['flags'],
      security,
      middleware: [requireRole('editor')],
      request: { params: KeyParam },
      responses: ok('Archived: removed from every snapshot, history kept', FlagArchived),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const d = db(c.env);
      const flag = await d.select().from(flags).where(eq(flags.key, key)).get();
      if (!flag || flag.archivedAt !== null) throw notFound(`flag "${key}"`);
      const configs = await d.select().from(flagConfigs);
      const dependent = configs.find((r) => r.flagKey !== key && (r.prerequisites as { flag: string }[]).some((p) => p.flag === key));
      if (dependent)
        throw new ApiError(
          409,
          'in_use',
          `flag "${dependent.flagKey}" has "${key}" as a prerequisite in "${dependent.environment}"; remove that first`,
        );
      const envs = await d.select().from(environments);
      await c.env.DB.batch([
        statement(c.env.DB, d.update(flags).set({ archivedAt: Date.now() }).where(eq(flags.key, key))),
        auditStatement(c.env.DB, {
          actor: c.get('actor'),
          action: 'flag.archive',
          resourceType: 'flag',
          resourceKey: key,
          before: flag,
          reason: c.req.query('reason'),
        }),
        ...envs.map((e) => bumpStatement(c.env.DB, e.key)),
      ]);
      await Promise.all(envs.map((e) => publishEnvironment(c.env, e.key, [key])));
      return c.json({ key, archived: true as const }, 200);
    },
  );

/**
 * New variants must still serve everything each environment points at (off variant, rules,
 * targets, splits, other flags' prerequisites) with values of the flag's kind.
 */
async function checkVariants(c: Context<AppEnv>, key: string, variants: FlagDefinition['variants'], envs: { key: string }[]) {
  for (const e of envs) {
    try {
      await proposeSnapshot(c, e.key, { key, edit: (def) => ({ ...def, variants }) });
    } catch (err) {
      if (err instanceof ApiError) throw new ApiError(err.status, err.code, `in "${e.key}": ${err.message}`, err.details);
      throw err;
    }
  }
}
