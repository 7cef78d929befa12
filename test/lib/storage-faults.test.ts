import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { rebuildArticleDocuments } from '../../src/articles/documents';
import { fixedClock, now as clockNow, useClock, type Clock } from '../../src/lib/clock';
import { expectProblem, json, seedArticleInNewChannel, testDb } from '../helpers';

const app = createApp();
// A host of its own per test, so no cached entry from an earlier test or run can answer.
let origin = '';
let hosts = 0;
beforeEach(() => {
  hosts += 1;
  origin = `http://faults-${clockNow().toString(36)}-${hosts}.test`;
});

type Fault = 'fail' | 'hang';

/**
 * A D1 binding whose every call fails as a missing table does, or never answers: injected
 * through the environment, as the platform hands the binding to the worker.
 */
function faultyD1(fault: Fault): D1Database {
  const call = () =>
    fault === 'hang'
      ? new Promise<never>(() => {})
      : Promise.reject(new Error('D1_ERROR: no such table: articles: SQLITE_ERROR'));
  const statement = { bind: () => statement, first: call, all: call, raw: call, run: call };
  const session = {
    prepare: () => statement,
    batch: call,
    exec: call,
    getBookmark: () => null,
    withSession: () => session,
  };
  return session as unknown as D1Database;
}

function envWith(overrides: Partial<Env> & { DB?: D1Database } = {}): Env {
  return { ...env, API_EDGE_CACHE_SECONDS: '60', D1_DEADLINE_MS: '50', ...overrides } as Env;
}

async function fetchWith(path: string, bindings: Env, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${origin}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

let previous: Clock | undefined;
afterEach(() => {
  if (previous) useClock(previous);
  previous = undefined;
});

/** Stops the clock at the suite's current instant; returns it to move on from there. */
function stopClock() {
  const clock = fixedClock(clockNow());
  previous = useClock(clock);
  return clock;
}

async function seed(title = '停水通知') {
  const { channel, ...article } = await seedArticleInNewChannel({ title }, { name: '通知公告' });
  return { channel, article };
}

describe('stale-if-error for public reads', () => {
  it('serves the stale copy, marked, when D1 fails after the copy expired', async () => {
    const clock = stopClock();
    const { article } = await seed('Stale but useful');
    const path = `/api/v1/articles/${article.id}`;
    const first = await fetchWith(path, envWith());
    expect(first.status).toBe(200);
    expect(first.headers.get('X-Edge-Cache')).toBe('MISS');
    const etag = first.headers.get('ETag');

    clock.advance(61_000);
    const stale = await fetchWith(path, envWith({ DB: faultyD1('fail') }));
    expect(stale.status).toBe(200);
    expect(stale.headers.get('X-Edge-Cache')).toBe('STALE');
    expect(stale.headers.get('Cache-Control')).toBe('no-cache');
    expect(stale.headers.get('ETag')).toBe(etag);
    expect(stale.headers.get('X-Request-Id')).toBeTruthy();
    expect(stale.headers.get('X-Gazette-Fresh-Until')).toBeNull();
    expect((await json(stale)).data.title).toBe('Stale but useful');

    const revalidated = await fetchWith(path, envWith({ DB: faultyD1('fail') }), {
      headers: { 'If-None-Match': etag! },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('X-Edge-Cache')).toBe('STALE');
  });

  it('answers from D1 as usual while a stale copy waits, and stores the new answer', async () => {
    const clock = stopClock();
    const { article } = await seed('Before the edit');
    const path = `/api/v1/articles/${article.id}`;
    expect((await fetchWith(path, envWith())).status).toBe(200);
    await env.DB.prepare('UPDATE articles SET title = ? WHERE id = ?')
      .bind('After the edit', article.id)
      .run();
    // A raw edit skips the commands, which keep the article's public document current.
    await rebuildArticleDocuments(testDb());
    clock.advance(61_000);
    const fresh = await fetchWith(path, envWith());
    expect(fresh.headers.get('X-Edge-Cache')).toBe('MISS');
    expect((await json(fresh)).data.title).toBe('After the edit');
    const hit = await fetchWith(path, envWith({ DB: faultyD1('fail') }));
    expect(hit.headers.get('X-Edge-Cache')).toBe('HIT');
    expect((await json(hit)).data.title).toBe('After the edit');
  });

  it('keeps a stale copy only for STALE_IF_ERROR_SECONDS past its freshness', async () => {
    const clock = stopClock();
    const { article } = await seed();
    const path = `/api/v1/articles/${article.id}`;
    const bindings = envWith({ STALE_IF_ERROR_SECONDS: '120' });
    expect((await fetchWith(path, bindings)).status).toBe(200);
    clock.advance(60_000 + 121_000);
    const res = await fetchWith(path, { ...bindings, DB: faultyD1('fail') });
    await expectProblem(res, 503, 'storage_unavailable');
  });

  it('serves stale pages, feeds, sitemaps, oEmbed and embed frames when D1 fails', async () => {
    const clock = stopClock();
    const { channel, article } = await seed();
    const paths = [
      '/',
      `/articles/${article.id}/${article.slug}`,
      `/channels/${channel.slug}`,
      `/channels/${channel.slug}/feed.xml`,
      '/sitemap.xml',
      `/embed/articles/${article.id}`,
      `/embed/channels/${channel.slug}`,
      `/oembed?url=${encodeURIComponent(`${origin}/articles/${article.id}`)}`,
    ];
    const originals = new Map<string, string>();
    for (const path of paths) {
      const res = await fetchWith(path, envWith());
      expect(res.status, path).toBe(200);
      originals.set(path, await res.text());
    }
    clock.advance(3_601_000);
    for (const path of paths) {
      const res = await fetchWith(path, envWith({ DB: faultyD1('fail') }));
      expect(res.status, path).toBe(200);
      expect(res.headers.get('X-Edge-Cache'), path).toBe('STALE');
      expect(await res.text(), path).toBe(originals.get(path));
    }
  });
});

describe('public reads with D1 failing and no stale copy', () => {
  it('answers the API with a 503 storage_unavailable problem and Retry-After', async () => {
    const { article } = await seed();
    for (const path of [
      `/api/v1/articles/${article.id}`,
      '/api/v1/articles',
      '/api/v1/channels',
      '/api/v1/search?q=停水通知',
      '/feed.xml',
      '/sitemap.xml',
      `/oembed?url=${encodeURIComponent(`${origin}/articles/${article.id}`)}`,
    ]) {
      const res = await fetchWith(path, envWith({ DB: faultyD1('fail') }));
      const body = await expectProblem(res, 503, 'storage_unavailable');
      expect(res.headers.get('Retry-After'), path).toBe('10');
      expect(res.headers.get('Cache-Control'), path).toBe('no-store');
      expect(JSON.stringify(body)).not.toMatch(/no such table|SQLITE/);
    }
  });

  it('answers reader pages with a 503 page and Retry-After', async () => {
    const { channel, article } = await seed();
    for (const path of [
      '/',
      `/articles/${article.id}/${article.slug}`,
      `/channels/${channel.slug}`,
    ]) {
      const res = await fetchWith(path, envWith({ DB: faultyD1('fail') }));
      expect(res.status, path).toBe(503);
      expect(res.headers.get('Content-Type'), path).toMatch(/^text\/html/);
      expect(res.headers.get('Retry-After'), path).toBe('10');
      expect(res.headers.get('Cache-Control'), path).toBe('no-store');
      const page = await res.text();
      expect(page).toContain('服务暂时不可用');
      expect(page).not.toMatch(/no such table|SQLITE/);
    }
  });

  it('answers embed frames with a framed 503 that any site may still show', async () => {
    const { channel, article } = await seed();
    for (const path of [`/embed/articles/${article.id}`, `/embed/channels/${channel.slug}`]) {
      const res = await fetchWith(path, envWith({ DB: faultyD1('fail') }));
      expect(res.status, path).toBe(503);
      expect(res.headers.get('Content-Type'), path).toMatch(/^text\/html/);
      expect(res.headers.get('Retry-After'), path).toBe('10');
      expect(res.headers.get('Content-Security-Policy'), path).toContain('frame-ancestors *');
      expect(res.headers.get('X-Request-Id'), path).toBeTruthy();
      expect(await res.text()).toContain('内容暂时无法显示');
    }
  });

  it('answers the view beacon with its own 503, not a 500', async () => {
    const { article } = await seed();
    const res = await fetchWith(
      `/api/v1/articles/${article.id}/views`,
      envWith({ DB: faultyD1('fail') }),
      { method: 'POST', headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120' } },
    );
    // The views feature degrades on its own terms (counting_unavailable); never a 500.
    await expectProblem(res, 503, 'counting_unavailable');
  });

  it('answers 503 when a table is renamed away, as an operator would break it', async () => {
    const { channel } = await seed();
    await env.DB.exec('ALTER TABLE channels RENAME TO channels_away');
    try {
      const api = await fetchWith(`/api/v1/channels/${channel.slug}`, envWith());
      await expectProblem(api, 503, 'storage_unavailable');
      const page = await fetchWith(`/channels/${channel.slug}`, envWith());
      expect(page.status).toBe(503);
      expect(page.headers.get('Retry-After')).toBe('10');
    } finally {
      await env.DB.exec('ALTER TABLE channels_away RENAME TO channels');
    }
    expect((await fetchWith(`/api/v1/channels/${channel.slug}`, envWith())).status).toBe(200);
  });
});

describe('D1 deadline', () => {
  it('answers a read that hangs with 503 storage_unavailable after D1_DEADLINE_MS', async () => {
    const { article } = await seed();
    const res = await fetchWith(
      `/api/v1/articles/${article.id}`,
      envWith({ DB: faultyD1('hang') }),
    );
    const body = await expectProblem(res, 503, 'storage_unavailable');
    expect(body.detail).toContain('50 ms');
    expect(res.headers.get('Retry-After')).toBe('10');
  });

  it('answers a reader page that hangs with a 503 page', async () => {
    const { article } = await seed();
    const res = await fetchWith(
      `/articles/${article.id}/${article.slug}`,
      envWith({ DB: faultyD1('hang') }),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  });

  it('serves the stale copy when the fresh read hangs', async () => {
    const clock = stopClock();
    const { article } = await seed('Hung but served');
    const path = `/api/v1/articles/${article.id}`;
    expect((await fetchWith(path, envWith())).status).toBe(200);
    clock.advance(61_000);
    const res = await fetchWith(path, envWith({ DB: faultyD1('hang') }));
    expect(res.headers.get('X-Edge-Cache')).toBe('STALE');
    expect((await json(res)).data.title).toBe('Hung but served');
  });
});
