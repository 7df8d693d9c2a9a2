import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { isNull } from 'drizzle-orm';
import { flags } from '../../../drizzle/schema.ts';
import { auditStatement } from '../admin/audit.ts';
import { staleVersion } from '../admin/conflicts.ts';
import { jsonBody, ok, security } from '../admin/openapi-helpers.ts';
import { requireVersion } from '../admin/write-config.ts';
import type { AppEnv } from '../app-env.ts';
import { actorLabel } from '../auth/actor-label.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { db } from '../db.ts';
import { validationHook } from '../errors.ts';
import { policyReport } from './policy-report.ts';
import { PoliciesPut, PolicyReport, RULES, StoredPolicies } from './policy-schemas.ts';
import { DEFAULT_POLICIES, POLICY_SETTING, readPolicies } from './policy-settings.ts';
import { servedStates } from './served-states.ts';

/** Per-instance flag policies (docs/policies.md): read by anyone signed in, changed by admins. */
export const policyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/settings/policies',
      tags: ['policies'],
      security,
      middleware: [requireRole('viewer')],
      responses: ok('The policies in force (the defaults until an admin saves some), and the defaults', StoredPolicies),
    }),
    async (c) => {
      const stored = await readPolicies(c.env.DB);
      c.header('ETag', `"${stored.version}"`);
      return c.json({ ...stored, defaults: DEFAULT_POLICIES, rules: [...RULES] }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/settings/policies',
      tags: ['policies'],
      security,
      middleware: [access('admin')],
      request: jsonBody(PoliciesPut),
      responses: ok('Saved: every write from now on is checked against them', StoredPolicies),
    }),
    async (c) => {
      const { policies, version, reason } = c.req.valid('json');
      const expected = requireVersion(c, version, 'the policies version you edited (0 for the defaults)');
      const current = await readPolicies(c.env.DB);
      if (expected !== current.version) throw staleVersion('the policies', current.version, expected);
      const actor = c.get('actor');
      const now = Date.now();
      const value = JSON.stringify(policies);
      // Insert only if nothing is stored yet (version 0), update only at the version read: a lost race writes nothing.
      const write =
        expected === 0
          ? c.env.DB.prepare(
              'INSERT INTO instance_settings (name, value, version, updated_by, updated_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT (name) DO NOTHING',
            ).bind(POLICY_SETTING, value, actorLabel(actor), now)
          : c.env.DB.prepare(
              'UPDATE instance_settings SET value = ?, version = version + 1, updated_by = ?, updated_at = ? WHERE name = ? AND version = ?',
            ).bind(value, actorLabel(actor), now, POLICY_SETTING, expected);
      const results = await c.env.DB.batch([
        write,
        auditStatement(
          c.env.DB,
          {
            actor,
            action: 'settings.policies',
            resourceType: 'settings',
            resourceKey: POLICY_SETTING,
            before: current.policies,
            after: policies,
            reason,
          },
          true,
        ),
      ]);
      if (results[0]?.meta.changes !== 1) throw staleVersion('the policies');
      const saved = { policies, version: expected + 1, updatedAt: now, updatedBy: actorLabel(actor) };
      c.header('ETag', `"${saved.version}"`);
      return c.json({ ...saved, defaults: DEFAULT_POLICIES, rules: [...RULES] }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/policy-report',
      tags: ['policies'],
      security,
      middleware: [requireRole('viewer')],
      responses: ok('Live flags that break a policy today (made before it, or before it changed): reported, never blocked', PolicyReport),
    }),
    async (c) => {
      const d = db(c.env);
      const [{ policies }, rows, configs] = await Promise.all([
        readPolicies(c.env.DB),
        d.select().from(flags).where(isNull(flags.archivedAt)).orderBy(flags.key),
        servedStates(c),
      ]);
      const report = policyReport(policies, rows, configs);
      const counts: Record<string, number> = {};
      for (const f of report) for (const rule of new Set(f.violations.map((v) => v.rule))) counts[rule] = (counts[rule] ?? 0) + 1;
      return c.json({ flags: report, counts }, 200);
    },
  );
