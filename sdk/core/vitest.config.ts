import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'core (node)', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/vectors.chromium.test.ts'] },
});
