import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// Stream caps small enough to reach: 2 per caller of a public key, 4 per key, 6 per environment
// (the defaults are 50, 10,000 and 25,000; hub/stream-caps.ts).
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
            STREAM_CAP_PER_CALLER: '2',
            STREAM_CAP_PER_KEY: '4',
            STREAM_CAP_PER_ENVIRONMENT: '6',
          },
        },
      }),
    ],
    test: { name: 'worker stream caps (workerd)', include: ['test/stream-caps.test.ts'], setupFiles: ['./test/apply-migrations.ts'] },
  };
});
