import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// The client tier with a limit of 5 a minute, so reaching it takes six requests, not 6,001.
export default defineProject(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, '../drizzle/migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: '../wrangler.toml' },
        miniflare: {
          // Every evaluation is sampled, so a test can see that refused ones are not.
          bindings: { TEST_MIGRATIONS: migrations, STREAM_SECRET: 'test-stream-secret', CONTEXT_SAMPLE_RATE: '1' },
          // Client keys: 5 a minute per caller and budget (25 on the high tier). Server keys keep
          // wrangler.toml's tiers.
          ratelimits: {
            CLIENT_RATE_LIMITER: { namespace_id: '1001', simple: { limit: 5, period: 60 } },
            CLIENT_RATE_LIMITER_HIGH: { namespace_id: '1004', simple: { limit: 25, period: 60 } },
            SERVER_RATE_LIMITER: { namespace_id: '1002', simple: { limit: 10000, period: 10 } },
            SERVER_RATE_LIMITER_HIGH: { namespace_id: '1003', simple: { limit: 50000, period: 10 } },
          },
        },
      }),
    ],
    test: { name: 'worker rate limit (workerd)', include: ['test/rate-limit.test.ts'], setupFiles: ['./test/apply-migrations.ts'] },
  };
});
