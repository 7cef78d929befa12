/**
 * Rebuilds every article's public document (src/articles/documents.ts) from the tables: for
 * data written before the documents existed or around the commands (raw SQL, a restore).
 * Reads keep working while it runs; safe to run again.
 *
 * Usage: npm run documents:rebuild [-- --remote]   (remote needs `wrangler login`)
 */
import { parseArgs } from 'node:util';
import { rebuildArticleDocuments } from '../src/articles/documents';
import { withD1 } from './lib/d1-proxy';

const { values } = parseArgs({ options: { remote: { type: 'boolean', default: false } } });

await withD1({ remote: values.remote, scratchName: 'documents-rebuild' }, async (db) => {
  const started = performance.now();
  const count = await rebuildArticleDocuments(db, {
    onProgress: (done, of) => console.log(`… articles up to id ${done} of ${of}`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Rebuilt ${count} article documents in ${values.remote ? 'remote' : 'local'} D1 in ${seconds} s.`,
  );
});
