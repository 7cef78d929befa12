/**
 * Rebuilds every article's public document (src/articles/documents.ts) from the tables: for
 * data written before the documents existed or around the commands (raw SQL, a restore).
 * Reads keep working while it runs; safe to run again.
 *
 * Usage: npm run documents:rebuild [-- --remote]   (remote needs `wrangler login`)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getPlatformProxy } from 'wrangler';
import { rebuildArticleDocuments } from '../src/articles/documents';
import { createDb } from '../src/db/client';

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
  scratchConfig = join(root, 'wrangler.documents-rebuild.toml');
  writeFileSync(scratchConfig, toml);
  configPath = scratchConfig;
}

const proxy = await getPlatformProxy<{ DB: D1Database }>({
  configPath,
  remoteBindings: values.remote,
});
try {
  const started = performance.now();
  const count = await rebuildArticleDocuments(createDb(proxy.env.DB), {
    onProgress: (done, of) => console.log(`… articles up to id ${done} of ${of}`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Rebuilt ${count} article documents in ${values.remote ? 'remote' : 'local'} D1 in ${seconds} s.`,
  );
} finally {
  await proxy.dispose();
  if (scratchConfig) rmSync(scratchConfig, { force: true });
}
