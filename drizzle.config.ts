import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
  // wrangler reads flat NNNN_name.sql files; keep drizzle-kit's names in that form.
  migrations: { prefix: 'index' },
});
