import { db } from '../db.ts';
import type { Env } from '../env.ts';
import { buildSnapshot, etagOf, kvKey } from './build-snapshot.ts';
import { remember } from './edge-cache.ts';

/**
 * After a committed write: rebuild the environment's snapshot, store the durable global copy in
 * KV, and hand it to the environment's hub, which pushes it to every stream at once. KV alone
 * would take up to a minute to reach other locations; the hub is what carries a kill switch.
 */
export async function publishEnvironment(env: Env, environment: string, changed: string[]): Promise<{ version: number; sent: number }> {
  const snapshot = await buildSnapshot(db(env), environment);
  const json = JSON.stringify(snapshot);
  const etag = etagOf(snapshot);
  const hub = env.HUB.getByName(environment);
  const [, published] = await Promise.all([
    env.SNAPSHOTS.put(kvKey(environment), json, { metadata: { version: snapshot.version, etag } }),
    hub.publish({ version: snapshot.version, snapshot: json, etag, changed }),
  ]);
  // The writer's own isolate serves the new version at once; others revalidate against the hub.
  remember(environment, snapshot.version, etag, json);
  return { version: snapshot.version, sent: published.sent };
}
