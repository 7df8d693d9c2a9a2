import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['sdk/core/vitest.config.ts', 'sdk/core/vitest.workerd.config.ts', 'workers/vitest.config.ts'],
  },
});
