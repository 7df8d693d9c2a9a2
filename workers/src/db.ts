import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../../drizzle/schema.ts';
import type { Env } from './env.ts';

export type Db = ReturnType<typeof db>;

export function db(env: Pick<Env, 'DB'>) {
  return drizzle(env.DB, { schema });
}

/** A drizzle query as a raw D1 statement, so it can share a `DB.batch` with guarded SQL. */
export function statement(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
