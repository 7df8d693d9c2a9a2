import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// The Worker's tests run inside workerd with real D1, KV and Durable Objects (Miniflare).
export default defineProject(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, '../drizzle/migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: '../wrangler.toml' },
        // Webhook retries after 1 s and 2 s (not minutes), so the dead-letter path runs in a test.
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            STREAM_SECRET: 'test-stream-secret',
            CONTEXT_SAMPLE_RATE: '1',
            // Evaluation counts reach D1 within a test's patience (default: every 5 s).
            EVALUATION_FLUSH_MS: '200',
            WEBHOOK_MAX_ATTEMPTS: '3',
            WEBHOOK_RETRY_BASE_SECONDS: '1',
            WEBHOOK_TIMEOUT_MS: '2000',
          },
        },
      }),
    ],
    test: {
      name: 'worker (workerd)',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      // The release statistics simulation runs in Node ('release stats (node)', vitest.stats.config.ts);
      // rate limits, stream caps and shards run in their own projects with their own bindings.
      exclude: ['test/rate-limit.test.ts', 'test/stream-caps.test.ts', 'test/hub-shards.test.ts', 'src/releases/stats/simulation.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
    },
  };
});
