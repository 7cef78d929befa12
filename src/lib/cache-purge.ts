import { WorkerEntrypoint } from 'cloudflare:workers';

/** How many URLs purgeUrls sends per RPC call (an article write names about 40). */
export const purgeLimit = 500;

/** Deletes this colo's cached copies of these URLs (GET keys, as publicGet stores them). */
export async function deleteCached(urls: readonly string[]): Promise<number> {
  const deleted = await Promise.all(
    urls.map((url) => caches.default.delete(new Request(url, { method: 'GET' }))),
  );
  return deleted.filter(Boolean).length;
}

/**
 * The readers' worker's purge, for the admin worker (bound as CACHE_PURGE). The copies live in
 * the cache of the worker that stored them, on the public host: whether a worker reached only
 * through a service binding sees that same cache is not promised anywhere, so the admin worker
 * asks the reader to delete them rather than deleting them itself.
 */
export class CachePurge extends WorkerEntrypoint<Env> {
  /** Returns how many of the URLs had a cached copy here; what is not a URL is skipped. */
  async purge(urls: string[]): Promise<number> {
    if (!Array.isArray(urls)) return 0;
    const valid = urls.filter((url) => typeof url === 'string' && URL.canParse(url));
    let count = 0;
    // At most purgeLimit deletes in flight, whatever a caller sends.
    for (let i = 0; i < valid.length; i += purgeLimit) {
      count += await deleteCached(valid.slice(i, i + purgeLimit));
    }
    return count;
  }
}

/**
 * Purges through the readers' worker (CACHE_PURGE). Without the binding (a script running the
 * commands outside any worker) it deletes from this worker's own cache.
 */
export async function purgeUrls(env: Env, urls: readonly string[]): Promise<number> {
  const purger = env.CACHE_PURGE as Env['CACHE_PURGE'] | undefined;
  if (!purger) return deleteCached(urls);
  let count = 0;
  for (let i = 0; i < urls.length; i += purgeLimit) {
    count += await purger.purge(urls.slice(i, i + purgeLimit));
  }
  return count;
}
