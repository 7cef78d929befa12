import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { kCurrentWorker } from 'miniflare';
import { defineConfig } from 'vitest/config';
import { webhookReceiver } from './test/webhooks/receiver';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        // The admin worker's entry: the whole app, readers' and writers' routes alike. The
        // readers' worker (src/reader.ts) is the same app with the writers' paths forwarded;
        // test/reader-app.test.ts tests the forwarding.
        wrangler: { configPath: './wrangler.admin.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Which pinned clock the suite runs on (test/pin-clock.ts); npm test runs both.
            TEST_CLOCK: process.env.TEST_CLOCK ?? 'past',
            LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
            // Tests read their own writes at once; the edge cache gets its own tests.
            API_EDGE_CACHE_SECONDS: '0',
          },
          // Webhook deliveries go to a scripted receiver in Node (test/webhooks/receiver.ts); cache
          // purges go to this worker's own CachePurge entrypoint (in production, the reader's).
          serviceBindings: {
            WEBHOOK_OUTBOUND: webhookReceiver,
            CACHE_PURGE: { name: kCurrentWorker, entrypoint: 'CachePurge' },
          },
          // The counters are the reader's in production (script_name); here this worker's own.
          durableObjects: { VIEW_COUNTER: { className: 'ViewCounter', useSQLite: true } },
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
