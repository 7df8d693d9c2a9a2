import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// Subscribers spread over 4 shards from the start (HUB_MIN_SHARDS), a shard "full" at 6 streams
// so growth is reachable, and caps small enough to reach: 2 per caller of a public key (exact
// across shards), 40 per key and 80 per environment (each shard enforces its share).
export default defineProject(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, '../drizzle/migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: '../wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            STREAM_SECRET: 'test-stream-secret',
            HUB_MIN_SHARDS: '4',
            HUB_SHARD_CAPACITY: '6',
            HUB_MAX_SHARDS: '16',
            STREAM_CAP_PER_CALLER: '2',
            STREAM_CAP_PER_KEY: '40',
            STREAM_CAP_PER_ENVIRONMENT: '80',
          },
        },
      }),
    ],
    test: { name: 'worker shards (workerd)', include: ['test/hub-shards.test.ts'], setupFiles: ['./test/apply-migrations.ts'] },
  };
});
