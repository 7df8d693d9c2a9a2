import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { CHAIN_COLUMNS } from '../audit/audit-sealer.ts';
import { type ChainAnchor, type ChainEntry, ChainVerifier } from '../audit/chain.ts';
import { readAnchor } from '../audit/read-anchor.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { validationHook } from '../errors.ts';
import { ok, security } from './openapi-helpers.ts';

// The audit log's hash chain (docs/audit.md), for admins: the raw entries to recompute it, the
// anchored head, and a server-side check. `edgeflags audit verify` uses the first two and
// recomputes everything itself, so it does not have to trust this Worker's own verdict.

const Hash = z.string().nullable().openapi({ description: 'Lowercase hex SHA-256; null while not sealed yet' });

const ChainEntrySchema = z
  .object({
    id: z.int(),
    at: z.number(),
    actor: z.string(),
    action: z.string(),
    resourceType: z.string(),
    resourceKey: z.string(),
    environment: z.string().nullable(),
    before: z.string().nullable().openapi({ description: 'The stored JSON text, exactly as hashed' }),
    after: z.string().nullable().openapi({ description: 'The stored JSON text, exactly as hashed' }),
    reason: z.string().nullable(),
    hash: Hash,
    prevHash: Hash,
  })
  .openapi('AuditChainEntry');

const Anchor = z
  .object({
    id: z.int(),
    hash: z.string(),
    count: z.int(),
    sealedAt: z.number(),
    floor: z
      .object({ id: z.int(), hash: z.string() })
      .nullable()
      .optional()
      .openapi({ description: 'The newest entry retention pruned: the oldest entry kept must follow it' }),
  })
  .openapi('AuditAnchor', { description: 'The chain head anchored outside D1: the newest sealed entry' });

const ChainPage = z
  .object({
    entries: z.array(ChainEntrySchema),
    next: z.int().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last one' }),
  })
  .openapi('AuditChainPage');

const AnchorAnswer = z
  .object({
    anchor: Anchor.nullable().openapi({ description: 'The newer of the sealer’s own copy and KV’s; null before the first seal' }),
    sealer: Anchor.nullable(),
    kv: Anchor.nullable(),
  })
  .openapi('AuditAnchors');

const Problem = z.object({
  id: z.int().openapi({ description: 'The first entry where it shows' }),
  kind: z.enum(['edited', 'deleted', 'truncated', 'unsealed-gap']),
  message: z.string(),
});

const Verification = z
  .object({
    ok: z.boolean(),
    entries: z.int(),
    sealed: z.int(),
    unsealed: z.int().openapi({ description: 'Newest entries not sealed yet (the seal window; docs/audit.md)' }),
    head: z.object({ id: z.int(), hash: z.string() }).nullable(),
    anchor: Anchor.nullable(),
    problems: z.array(Problem),
  })
  .openapi('AuditVerification');

const ChainQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({ description: 'Cursor: entries with a larger id' }),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

const page = (db: D1Database, after: number, limit: number) =>
  db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`).bind(after, limit).all<ChainEntry>();

export const auditChainRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/audit/chain',
      tags: ['audit'],
      security,
      middleware: [requireRole('admin')],
      request: { query: ChainQuery },
      responses: ok('Audit entries oldest first, as stored and hashed', ChainPage),
    }),
    async (c) => {
      const { after, limit } = c.req.valid('query');
      const entries = (await page(c.env.DB, after, limit)).results;
      const last = entries.at(-1);
      return c.json({ entries, next: entries.length === limit && last ? last.id : null }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/audit/anchor',
      tags: ['audit'],
      security,
      middleware: [requireRole('admin')],
      responses: ok('The chain head anchored outside D1 (read it before the entries)', AnchorAnswer),
    }),
    async (c) => c.json(await readAnchor(c.env), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/audit/verify',
      tags: ['audit'],
      security,
      middleware: [requireRole('admin')],
      responses: ok('The whole chain recomputed against the anchor; the first problem first', Verification),
    }),
    async (c) => {
      // The anchor first: read after the entries, a seal in between would look like a truncation.
      const { anchor } = await readAnchor(c.env);
      const verifier = new ChainVerifier(anchor);
      for (let after = 0; ; ) {
        const rows = (await page(c.env.DB, after, 1000)).results;
        await verifier.add(rows);
        const last = rows.at(-1);
        if (!last || rows.length < 1000) break;
        after = last.id;
      }
      const { ok: good, problems, head } = verifier.finish();
      const { entries, sealed, unsealed } = verifier;
      return c.json({ ok: good, entries, sealed, unsealed, head, anchor: anchor as ChainAnchor | null, problems }, 200);
    },
  );
