import { createReaderApp } from './reader-app';

/**
 * The readers' worker (wrangler.toml, `gazette`): what the public hits. Writers' paths go on to
 * the admin worker (wrangler.admin.toml, src/index.ts) through the ADMIN service binding; the
 * admin worker reaches back for the view counters (VIEW_COUNTER, by script name) and for cache
 * purges (CACHE_PURGE, the entrypoint below).
 */
export { ViewCounter } from './views/counter';
export { CachePurge } from './lib/cache-purge';

const app = createReaderApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
