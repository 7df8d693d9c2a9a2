import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../../drizzle/schema.ts';
import type { Env } from './env.ts';

export type Db = ReturnType<typeof db>;

export function db(env: Pick<Env, 'DB'>) {
  const d = drizzle(env.DB, { schema });
  const batch = d.batch.bind(d);
  const guarded: typeof d.batch = async (queries) => {
    for (const query of queries) refuseJoin(query);
    return batch(queries);
  };
  d.batch = guarded;
  return d;
}

/**
 * In a batch drizzle reads D1's rows as objects and maps them back to arrays by key order
 * (drizzle-orm/d1/session.js `d1ToRawMapping`), so joined tables sharing a column name
 * (`version`, `updated_at`, ...) collapse into one key: the first table's field gets the second
 * table's value and every later field shifts. Outside a batch drizzle reads arrays and is right.
 * Refusing every join here (not only today's colliding ones) keeps a column added later from
 * silently breaking a read: select the tables apart in the batch and join them in code.
 */
function refuseJoin(query: unknown): void {
  const joins = (query as { config?: { joins?: unknown[] } }).config?.joins;
  if (joins?.length) throw new Error('a joined select cannot run in db.batch: its fields come back shifted (see db.ts)');
}

/** A drizzle query as a raw D1 statement, so it can share a `DB.batch` with guarded SQL. */
export function statement(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
