import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { access } from '../auth/route-policy.ts';
import { ApiError, notFound, validationHook } from '../errors.ts';
import { revertFlagMetadata } from './flag-revert.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { ConfigWriteResult, FlagWritten } from './responses.ts';
import { FlagEnvParams, KeyParam } from './schemas.ts';
import { type ConfigChange, requireVersion, writeConfig } from './write-config.ts';

// Revert (issue 11 §1): a flag's configuration in one environment goes back to a version from
// its history — the `after` of one of its audit entries — as an ordinary write: version-guarded
// (If-Match), policy-checked, validated against today's environment (a segment or variant that
// is gone since refuses it, 422), audited as config.revert, and published like any other edit.

const ConfigRevert = z
  .strictObject({
    toAuditId: z.int().positive().optional().openapi({ description: 'Return to the configuration this audit entry left (its `after`)' }),
    toVersion: z.int().positive().optional().openapi({ description: 'Return to this configuration version, as the audit log recorded it' }),
    version: z.int().optional().openapi({ description: 'The current version you reverted from (or If-Match)' }),
    reason: z.string().max(500).optional().openapi({ description: 'Why, for the audit log' }),
  })
  .refine((b) => (b.toAuditId === undefined) !== (b.toVersion === undefined), 'send one of toAuditId and toVersion')
  .openapi('ConfigRevert');

interface StoredConfig {
  id: number;
  before: string | null;
  after: string | null;
}
/** A flag definition as audited (toDefinition + version): the configuration fields revert restores. */
interface AuditedDefinition {
  version?: number;
  enabled?: boolean;
  offVariant?: string;
  prerequisites?: unknown[];
  targets?: unknown[];
  rules?: unknown[];
  defaultServe?: unknown;
  bucketBy?: string;
}

const ENTRY = `SELECT id, before, after FROM audit_log WHERE resource_type = 'flag_config' AND resource_key = ? AND environment = ?`;

/** The configuration to return to, from an audit entry of this flag in this environment, or 404. */
async function historicConfig(
  c: Context<AppEnv>,
  key: string,
  env: string,
  to: { toAuditId?: number | undefined; toVersion?: number | undefined },
) {
  const what = `flag "${key}" in "${env}"`;
  if (to.toAuditId !== undefined) {
    const row = await c.env.DB.prepare(`${ENTRY} AND id = ?`).bind(key, env, to.toAuditId).first<StoredConfig>();
    if (!row?.after) throw notFound(`audit entry ${to.toAuditId} of ${what} (a configuration change of this flag in this environment)`);
    return { entry: row.id, definition: JSON.parse(row.after) as AuditedDefinition };
  }
  // Each version appears as the `after` of the change that made it and the `before` of the next.
  const row = await c.env.DB.prepare(
    `${ENTRY} AND (json_extract(after, '$.version') = ?3 OR json_extract(before, '$.version') = ?3) ORDER BY id DESC LIMIT 1`,
  )
    .bind(key, env, to.toVersion)
    .first<StoredConfig>();
  const side = [row?.after, row?.before]
    .map((t) => (t ? (JSON.parse(t) as AuditedDefinition) : undefined))
    .find((d) => d?.version === to.toVersion);
  if (!row || !side) throw notFound(`version ${to.toVersion} of ${what} in the audit log`);
  return { entry: row.id, definition: side };
}

/** The configuration fields of an audited definition (absent lists and bucketBy were empty). */
function configOf(d: AuditedDefinition): ConfigChange {
  if (d.enabled === undefined || d.offVariant === undefined || d.defaultServe === undefined)
    throw new ApiError(422, 'rule_violation', 'that audit entry does not hold a whole configuration to return to');
  return {
    enabled: d.enabled,
    offVariant: d.offVariant,
    prerequisites: (d.prerequisites ?? []) as ConfigChange['prerequisites'],
    targets: (d.targets ?? []) as ConfigChange['targets'],
    rules: (d.rules ?? []) as ConfigChange['rules'],
    defaultServe: d.defaultServe as ConfigChange['defaultServe'],
    bucketBy: d.bucketBy ?? null,
  };
}

const FlagRevert = z
  .strictObject({
    toAuditId: z.int().positive().openapi({ description: 'Return the flag’s metadata to what this audit entry left (its `after`)' }),
    version: z.int().optional().openapi({ description: 'The current flag version you reverted from (or If-Match)' }),
    reason: z.string().max(500).optional().openapi({ description: 'Why, for the audit log' }),
  })
  .openapi('FlagRevert');

export const revertRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags/{key}/revert',
      tags: ['flags'],
      security,
      // Metadata only, but the request names no fields: judged like any flag write that may touch every environment.
      middleware: [access('all-environments')],
      request: { params: KeyParam, ...jsonBody(FlagRevert) },
      responses: ok('Metadata reverted (name, description, owner, tags, links, type, expiry), as a new flag version', FlagWritten),
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const body = c.req.valid('json');
      const expected = requireVersion(c, body.version, 'the flag version you reverted from');
      return c.json(await revertFlagMetadata(c, key, body.toAuditId, expected, body.reason), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags/{key}/environments/{env}/revert',
      tags: ['targeting'],
      security,
      middleware: [access('environment')],
      request: { params: FlagEnvParams, ...jsonBody(ConfigRevert) },
      responses: ok('Reverted (a new version with the old configuration), audited and pushed', ConfigWriteResult),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const body = c.req.valid('json');
      const expected = requireVersion(c, body.version, 'the version you reverted from');
      const { entry, definition } = await historicConfig(c, key, env, body);
      const change = configOf(definition);
      const to = definition.version !== undefined ? `version ${definition.version} (audit entry ${entry})` : `audit entry ${entry}`;
      const result = await writeConfig(
        c,
        { flagKey: key, environment: env, action: 'config.revert', reason: body.reason ?? `revert to ${to}`, expected },
        () => change,
      );
      return c.json(result, 200);
    },
  );
