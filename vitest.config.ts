import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { webhookReceiver } from './test/webhooks/receiver';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Which pinned clock the suite runs on (test/pin-clock.ts); npm test runs both.
            TEST_CLOCK: process.env.TEST_CLOCK ?? 'past',
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
            // Tests read their own writes at once; the edge cache gets its own tests.
            API_EDGE_CACHE_SECONDS: '0',
          },
          // Webhook deliveries go to a scripted receiver in Node (test/webhooks/receiver.ts).
          serviceBindings: { WEBHOOK_OUTBOUND: webhookReceiver },
        },
      }),
    ],
    // The sanitizer under test is the deployed one: postcss and dayjs swapped out as in
    // wrangler.toml's [alias].
    resolve: {
      alias: {
        postcss: new URL('./src/lib/postcss-stub.ts', import.meta.url).pathname,
        dayjs: new URL('./src/lib/dayjs-stub.ts', import.meta.url).pathname,
      },
    },
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/e2e/**', 'test/node/**', 'node_modules/**'],
      setupFiles: ['./test/pin-clock.ts', './test/apply-migrations.ts'],
      testTimeout: 30_000,
      // sanitize-html is CommonJS (htmlparser2 and its other dependencies too); pre-bundling it lets
      // workerd load it in tests.
      deps: { optimizer: { ssr: { enabled: true, include: ['sanitize-html'] } } },
    },
  };
});
