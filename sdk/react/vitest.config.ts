import { defineProject } from 'vitest/config';

// Headless Chromium against a real Worker on a shared 2-core machine: generous timeouts.
export default defineProject({
  test: { name: 'react sdk', include: ['test/**/*.test.{ts,tsx}'], testTimeout: 90_000, hookTimeout: 180_000 },
});
