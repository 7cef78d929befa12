import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 30_000,
      // sanitize-html pulls in postcss as CommonJS; pre-bundling it lets workerd load it in tests.
      deps: { optimizer: { ssr: { enabled: true, include: ['sanitize-html'] } } },
    },
  };
});
