import type { Serve } from '@edgeflags/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { ApiError, validationHook } from '../errors.ts';
import { twinsDecidedByRoute } from './idempotency.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { toggleConfig } from './protective-move.ts';
import { ConfigWriteResult } from './responses.ts';
import { FlagEnvironmentConfig } from './row-schemas.ts';
import { ConfigPut, FlagEnvParams, Rollout, Toggle } from './schemas.ts';
import { expectedVersion, loadConfig, requireVersion, writeConfig } from './write-config.ts';

const path = '/flags/{key}/environments/{env}';

/**
 * The rolled-out variant is listed first, so its bucket range only grows as the percentage rises:
 * nobody already in is taken out (see @edgeflags/core serve.ts).
 */
function rolloutServe(
  offVariant: string,
  current: Serve,
  body: { percentage: number; variant?: string | undefined; bucketBy?: string | undefined },
): Serve {
  const variant = body.variant ?? current.split?.[0]?.variant ?? (offVariant === 'on' ? 'off' : 'on');
  if (variant === offVariant)
    throw new ApiError(422, 'rule_violation', `body.variant: roll out a variant other than the off variant "${offVariant}"`);
  const rest = Math.round((100 - body.percentage) * 1000) / 1000;
  const serve: Serve = {
    split: [
      { variant, weight: body.percentage },
      { variant: offVariant, weight: rest },
    ],
  };
  const bucketBy = body.bucketBy ?? current.bucketBy;
  if (bucketBy) serve.bucketBy = bucketBy;
  return serve;
}

/** A flag in one environment: on/off (the kill switch), targeting rules, rollout percentage. */
export const configRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path,
      tags: ['targeting'],
      security,
      middleware: [requireRole('viewer')],
      request: { params: FlagEnvParams },
      responses: ok('Configuration; ETag carries the version', FlagEnvironmentConfig),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const { config } = await loadConfig(c, key, env);
      c.header('ETag', `"${config.version}"`);
      return c.json(config, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path,
      tags: ['targeting'],
      security,
      middleware: [access('environment')],
      request: { params: FlagEnvParams, ...jsonBody(ConfigPut) },
      responses: ok('Saved and pushed', ConfigWriteResult),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const { version, reason, scheduledSwitch: _readOnly, ...config } = c.req.valid('json');
      const expected = requireVersion(c, version);
      const result = await writeConfig(c, { flagKey: key, environment: env, action: 'config.update', reason, expected }, () => ({
        ...config,
        bucketBy: config.bucketBy ?? null,
      }));
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${path}/toggle`,
      tags: ['targeting'],
      security,
      // A retry of a kill switch whose first attempt still holds its Idempotency-Key is run, not refused.
      middleware: [access('environment'), twinsDecidedByRoute()],
      request: { params: FlagEnvParams, ...jsonBody(Toggle) },
      responses: ok(
        'Switched; `delivered` is how many streams the hub pushed it to. Into the protective state no version is needed',
        ConfigWriteResult,
      ),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const { enabled, reason, version } = c.req.valid('json');
      // Into the protective state (the kill switch) no version is needed and none is read: a
      // precondition it cannot parse (If-Match: *, a snapshot ETag) must not refuse it either.
      const result = await toggleConfig(c, {
        flagKey: key,
        environment: env,
        action: enabled ? 'flag.enable' : 'flag.disable',
        reason,
        enabled,
        expected: () => expectedVersion(c, version),
      });
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: `${path}/rollout`,
      tags: ['targeting'],
      security,
      middleware: [access('environment')],
      request: { params: FlagEnvParams, ...jsonBody(Rollout) },
      responses: ok('Default rule now serves the percentage', ConfigWriteResult),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const body = c.req.valid('json');
      const result = await writeConfig(
        c,
        {
          flagKey: key,
          environment: env,
          action: 'flag.rollout',
          reason: body.reason ?? `rollout ${body.percentage}%`,
          expected: requireVersion(c, body.version),
        },
        (current) => ({ defaultServe: rolloutServe(current.offVariant, current.defaultServe as Serve, body) }),
      );
      return c.json(result, 200);
    },
  );
