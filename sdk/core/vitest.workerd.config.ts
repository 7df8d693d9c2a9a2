import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// The same vectors inside workerd, the runtime of the edge.
export default defineProject({
  plugins: [cloudflareTest({ miniflare: { compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] } })],
  test: { name: 'core (workerd)', include: ['test/vectors.test.ts'] },
});
