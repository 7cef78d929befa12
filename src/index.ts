import { createApp } from './app';
import { nowDate } from './lib/clock';

export { ViewCounter } from './views/counter';
export { WebhookDelivery } from './webhooks/delivery';
export { ImportJob } from './transfer/job';

const app = createApp();

export default {
  fetch: app.fetch,
  /** Every minute (wrangler.toml [triggers]): publishes what is due. */
  async scheduled(_controller, env, ctx) {
    // Loaded here, not at startup: the public read path never pays for the write side.
    const { publishDue } = await import('./authoring/scheduled');
    await publishDue(env, { now: nowDate(), waitUntil: (p) => ctx.waitUntil(p) });
  },
} satisfies ExportedHandler<Env>;
