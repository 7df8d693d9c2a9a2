import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { flagConfigs } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { db } from '../db.ts';
import { LIVE_STATUSES_SQL } from '../graph/dependency-graph.ts';

export type ServedConfig = typeof flagConfigs.$inferSelect & {
  production: boolean;
  /** A live release plan drives it: the sanctioned way to a production split. */
  releasing: boolean;
};

/** What each flag (or one) serves per environment today, with what the policies judge it by. */
export async function servedStates(c: Context<AppEnv>, flagKey?: string): Promise<ServedConfig[]> {
  const d = db(c.env);
  const [configs, envs, releasing] = await Promise.all([
    flagKey ? d.select().from(flagConfigs).where(eq(flagConfigs.flagKey, flagKey)) : d.select().from(flagConfigs),
    c.env.DB.prepare('SELECT key, production FROM environments').all<{ key: string; production: number }>(),
    c.env.DB.prepare(`SELECT flag_key AS flag, environment FROM release_plans WHERE status IN ${LIVE_STATUSES_SQL}`).all<{
      flag: string;
      environment: string;
    }>(),
  ]);
  const production = new Set(envs.results.filter((e) => e.production).map((e) => e.key));
  const live = new Set(releasing.results.map((r) => `${r.flag}\n${r.environment}`));
  return configs.map((r) => ({ ...r, production: production.has(r.environment), releasing: live.has(`${r.flagKey}\n${r.environment}`) }));
}
