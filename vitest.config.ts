import { defineConfig } from 'vitest/config';

// One project per package and runtime; each package owns its `vitest*.config.ts`.
export default defineConfig({
  test: {
    projects: ['sdk/*/vitest*.config.ts', 'workers/vitest*.config.ts', 'web/vitest*.config.ts', 'scripts/vitest.config.ts'],
  },
});
