import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { purgeLimit, purgeUrls } from '../../src/lib/cache-purge';

const origin = () => `https://purge-${crypto.randomUUID().slice(0, 8)}.test`;

async function store(url: string) {
  await caches.default.put(
    new Request(url),
    new Response('cached', { headers: { 'Cache-Control': 'public, max-age=600' } }),
  );
}

const cached = async (url: string) => (await caches.default.match(new Request(url))) !== undefined;

describe("CachePurge.purge (the readers' worker's entrypoint, bound as CACHE_PURGE)", () => {
  it('deletes the cached copies of the URLs it is given and counts them', async () => {
    const o = origin();
    const urls = [`${o}/`, `${o}/api/v1/articles`, `${o}/channels/yaowen/feed.xml`];
    for (const url of urls.slice(0, 2)) await store(url);
    await store(`${o}/untouched`);
    // Through the binding (in the tests it points at this worker's own CachePurge): real RPC.
    expect(await env.CACHE_PURGE.purge(urls)).toBe(2);
    expect(await cached(urls[0]!)).toBe(false);
    expect(await cached(urls[1]!)).toBe(false);
    expect(await cached(`${o}/untouched`)).toBe(true);
  });

  it('takes any number of URLs, more than one batch of deletes', async () => {
    const o = origin();
    const urls = Array.from({ length: purgeLimit + 2 }, (_, i) => `${o}/${i}`);
    await store(urls[0]!);
    await store(urls.at(-1)!);
    expect(await env.CACHE_PURGE.purge(urls)).toBe(2);
    expect(await cached(urls.at(-1)!)).toBe(false);
  });

  it('skips what is not a URL', async () => {
    const o = origin();
    await store(`${o}/a`);
    expect(await env.CACHE_PURGE.purge(['not a url', `${o}/a`])).toBe(1);
    expect(await env.CACHE_PURGE.purge('no' as unknown as string[])).toBe(0);
  });
});

describe('purgeUrls', () => {
  it('purges through CACHE_PURGE, in calls of at most the limit', async () => {
    const calls: number[] = [];
    const fake = {
      ...env,
      CACHE_PURGE: {
        purge: async (urls: string[]) => {
          calls.push(urls.length);
          return 1;
        },
      },
    } as unknown as Env;
    const urls = Array.from({ length: purgeLimit + 20 }, (_, i) => `https://x.test/${i}`);
    expect(await purgeUrls(fake, urls)).toBe(2);
    expect(calls).toEqual([purgeLimit, 20]);
  });

  it('deletes from its own cache without the binding (a script outside any worker)', async () => {
    const o = origin();
    await store(`${o}/feed.xml`);
    const unbound = { ...env, CACHE_PURGE: undefined } as unknown as Env;
    expect(await purgeUrls(unbound, [`${o}/feed.xml`, `${o}/atom.xml`])).toBe(1);
    expect(await cached(`${o}/feed.xml`)).toBe(false);
  });
});
