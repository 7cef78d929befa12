import { createApp } from './app';
import { nowDate } from './lib/clock';

/**
 * The admin worker (wrangler.admin.toml, `gazette-admin`): the whole app, reached only through
 * the readers' worker's ADMIN binding for the paths only writers use (src/reader-app.ts), plus
 * the cron and the writers' Durable Objects. ViewCounter lives in the readers' worker (bound
 * here by script name); it is exported here too for the tests, which run this entry alone.
 */
export { ViewCounter } from './views/counter';
export { WebhookDelivery } from './webhooks/delivery';
export { ImportJob } from './transfer/job';
export { CachePurge } from './lib/cache-purge';

const app = createApp();

export default {
  fetch: app.fetch,
  /** Every minute (wrangler.admin.toml [triggers]): publishes what is due. */
  async scheduled(_controller, env, ctx) {
    // Loaded here, not at startup: an admin request never pays for it either.
    const { publishDue } = await import('./authoring/scheduled');
    await publishDue(env, { now: nowDate(), waitUntil: (p) => ctx.waitUntil(p) });
  },
} satisfies ExportedHandler<Env>;
