import { defineConfig } from 'vitest/config';

// End-to-end: the built app, served by the real Worker (`wrangler dev`), driven by headless Chromium.
// Timeouts are generous because CI machines here have two shared cores; nothing asserts timing.
export default defineConfig({
  test: {
    name: 'web-e2e',
    root: import.meta.dirname,
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
