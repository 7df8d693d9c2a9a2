import { defineProject } from 'vitest/config';

// The release statistics are pure: their unit tests and the simulation suite run in Node, where
// thousands of simulated releases take seconds (docs/releases.md, Statistics).
export default defineProject({
  test: { name: 'release stats (node)', include: ['src/releases/stats/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
});
