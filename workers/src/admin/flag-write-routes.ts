import type { FlagDefinition } from '@edgeflags/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { environments, flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { access } from '../auth/route-policy.ts';
import { db, statement } from '../db.ts';
import { ApiError, notFound, validationHook } from '../errors.ts';
import { flagDependents, LIVE_RELEASES, PREREQUISITE_USERS, refuseIfUsed } from '../graph/dependency-graph.ts';
import { refuseFlagUnderLivePlan } from '../releases/live-plan-guard.ts';
import { toDefinition } from '../snapshot/build-snapshot.ts';
import { publishEverywhere } from '../snapshot/publish.ts';
import { auditStatement, bumpStatement } from './audit.ts';
import { staleVersion } from './conflicts.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { FlagArchived, FlagWritten } from './responses.ts';
import { DeleteQuery, FlagPatch, FlagRestore, KeyParam } from './schemas.ts';
import { proposeSnapshot, requireVersion } from './write-config.ts';
import { checkWritePolicies } from './write-policies.ts';

/** The archive's guard inside its batch, so a prerequisite or release added after the check still stops it. */
const STILL_UNUSED = `NOT EXISTS (${PREREQUISITE_USERS}) AND NOT EXISTS (${LIVE_RELEASES})`;

async function loadFlag(c: Context<AppEnv>, key: string) {
  const flag = await db(c.env).select().from(flags).where(eq(flags.key, key)).get();
  if (!flag) throw notFound(`flag "${key}"`);
  return flag;
}

/** Changes to a flag itself, which every environment serves: metadata and variants, archive, restore. */
export const flagWriteRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'patch',
      path: '/flags/{key}',
      tags: ['flags'],
      security,
      middleware: [access('flag-fields')],
      request: { params: KeyParam, ...jsonBody(FlagPatch) },
      responses: ok('Updated metadata, variants, client visibility or protective state', FlagWritten),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const { reason, version, variants, ...rest } = c.req.valid('json');
      const expected = requireVersion(c, version, 'the flag version you edited');
      const changes = { ...rest, ...(variants !== undefined && { variants: variants as FlagDefinition['variants'] }) };
      const d = db(c.env);
      const flag = await loadFlag(c, key);
      if (flag.archivedAt !== null) throw notFound(`flag "${key}"`);
      const updatedAt = Date.now();
      const after = { ...flag, ...changes, version: flag.version + 1, updatedAt };
      if (expected !== flag.version) throw staleVersion(`flag "${key}"`, flag.version, expected);
      const sent = Object.keys(c.req.valid('json'));
      await checkWritePolicies(c, { action: 'flag.update', resourceKey: key, protective: false, flag: { before: flag, after, sent } });
      const visibilityChanged = changes.clientVisible !== undefined && changes.clientVisible !== flag.clientVisible;
      const variantsChanged = changes.variants !== undefined && JSON.stringify(changes.variants) !== JSON.stringify(flag.variants);
      const protectiveChanged = changes.protectiveState !== undefined && changes.protectiveState !== flag.protectiveState;
      if (variantsChanged || protectiveChanged)
        await refuseFlagUnderLivePlan(c.env.DB, key, variantsChanged ? 'change its variants' : 'change its protective state');
      // Both reach SDKs through the snapshot, so every environment is bumped and pushed.
      const envs = visibilityChanged || variantsChanged ? await d.select().from(environments) : [];
      if (changes.variants !== undefined && variantsChanged) await checkEveryEnvironment(envs, (e) => proposeVariants(c, e, key, changes));
      // The update only matches the version read above, and the audit entry and snapshot bumps
      // only follow a one-row update, so a lost race writes nothing.
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
      if (results[0]?.meta.changes !== 1) throw staleVersion(`flag "${key}"`);
      return c.json(
        {
          ...after,
          ...(await publishEverywhere(
            c,
            envs.map((e) => e.key),
            [key],
          )),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/flags/{key}',
      tags: ['flags'],
      security,
      middleware: [access('all-environments')],
      request: { params: KeyParam, query: DeleteQuery },
      responses: ok('Archived: removed from every snapshot, history kept; POST /flags/{key}/restore brings it back', FlagArchived),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const { version, reason } = c.req.valid('query');
      const expected = requireVersion(c, version, 'the flag version you archive');
      const flag = await loadFlag(c, key);
      if (flag.archivedAt !== null) throw notFound(`flag "${key}"`);
      await checkWritePolicies(c, { action: 'flag.archive', resourceKey: key, protective: false });
      if (expected !== flag.version) throw staleVersion(`flag "${key}"`, flag.version, expected);
      refuseIfUsed(key, await flagDependents(c.env.DB, key), 'remove the prerequisite, or end the release (abort or roll back), first');
      const envs = await db(c.env).select().from(environments);
      const now = Date.now();
      const results = await c.env.DB.batch([
        c.env.DB.prepare(
          `UPDATE flags SET archived_at = ?, version = version + 1, updated_at = ?
           WHERE key = ? AND version = ? AND archived_at IS NULL AND ${STILL_UNUSED}`,
        ).bind(now, now, key, flag.version, key, key, key),
        auditStatement(
          c.env.DB,
          { actor: c.get('actor'), action: 'flag.archive', resourceType: 'flag', resourceKey: key, before: flag, reason },
          true,
        ),
        ...envs.map((e) => bumpStatement(c.env.DB, e.key, true)),
      ]);
      if (results[0]?.meta.changes !== 1) throw staleVersion(`flag "${key}"`);
      return c.json(
        {
          key,
          archived: true as const,
          ...(await publishEverywhere(
            c,
            envs.map((e) => e.key),
            [key],
          )),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags/{key}/restore',
      tags: ['flags'],
      security,
      middleware: [access('all-environments')],
      request: { params: KeyParam, ...jsonBody(FlagRestore) },
      responses: ok('Restored: back in every snapshot with the configuration it had when archived', FlagWritten),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const { version, reason } = c.req.valid('json');
      const expected = requireVersion(c, version, 'the archived flag’s version');
      const d = db(c.env);
      const flag = await loadFlag(c, key);
      if (flag.archivedAt === null)
        throw new ApiError(409, 'already_exists', `flag "${key}" is live; only an archived flag can be restored`);
      await checkWritePolicies(c, { action: 'flag.restore', resourceKey: key, protective: false });
      if (expected !== flag.version) throw staleVersion(`flag "${key}"`, flag.version, expected);
      const updatedAt = Date.now();
      const after = { ...flag, archivedAt: null, version: flag.version + 1, updatedAt };
      const configs = await d.select().from(flagConfigs).where(eq(flagConfigs.flagKey, key));
      // Its prerequisites or segments may have gone while it was archived: every environment must still resolve it.
      await checkEveryEnvironment(
        configs.map((r) => ({ key: r.environment, config: r })),
        (e) => proposeSnapshot(c, e.key, toDefinition(after, e.config)),
      );
      const results = await c.env.DB.batch([
        c.env.DB.prepare(
          'UPDATE flags SET archived_at = NULL, version = version + 1, updated_at = ? WHERE key = ? AND version = ? AND archived_at IS NOT NULL',
        ).bind(updatedAt, key, flag.version),
        auditStatement(
          c.env.DB,
          { actor: c.get('actor'), action: 'flag.restore', resourceType: 'flag', resourceKey: key, before: flag, after, reason },
          true,
        ),
        ...configs.map((r) => bumpStatement(c.env.DB, r.environment, true)),
      ]);
      if (results[0]?.meta.changes !== 1) throw staleVersion(`flag "${key}"`);
      return c.json(
        {
          ...after,
          ...(await publishEverywhere(
            c,
            configs.map((r) => r.environment),
            [key],
          )),
        },
        200,
      );
    },
  );

/** New variants must still serve everything the environment points at (off variant, rules, splits, prerequisites). */
function proposeVariants(c: Context<AppEnv>, e: { key: string }, key: string, changes: { variants?: FlagDefinition['variants'] }) {
  return proposeSnapshot(c, e.key, { key, edit: (def) => ({ ...def, variants: changes.variants ?? def.variants }) });
}

/** Runs a validation per environment; a refusal names the environment it came from. */
async function checkEveryEnvironment<E extends { key: string }>(envs: E[], check: (e: E) => Promise<unknown>) {
  for (const e of envs) {
    try {
      await check(e);
    } catch (err) {
      if (err instanceof ApiError) throw ApiError.of(err.code, `in "${e.key}": ${err.message}`, err.details);
      throw err;
    }
  }
}
