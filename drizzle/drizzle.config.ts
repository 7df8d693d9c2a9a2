import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes flat SQL migrations that `wrangler d1 migrations apply` runs.
export default defineConfig({
  dialect: 'sqlite',
  schema: './drizzle/schema.ts',
  out: './drizzle/migrations',
  migrations: { prefix: 'index' },
});
