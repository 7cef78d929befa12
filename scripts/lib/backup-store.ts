/**
 * The one place where local and remote differ for backup and restore: both get the worker's
 * own D1 and R2 bindings through wrangler's platform proxy (as `npm run search:rebuild` does).
 * Locally that is the state `npm start` and `wrangler dev` use (.wrangler/state, or wrangler's
 * `--persist-to DIR`); remotely the bindings are marked `remote = true` in a scratch copy of
 * wrangler.toml, so wrangler's remote-bindings session (after `wrangler login`) serves them.
 *
 * Why bindings rather than `wrangler d1 execute --remote --command` and `wrangler r2 object`:
 * `--command` cannot bind values, so a long article body inlined as a literal overflows D1's
 * 100 KB statement limit, and wrangler has no command that lists a bucket's objects. Through a
 * binding, values are bound, batches are transactions, and `list()` pages the bucket.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import type { BackupStore } from './backup';

export const projectRoot = new URL('../..', import.meta.url).pathname;

export interface StoreOptions {
  remote: boolean;
  /** A wrangler environment of wrangler.toml (staging, production); remote only. */
  environment?: string;
  /** Local state root, as wrangler's `--persist-to` (the data lives in DIR/v3). */
  persistTo?: string;
}

export interface OpenStore {
  store: BackupStore;
  dispose(): Promise<void>;
}

/** wrangler.toml with the DB and MEDIA bindings (top level and every environment) marked remote. */
export function markBindingsRemote(toml: string): string {
  const marked = toml.replace(
    /^(\[\[(?:env\.[\w-]+\.)?(?:d1_databases|r2_buckets)\]\]\nbinding = "(?:DB|MEDIA)"\n)/gm,
    '$1remote = true\n',
  );
  if (
    !/binding = "DB"\nremote = true/.test(marked) ||
    !/binding = "MEDIA"\nremote = true/.test(marked)
  )
    throw new Error(
      'wrangler.toml: no [[d1_databases]] "DB" or [[r2_buckets]] "MEDIA" binding found',
    );
  return marked;
}

export async function openStore(options: StoreOptions): Promise<OpenStore> {
  if (!options.remote && options.environment)
    throw new Error('--env names a deployed environment; it needs --remote.');
  if (options.remote && options.persistTo)
    throw new Error('--persist-to is local state; it cannot go with --remote.');
  let configPath = join(projectRoot, 'wrangler.toml');
  let scratch: string | null = null;
  if (options.remote) {
    scratch = join(projectRoot, `wrangler.backup-${process.pid}.toml`);
    writeFileSync(scratch, markBindingsRemote(readFileSync(configPath, 'utf8')));
    configPath = scratch;
  }
  try {
    const proxy = await getPlatformProxy<{ DB: D1Database; MEDIA: R2Bucket }>({
      configPath,
      environment: options.environment,
      persist: options.persistTo ? { path: join(options.persistTo, 'v3') } : true,
      remoteBindings: options.remote,
    });
    const where = options.remote
      ? `remote D1 and R2${options.environment ? ` (env ${options.environment})` : ''}`
      : `local D1 and R2 (${options.persistTo ?? '.wrangler/state'})`;
    return {
      store: { label: where, db: proxy.env.DB, bucket: proxy.env.MEDIA },
      async dispose() {
        await proxy.dispose();
        if (scratch) rmSync(scratch, { force: true });
      },
    };
  } catch (err) {
    if (scratch) rmSync(scratch, { force: true });
    throw err;
  }
}
