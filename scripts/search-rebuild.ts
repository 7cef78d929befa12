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
import { parseArgs } from 'node:util';
import { rebuildSearchIndex } from '../src/search/rebuild';
import { withD1 } from './lib/d1-proxy';

const { values } = parseArgs({ options: { remote: { type: 'boolean', default: false } } });

await withD1({ remote: values.remote, scratchName: 'search-rebuild' }, async (db) => {
  const started = performance.now();
  const result = await rebuildSearchIndex(db, {
    onProgress: (n) => {
      if (n % 500 === 0) console.log(`… ${n} articles indexed`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Indexed ${result.indexed} published articles and removed ${result.removed} stale entries from ${values.remote ? 'remote' : 'local'} D1 in ${seconds} s.`,
  );
});
