import { defineProject } from 'vitest/config';

// Most files start a real Worker (wrangler dev): generous timeouts on a shared 2-core machine.
export default defineProject({
  test: {
    name: 'cli',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
