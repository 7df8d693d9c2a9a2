import { defineProject } from 'vitest/config';

// The same vectors in headless Chromium, the third runtime the core ships to.
export default defineProject({
  test: { name: 'core (chromium)', include: ['test/vectors.chromium.test.ts'], testTimeout: 30_000 },
});
