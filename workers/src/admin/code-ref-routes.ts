import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { requireRole } from '../auth/admin-auth.ts';
import { access } from '../auth/route-policy.ts';
import { validationHook } from '../errors.ts';
import { jsonBody, ok, security } from './openapi-helpers.ts';

// Where code reads each flag (`edgeflags refs push`, docs in sdk/cli/README.md): one upload per
// repository replaces that repository's rows at once, so a removed reference disappears on the
// next push from main. The flag page lists them; the lifecycle reads the table for "ready to
// remove from code". Not audited: CI pushes on every commit to main and nothing is served from it.

/** What one upload may carry: a large monorepo has a few thousand references (README "Limits"). */
export const CODE_REF_LIMITS = { refs: 20_000, path: 500, repository: 200 } as const;

const Repository = z
  .string()
  .min(1)
  .max(CODE_REF_LIMITS.repository)
  .regex(/^[\w@][\w.@-]*(\/[\w@][\w.@-]*)*$/, 'segments of letters, digits, . _ - @ joined by / (e.g. acme/web)')
  .openapi({ description: 'e.g. `acme/web`: the refs of this repository are replaced', example: 'acme/web' });

const Ref = z.strictObject({
  flagKey: z.string().min(1).max(200),
  path: z.string().min(1).max(CODE_REF_LIMITS.path).openapi({ description: 'Relative to the repository root' }),
  line: z.int().min(1),
});

const Push = z
  .strictObject({
    repository: Repository,
    commit: z.string().min(1).max(100),
    branch: z.string().max(200).nullable().optional(),
    refs: z.array(Ref).max(CODE_REF_LIMITS.refs),
  })
  .openapi('CodeRefsPush');

const Pushed = z
  .object({ repository: z.string(), commit: z.string(), refs: z.int(), flags: z.int(), pushedAt: z.number() })
  .openapi('CodeRefsPushed');

const StoredRef = z
  .object({
    repository: z.string(),
    flagKey: z.string(),
    path: z.string(),
    line: z.int(),
    commit: z.string(),
    branch: z.string().nullable(),
    pushedAt: z.number(),
  })
  .openapi('CodeRef');

const ListQuery = z.object({
  flag: z.string().min(1).max(200).optional().openapi({ description: 'Only this flag’s references' }),
  repository: Repository.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

const COLUMNS = 'repository, flag_key AS flagKey, path, line, "commit", branch, pushed_at AS pushedAt';

export const codeRefRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'put',
      path: '/code-refs',
      tags: ['code references'],
      security,
      middleware: [access('metadata')],
      request: jsonBody(Push),
      responses: ok('The repository’s references, replaced at once', Pushed),
    }),
    async (c) => {
      const { repository, commit, branch, refs } = c.req.valid('json');
      const pushedAt = Date.now();
      // One statement reads the whole list from one JSON parameter (D1 binds at most 100 values
      // per statement); the batch is a transaction, so readers see the old or the new set.
      const rows = JSON.stringify(refs.map((r) => [r.flagKey, r.path, r.line]));
      await c.env.DB.batch([
        c.env.DB.prepare('DELETE FROM code_refs WHERE repository = ?').bind(repository),
        c.env.DB.prepare(
          `INSERT OR IGNORE INTO code_refs (repository, flag_key, path, line, "commit", branch, pushed_at)
           SELECT ?1, value ->> 0, value ->> 1, value ->> 2, ?2, ?3, ?4 FROM json_each(?5)`,
        ).bind(repository, commit, branch ?? null, pushedAt, rows),
      ]);
      const flags = new Set(refs.map((r) => r.flagKey)).size;
      return c.json({ repository, commit, refs: refs.length, flags, pushedAt }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/code-refs',
      tags: ['code references'],
      security,
      middleware: [requireRole('viewer')],
      request: { query: ListQuery },
      responses: ok('References by repository, path and line', z.object({ refs: z.array(StoredRef) }).openapi('CodeRefList')),
    }),
    async (c) => {
      const { flag, repository, limit } = c.req.valid('query');
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (flag) {
        where.push('flag_key = ?');
        args.push(flag);
      }
      if (repository) {
        where.push('repository = ?');
        args.push(repository);
      }
      const sql = `SELECT ${COLUMNS} FROM code_refs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY repository, path, line, flag_key LIMIT ?`;
      const rows = await c.env.DB.prepare(sql)
        .bind(...args, limit)
        .all<z.infer<typeof StoredRef>>();
      return c.json({ refs: rows.results }, 200);
    },
  );
