import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { adminTokens, environments, sdkKeys } from '../../../drizzle/schema.ts';
import type { Actor, AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { forgetSdkKeys } from '../auth/sdk-auth.ts';
import { hintOf, newId, newSecret, type SecretKind, sha256Hex } from '../auth/secrets.ts';
import { withdrawApprovals } from '../changes/change-store.ts';
import { db, statement } from '../db.ts';
import { ApiError, notFound, validationHook } from '../errors.ts';
import { auditStatement } from './audit.ts';
import { allEnvironmentKeys, assertFutureExpiry, endKeyStreams, rotate } from './key-lifecycle.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';
import {
  AdminTokenCreated,
  AdminTokenList,
  AdminTokenRevoked,
  AdminTokenRotated,
  SdkKeyCreated,
  SdkKeyList,
  SdkKeyRevoked,
  SdkKeyRotated,
} from './responses.ts';
import { SdkKey } from './row-schemas.ts';
import { AdminTokenCreate, IdParam, KeyRotate, SdkKeyCreate, SdkKeyPatch } from './schemas.ts';

const publicKey = ({ hash: _h, ...row }: typeof sdkKeys.$inferSelect) => row;
const publicToken = ({ hash: _h, ...row }: typeof adminTokens.$inferSelect) => row;

interface MintedRow {
  id: string;
  hash: string;
  hint: string;
  createdAt: number;
}

/**
 * Creates a key or token: a fresh secret, only its hash stored, insert and audit entry in one
 * batch. The caller's `insert` adds the columns of its own table; the secret is returned once.
 */
async function mint<F extends { name: string; environment?: string; expiresAt?: number | undefined }>(
  c: Context<AppEnv>,
  kind: SecretKind,
  type: 'sdk_key' | 'admin_token',
  fields: F,
  insert: (row: MintedRow & F) => D1PreparedStatement,
) {
  assertFutureExpiry(fields.expiresAt);
  const secret = newSecret(kind);
  const row = { id: newId(), ...fields, hash: await sha256Hex(secret), hint: hintOf(secret), createdAt: Date.now() };
  const { hash: _hash, ...visible } = row;
  const after = { ...visible, revokedAt: null, expiresAt: fields.expiresAt ?? null, replacedBy: null };
  await c.env.DB.batch([
    insert(row),
    auditStatement(c.env.DB, {
      actor: c.get('actor'),
      action: `${type}.create`,
      resourceType: type,
      resourceKey: row.id,
      environment: fields.environment ?? null,
      after,
    }),
  ]);
  return { ...after, secret };
}

/**
 * Tokens belong to people: a person (signed in through Access, or using a token they own)
 * owns the tokens they create. Only an unowned caller (the bootstrap secret, a token from before
 * owners) may name the owner, or leave it unset.
 */
function tokenOwner(actor: Actor, asked: string | undefined): string | null {
  const asker = actor.person?.email;
  if (!asker) return asked?.toLowerCase() ?? null;
  if (asked && asked.toLowerCase() !== asker)
    throw new ApiError(422, 'rule_violation', `a token you create belongs to you (${asker}); leave owner out or send your own email`);
  return asker;
}

const TABLES = { sdk_key: 'sdk_keys', admin_token: 'admin_tokens' } as const;

/** Revokes a key or token; the update is guarded so two concurrent revocations audit once. */
async function revoke<T extends { id: string; environment?: string }>(c: Context<AppEnv>, type: keyof typeof TABLES, before: T) {
  const revokedAt = Date.now();
  const [update] = await c.env.DB.batch([
    c.env.DB.prepare(`UPDATE ${TABLES[type]} SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).bind(revokedAt, before.id),
    auditStatement(
      c.env.DB,
      {
        actor: c.get('actor'),
        action: `${type}.revoke`,
        resourceType: type,
        resourceKey: before.id,
        environment: before.environment ?? null,
        before,
      },
      true,
    ),
  ]);
  if (update?.meta.changes !== 1) throw notFound(`${type.replace('_', ' ')} ${before.id}`);
  return { ...before, revokedAt };
}

/** SDK keys and admin tokens: the secret is returned once, at creation; only its hash is kept. */
export const keyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/sdk-keys',
      tags: ['keys'],
      security,
      middleware: [requireRole('admin')],
      responses: ok('SDK keys (never the secret)', SdkKeyList),
    }),
    async (c) => c.json({ keys: (await db(c.env).select().from(sdkKeys)).map(publicKey) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/sdk-keys',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: jsonBody(SdkKeyCreate),
      responses: ok('Created; `secret` is shown this once', SdkKeyCreated),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const d = db(c.env);
      if (!(await d.select().from(environments).where(eq(environments.key, body.environment)).get()))
        throw notFound(`environment "${body.environment}"`);
      const created = await mint(c, body.kind, 'sdk_key', body, (row) => statement(c.env.DB, d.insert(sdkKeys).values(row)));
      return c.json(created, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/sdk-keys/{id}',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam, ...jsonBody(SdkKeyPatch) },
      responses: ok("The key with its new rate-limit tier, counted by it everywhere within the key cache's bound (15 s)", SdkKey),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { rateTier } = c.req.valid('json');
      const row = await db(c.env).select().from(sdkKeys).where(eq(sdkKeys.id, id)).get();
      if (!row || row.revokedAt) throw notFound(`SDK key ${id}`);
      const before = publicKey(row);
      if (before.rateTier === rateTier) return c.json(before, 200);
      const after = { ...before, rateTier };
      const [update] = await c.env.DB.batch([
        c.env.DB.prepare('UPDATE sdk_keys SET rate_tier = ? WHERE id = ? AND revoked_at IS NULL').bind(rateTier, id),
        auditStatement(
          c.env.DB,
          {
            actor: c.get('actor'),
            action: 'sdk_key.update',
            resourceType: 'sdk_key',
            resourceKey: id,
            environment: before.environment,
            before,
            after,
          },
          true,
        ),
      ]);
      if (update?.meta.changes !== 1) throw notFound(`SDK key ${id}`);
      // This isolate counts with the new tier at once; others within the cache's bound.
      forgetSdkKeys();
      return c.json(after, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/sdk-keys/{id}',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam },
      responses: ok('Revoked; its open streams are ended at once', SdkKeyRevoked),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const d = db(c.env);
      const before = await d.select().from(sdkKeys).where(eq(sdkKeys.id, id)).get();
      if (!before || before.revokedAt) throw notFound(`SDK key ${id}`);
      const revoked = await revoke(c, 'sdk_key', publicKey(before));
      forgetSdkKeys();
      const streamsClosed = await endKeyStreams(c.env, id, [before.environment], revoked.revokedAt);
      return c.json({ ...revoked, streamsClosed }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/sdk-keys/{id}/rotate',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam, ...jsonBody(KeyRotate) },
      responses: ok('A new key replacing this one (`secret` shown this once); the old one expires after the overlap', SdkKeyRotated),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = await db(c.env).select().from(sdkKeys).where(eq(sdkKeys.id, id)).get();
      const { created, replaced, endsAt } = await rotate(c, 'sdk_key', id, before && publicKey(before), c.req.valid('json'));
      forgetSdkKeys();
      await endKeyStreams(c.env, id, [replaced.environment], endsAt);
      return c.json({ ...created, replaced }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/admin-tokens',
      tags: ['keys'],
      security,
      middleware: [requireRole('admin')],
      responses: ok('Admin tokens (never the secret)', AdminTokenList),
    }),
    async (c) => c.json({ tokens: (await db(c.env).select().from(adminTokens)).map(publicToken) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/admin-tokens',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: jsonBody(AdminTokenCreate),
      responses: ok('Created; `secret` is shown this once', AdminTokenCreated),
    }),
    async (c) => {
      const body = { ...c.req.valid('json'), owner: tokenOwner(c.get('actor'), c.req.valid('json').owner) };
      const created = await mint(c, 'admin', 'admin_token', body, (row) => statement(c.env.DB, db(c.env).insert(adminTokens).values(row)));
      return c.json(created, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/admin-tokens/{id}',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam },
      responses: ok('Revoked; its open change streams are ended at once', AdminTokenRevoked),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const d = db(c.env);
      const before = await d.select().from(adminTokens).where(eq(adminTokens.id, id)).get();
      if (!before || before.revokedAt) throw notFound(`admin token ${id}`);
      const revoked = await revoke(c, 'admin_token', publicToken(before));
      // An unowned token is its own approver: its approvals of open change requests stop counting.
      if (!before.owner) await withdrawApprovals(c.env.DB, id, `admin token ${id} was revoked`).run();
      const streamsClosed = await endKeyStreams(c.env, id, await allEnvironmentKeys(c.env), revoked.revokedAt);
      return c.json({ ...revoked, streamsClosed }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/admin-tokens/{id}/rotate',
      tags: ['keys'],
      security,
      middleware: [access('admin')],
      request: { params: IdParam, ...jsonBody(KeyRotate) },
      responses: ok('A new token replacing this one (`secret` shown this once); the old one expires after the overlap', AdminTokenRotated),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = await db(c.env).select().from(adminTokens).where(eq(adminTokens.id, id)).get();
      const { created, replaced, endsAt } = await rotate(c, 'admin_token', id, before && publicToken(before), c.req.valid('json'));
      await endKeyStreams(c.env, id, await allEnvironmentKeys(c.env), endsAt);
      return c.json({ ...created, replaced }, 200);
    },
  );
