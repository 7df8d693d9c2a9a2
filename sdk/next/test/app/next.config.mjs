import path from 'node:path';

// The test app for @edgeflags/next. Worker URL and keys are read at request time from
// EDGEFLAGS_URL / EDGEFLAGS_SERVER_KEY (set on `next start`), never baked at build.
const root = path.resolve(import.meta.dirname, '../../../..');

/** @type {import('next').NextConfig} */
export default {
  // The workspace packages ship TypeScript sources.
  transpilePackages: ['@edgeflags/next', '@edgeflags/core', '@edgeflags/react', '@edgeflags/browser'],
  turbopack: { root },
  outputFileTracingRoot: root,
  // `tsc -p sdk/next` type-checks the app; skipping it here saves a minute per build.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};
