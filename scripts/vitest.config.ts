import { defineProject } from 'vitest/config';

// Repository-level checks: the published packages built, packed and used from a clean directory.
export default defineProject({
  test: { name: 'packages', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
