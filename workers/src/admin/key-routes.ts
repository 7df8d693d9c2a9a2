import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { adminTokens, environments, sdkKeys } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { forgetSdkKeys } from '../auth/sdk-auth.ts';
import { hintOf, newId, newSecret, sha256Hex } from '../auth/secrets.ts';
import { db, statement } from '../db.ts';
import { notFound, validationHook } from '../errors.ts';
import { auditStatement } from './audit.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import { AdminTokenCreate, IdParam, SdkKeyCreate } from './schemas.ts';

/** SDK keys and admin tokens: the secret is returned once, at creation; only its hash is kept. */
export const keyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const publicKey = ({ hash: _h, ...row }: typeof sdkKeys.$inferSelect) => row;
const publicToken = ({ hash: _h, ...row }: typeof adminTokens.$inferSelect) => row;

keyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/sdk-keys',
    tags: ['keys'],
    security,
    middleware: [requireRole('admin')],
    responses: ok('SDK keys (never the secret)'),
  }),
  async (c) => c.json({ keys: (await db(c.env).select().from(sdkKeys)).map(publicKey) }, 200),
);

keyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/sdk-keys',
    tags: ['keys'],
    security,
    middleware: [requireRole('admin')],
    request: jsonBody(SdkKeyCreate),
    responses: ok('Created; `secret` is shown this once'),
  }),
  async (c) => {
    const body = c.req.valid('json');
    const d = db(c.env);
    if (!(await d.select().from(environments).where(eq(environments.key, body.environment)).get()))
      throw notFound(`environment "${body.environment}"`);
    const secret = newSecret(body.kind);
    const row = { id: newId(), ...body, hash: await sha256Hex(secret), hint: hintOf(secret), createdAt: Date.now() };
    await c.env.DB.batch([
      statement(c.env.DB, d.insert(sdkKeys).values(row)),
      auditStatement(c.env.DB, {
        actor: c.get('actor'),
        action: 'sdk_key.create',
        resourceType: 'sdk_key',
        resourceKey: row.id,
        environment: body.environment,
        after: publicKey({ ...row, revokedAt: null }),
      }),
    ]);
    return c.json({ ...publicKey({ ...row, revokedAt: null }), secret }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/sdk-keys/{id}',
    tags: ['keys'],
    security,
    middleware: [requireRole('admin')],
    request: { params: IdParam },
    responses: ok('Revoked'),
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const d = db(c.env);
    const before = await d.select().from(sdkKeys).where(eq(sdkKeys.id, id)).get();
    if (!before || before.revokedAt) throw notFound(`SDK key ${id}`);
    const revokedAt = Date.now();
    await c.env.DB.batch([
      statement(c.env.DB, d.update(sdkKeys).set({ revokedAt }).where(eq(sdkKeys.id, id))),
      auditStatement(c.env.DB, {
        actor: c.get('actor'),
        action: 'sdk_key.revoke',
        resourceType: 'sdk_key',
        resourceKey: id,
        environment: before.environment,
        before: publicKey(before),
      }),
    ]);
    forgetSdkKeys();
    return c.json({ ...publicKey(before), revokedAt }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/admin-tokens',
    tags: ['keys'],
    security,
    middleware: [requireRole('admin')],
    responses: ok('Admin tokens (never the secret)'),
  }),
  async (c) => c.json({ tokens: (await db(c.env).select().from(adminTokens)).map(publicToken) }, 200),
);

keyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/admin-tokens',
    tags: ['keys'],
    security,
    middleware: [requireRole('admin')],
    request: jsonBody(AdminTokenCreate),
    responses: ok('Created; `secret` is shown this once'),
  }),
  async (c) => {
    const body = c.req.valid('json');
    const secret = newSecret('admin');
    const row = { id: newId(), ...body, hash: await sha256Hex(secret), hint: hintOf(secret), createdAt: Date.now() };
    await c.env.DB.batch([
      statement(c.env.DB, db(c.env).insert(adminTokens).values(row)),
      auditStatement(c.env.DB, {
        actor: c.get('actor'),
        action: 'admin_token.create',
        resourceType: 'admin_token',
        resourceKey: row.id,
        after: publicToken({ ...row, revokedAt: null }),
      }),
    ]);
    return c.json({ ...publicToken({ ...row, revokedAt: null }), secret }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/admin-tokens/{id}',
    tags: ['keys'],
    security,
    middleware: [requireRole('admin')],
    request: { params: IdParam },
    responses: ok('Revoked'),
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const d = db(c.env);
    const before = await d.select().from(adminTokens).where(eq(adminTokens.id, id)).get();
    if (!before || before.revokedAt) throw notFound(`admin token ${id}`);
    const revokedAt = Date.now();
    await c.env.DB.batch([
      statement(c.env.DB, d.update(adminTokens).set({ revokedAt }).where(eq(adminTokens.id, id))),
      auditStatement(c.env.DB, {
        actor: c.get('actor'),
        action: 'admin_token.revoke',
        resourceType: 'admin_token',
        resourceKey: id,
        before: publicToken(before),
      }),
    ]);
    return c.json({ ...publicToken(before), revokedAt }, 200);
  },
);
