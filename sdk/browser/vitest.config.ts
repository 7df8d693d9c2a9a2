import { defineProject } from 'vitest/config';

// Each file starts its own Worker (`wrangler dev`, ~7 s on a shared 2-core machine): generous timeouts.
export default defineProject({
  test: { name: 'browser sdk', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
});
