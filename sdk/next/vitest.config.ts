import { defineProject } from 'vitest/config';

// Node, not workerd: the integration test builds and runs a real Next.js app against a real
// Worker (`next build` alone takes minutes on a small CI box), hence the long timeouts.
export default defineProject({
  test: {
    name: 'next sdk',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
