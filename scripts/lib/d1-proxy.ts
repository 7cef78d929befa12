/**
 * The local D1 (the state `npm start` uses) or, with `remote`, the deployed one, through
 * wrangler's platform proxy, for scripts that run the worker's own code against it: values are
 * bound, not inlined, so a long article fits D1's 100 KB statement limit.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import { createDb, type Database } from '../../src/db/client';

const root = new URL('../..', import.meta.url).pathname;

export async function withD1<T>(
  options: { remote: boolean; scratchName: string },
  run: (db: Database) => Promise<T>,
): Promise<T> {
  let configPath = join(root, 'wrangler.toml');
  let scratchConfig: string | null = null;
  if (options.remote) {
    // The proxy talks to the real database only for a binding marked remote; mark it in a copy.
    const toml = readFileSync(configPath, 'utf8').replace(
      /(\[\[d1_databases\]\]\nbinding = "DB"\n)/,
      '$1remote = true\n',
    );
    if (!toml.includes('remote = true')) throw new Error('no [[d1_databases]] binding "DB" found');
    scratchConfig = join(root, `wrangler.${options.scratchName}.toml`);
    writeFileSync(scratchConfig, toml);
    configPath = scratchConfig;
  }
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath,
    remoteBindings: options.remote,
  });
  try {
    return await run(createDb(proxy.env.DB));
  } finally {
    await proxy.dispose();
    if (scratchConfig) rmSync(scratchConfig, { force: true });
  }
}
