import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { auditStatement } from '../admin/audit.ts';
import { jsonBody, ok, security } from '../admin/openapi-helpers.ts';
import { FlagEnvParams } from '../admin/schemas.ts';
import { loadConfig, requireVersion } from '../admin/write-config.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { notFound, validationHook } from '../errors.ts';
import { applyChange, cancelChange, decideChange, editChange, proposeChange } from './change-actions.ts';
import {
  ChangeAction,
  ChangeApplied,
  ChangeCreate,
  ChangeDetail,
  ChangeEdit,
  ChangeList,
  ChangeListQuery,
  ChangeParams,
  ChangeRequestBody,
  EnvOnly,
  PromoteBody,
  PromoteResult,
  ReviewSettings,
  ReviewSettingsBody,
} from './change-schemas.ts';
import { approvalCount, approvalsOf, type ChangeRequest, findChange, listChanges } from './change-store.ts';
import { configDiff, promote, proposalOf } from './promotion.ts';

const base = '/environments/{env}/change-requests';
const tags = ['change requests'];

type Decide = (c: Context<AppEnv>, change: ChangeRequest, expected: number, reason?: string) => Promise<ChangeRequest>;
const DECISIONS: [name: string, run: Decide, summary: string][] = [
  ['approve', (c, ch, v, r) => decideChange(c, ch, v, 'approved', r), 'Approve the current revision (not its author)'],
  ['reject', (c, ch, v, r) => decideChange(c, ch, v, 'rejected', r), 'Reject it (not its author): it closes'],
  ['cancel', cancelChange, 'Withdraw it (its author or an admin)'],
];

/** Change requests of an environment, its review setting, and promotion between environments (docs/change-requests.md). */
export const changeRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'put',
      path: '/environments/{env}/review',
      tags,
      security,
      middleware: [access('admin')],
      request: { params: EnvOnly, ...jsonBody(ReviewSettings) },
      responses: ok('How many approvals a flag change in the environment needs from now on', ReviewSettingsBody),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      const { requiredApprovals, reason } = c.req.valid('json');
      const db = c.env.DB;
      const before = await db.prepare('SELECT required_approvals AS n FROM environments WHERE key = ?').bind(env).first<{ n: number }>();
      if (!before) throw notFound(`environment "${env}"`);
      await db.batch([
        db.prepare('UPDATE environments SET required_approvals = ? WHERE key = ?').bind(requiredApprovals, env),
        auditStatement(
          db,
          {
            actor: c.get('actor'),
            action: 'environment.review',
            resourceType: 'environment',
            resourceKey: env,
            environment: env,
            before: { requiredApprovals: before.n },
            after: { requiredApprovals },
            reason,
          },
          true,
        ),
      ]);
      return c.json({ environment: env, requiredApprovals }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: base,
      tags,
      security,
      middleware: [requireRole('viewer')],
      request: { params: EnvOnly, query: ChangeListQuery },
      responses: ok('Change requests of the environment, newest first (200 at most)', ChangeList),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      return c.json({ changeRequests: await listChanges(c.env.DB, env, c.req.valid('query').status) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: base,
      tags,
      security,
      middleware: [access('environment')],
      request: { params: EnvOnly, ...jsonBody(ChangeCreate) },
      responses: ok('Proposed: it needs the environment’s approvals, then apply (or it applies itself at applyAt)', ChangeRequestBody),
    }),
    async (c) => {
      const { env } = c.req.valid('param');
      return c.json(await proposeChange(c, env, c.req.valid('json')), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: `${base}/{id}`,
      tags,
      security,
      middleware: [requireRole('viewer')],
      request: { params: ChangeParams },
      responses: ok('The request, its approvals, and its diff from the configuration now', ChangeDetail),
    }),
    async (c) => {
      const { env, id } = c.req.valid('param');
      const change = await findChange(c.env.DB, env, id);
      const [{ config }, approvals] = await Promise.all([loadConfig(c, change.flagKey, env), approvalsOf(c.env.DB, change)]);
      const current = proposalOf(config);
      return c.json(
        {
          changeRequest: change,
          approvals,
          approvalsCounted: approvalCount(change, approvals),
          current: { ...current, version: config.version },
          diff: configDiff(current, change.proposal),
          stale: change.status === 'open' && config.version !== change.baseVersion,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: `${base}/{id}`,
      tags,
      security,
      middleware: [access('environment')],
      request: { params: ChangeParams, ...jsonBody(ChangeEdit) },
      responses: ok('Edited (its author): a new revision, earlier approvals no longer count', ChangeRequestBody),
    }),
    async (c) => {
      const { env, id } = c.req.valid('param');
      const { version, ...body } = c.req.valid('json');
      const expected = requireVersion(c, version, "the change request's version");
      return c.json(await editChange(c, await findChange(c.env.DB, env, id), expected, body), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: `${base}/{id}/apply`,
      tags,
      security,
      middleware: [access('environment')],
      request: { params: ChangeParams, ...jsonBody(ChangeAction) },
      responses: ok('Applied as a guarded write (409 if the flag moved since it was written)', ChangeApplied),
    }),
    async (c) => {
      const { env, id } = c.req.valid('param');
      const expected = requireVersion(c, c.req.valid('json').version, "the change request's version");
      return c.json(await applyChange(c, await findChange(c.env.DB, env, id), expected), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/flags/{key}/environments/{env}/promote',
      tags,
      security,
      middleware: [access('environment')],
      request: { params: FlagEnvParams, ...jsonBody(PromoteBody) },
      responses: ok('The diff from `from` to this environment; with `apply`, applied or proposed', PromoteResult),
    }),
    async (c) => {
      const { key, env } = c.req.valid('param');
      const body = c.req.valid('json');
      return c.json(await promote(c, { ...body, flagKey: key, to: env, apply: body.apply === true }), 200);
    },
  );

for (const [name, run, summary] of DECISIONS) {
  changeRoutes.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{id}/${name}`,
      tags,
      security,
      summary,
      middleware: [access('environment')],
      request: { params: ChangeParams, ...jsonBody(ChangeAction) },
      responses: ok(summary, ChangeRequestBody),
    }),
    async (c) => {
      const { env, id } = c.req.valid('param');
      const { version, reason } = c.req.valid('json');
      const expected = requireVersion(c, version, "the change request's version");
      return c.json(await run(c, await findChange(c.env.DB, env, id), expected, reason), 200);
    },
  );
}
