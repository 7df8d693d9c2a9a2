import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { roleBindings } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { accessConfig } from '../auth/access-jwt.ts';
import { bootstrapAdmins } from '../auth/access-person.ts';
import { actorLabel } from '../auth/actor-label.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { newId } from '../auth/secrets.ts';
import { withdrawApprovals } from '../changes/change-store.ts';
import { ApiError, notFound, validationHook } from '../errors.ts';
import { auditStatement } from './audit.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { IdParam } from './schemas.ts';

// Who gets which role when signed in through Cloudflare Access (docs/identity.md): bindings by
// email or by identity-provider group, managed by admins. Tokens keep their own role.

export const RoleBinding = createSelectSchema(roleBindings).openapi('RoleBinding');
type RoleBindingRow = z.infer<typeof RoleBinding>;

const grant = {
  role: z.enum(['viewer', 'editor', 'admin']),
  productionAccess: z
    .boolean()
    .default(false)
    .openapi({ description: 'May change what production environments serve (admins always may)' }),
};
export const RoleBindingCreate = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('email'), subject: z.email().max(200), ...grant }),
    z.strictObject({
      kind: z.literal('group'),
      subject: z.string().trim().min(1).max(200).openapi({ description: "A group's name or id as Access's identity endpoint reports it" }),
      ...grant,
    }),
  ])
  .openapi('RoleBindingCreate');

const RoleBindingList = z
  .object({
    bindings: z.array(RoleBinding),
    access: z
      .boolean()
      .openapi({ description: 'Whether sign-in through Cloudflare Access is configured (ACCESS_TEAM_DOMAIN, ACCESS_AUD)' }),
    bootstrapAdmins: z.array(z.string()).openapi({ description: 'ACCESS_ADMIN_EMAILS: admins with production access without a binding' }),
  })
  .openapi('RoleBindingList');

const COLUMNS = 'id, kind, subject, role, production_access AS productionAccess, created_by AS createdBy, created_at AS createdAt';
const parse = (row: Omit<RoleBindingRow, 'productionAccess'> & { productionAccess: number }): RoleBindingRow => ({
  ...row,
  productionAccess: row.productionAccess === 1,
});

export const roleBindingRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/role-bindings',
      tags: ['people'],
      security,
      middleware: [requireRole('admin')],
      responses: ok('Role bindings for people signed in through Cloudflare Access', RoleBindingList),
    }),
    async (c) => {
      const { results } = await c.env.DB.prepare(`SELECT ${COLUMNS} FROM role_bindings ORDER BY kind, subject`).all<
        Parameters<typeof parse>[0]
      >();
      let on = false;
      try {
        on = accessConfig(c.env) !== undefined;
      } catch {
        on = false; // half configured: not on (the message says so on sign-in)
      }
      return c.json({ bindings: results.map(parse), access: on, bootstrapAdmins: bootstrapAdmins(c.env) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/role-bindings',
      tags: ['people'],
      security,
      middleware: [access('admin')],
      request: jsonBody(RoleBindingCreate),
      responses: ok('Created', RoleBinding),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const actor = c.get('actor');
      // Emails are matched lower-cased (Access's `email` claim is read that way); groups as given.
      const subject = body.kind === 'email' ? body.subject.toLowerCase() : body.subject;
      const row: RoleBindingRow = {
        id: newId(),
        kind: body.kind,
        subject,
        role: body.role,
        productionAccess: body.productionAccess,
        createdBy: actorLabel(actor),
        createdAt: Date.now(),
      };
      const [inserted] = await c.env.DB.batch([
        c.env.DB.prepare(
          'INSERT INTO role_bindings (id, kind, subject, role, production_access, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        ).bind(row.id, row.kind, row.subject, row.role, row.productionAccess ? 1 : 0, row.createdBy, row.createdAt),
        auditStatement(
          c.env.DB,
          { actor, action: 'role_binding.create', resourceType: 'role_binding', resourceKey: row.id, after: row },
          true,
        ),
      ]);
      if (inserted?.meta.changes !== 1)
        throw new ApiError(409, 'already_exists', `${body.kind} "${subject}" already has a binding; delete it first to change its role`);
      return c.json(row, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/role-bindings/{id}',
      tags: ['people'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam },
      responses: ok('Deleted: the person or group loses that role at their next request', RoleBinding),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const raw = await c.env.DB.prepare(`SELECT ${COLUMNS} FROM role_bindings WHERE id = ?`).bind(id).first<Parameters<typeof parse>[0]>();
      if (!raw) throw notFound(`role binding ${id}`);
      const before = parse(raw);
      const [deleted] = await c.env.DB.batch([
        c.env.DB.prepare('DELETE FROM role_bindings WHERE id = ?').bind(id),
        auditStatement(
          c.env.DB,
          { actor: c.get('actor'), action: 'role_binding.delete', resourceType: 'role_binding', resourceKey: id, before },
          true,
        ),
        // Their approvals of open change requests stop counting with the role that gave them.
        ...(before.kind === 'email' ? [withdrawApprovals(c.env.DB, `person:${before.subject}`, `role binding ${id} was deleted`)] : []),
      ]);
      if (deleted?.meta.changes !== 1) throw notFound(`role binding ${id}`);
      return c.json(before, 200);
    },
  );
