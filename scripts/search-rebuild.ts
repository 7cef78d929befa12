/**
 * Rebuilds the site search index from the articles table (src/search/rebuild.ts), e.g. after a
 * restore: backups cannot carry the FTS5 tables (`wrangler d1 export` refuses virtual tables,
 * workers-sdk #6305). Search keeps answering while it runs; safe to run again.
 *
 * Usage: npm run search:rebuild [-- --remote]   (remote needs `wrangler login`)
 *
 * It runs the worker's own index code against D1 through wrangler's platform proxy, so values
 * are bound, not inlined: a long article would not fit D1's 100 KB statement limit as literals.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getPlatformProxy } from 'wrangler';
import { createDb } from '../src/db/client';
import { rebuildSearchIndex } from '../src/search/rebuild';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { remote: { type: 'boolean', default: false } } });

let configPath = join(root, 'wrangler.toml');
let scratchConfig: string | null = null;
if (values.remote) {
  // The proxy talks to the real database only for a binding marked remote; mark it in a copy.
  const toml = readFileSync(configPath, 'utf8').replace(
    /(\[\[d1_databases\]\]\nbinding = "DB"\n)/,
    '$1remote = true\n',
  );
  if (!toml.includes('remote = true')) throw new Error('no [[d1_databases]] binding "DB" found');
  scratchConfig = join(root, 'wrangler.search-rebuild.toml');
  writeFileSync(scratchConfig, toml);
  configPath = scratchConfig;
}

const proxy = await getPlatformProxy<{ DB: D1Database }>({
  configPath,
  remoteBindings: values.remote,
});
try {
  const started = performance.now();
  const result = await rebuildSearchIndex(createDb(proxy.env.DB), {
    onProgress: (n) => {
      if (n % 500 === 0) console.log(`… ${n} articles indexed`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Indexed ${result.indexed} published articles and removed ${result.removed} stale entries from ${values.remote ? 'remote' : 'local'} D1 in ${seconds} s.`,
  );
} finally {
  await proxy.dispose();
  if (scratchConfig) rmSync(scratchConfig, { force: true });
}
