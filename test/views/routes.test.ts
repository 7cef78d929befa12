import {
  createExecutionContext,
  listDurableObjectIds,
  runDurableObjectAlarm,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { setViewShards } from '../../src/views/queries';
import { viewCounter } from '../../src/views/counter-client';
import {
  expectProblem,
  get,
  json,
  seedArticle,
  seedChannel,
  testDb,
  uniqueSlug,
  seedArticleInNewChannel,
} from '../helpers';
import { clockFrom, now as clockNow, useClock } from '../../src/lib/clock';

let readerSeq = 0;
function reader(label = 'r') {
  readerSeq += 1;
  return {
    'User-Agent': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 ${label}-${readerSeq}-${clockNow()}`,
    'CF-Connecting-IP': `198.51.100.${readerSeq % 250}`,
  };
}

function beacon(id: number | string, headers: Record<string, string> = reader()) {
  return get(`/api/v1/articles/${id}/views`, { method: 'POST', headers });
}

async function flushAll() {
  for (const id of await listDurableObjectIds(env.VIEW_COUNTER)) {
    await runDurableObjectAlarm(env.VIEW_COUNTER.get(id));
  }
}

describe('POST /api/v1/articles/:id/views', () => {
  it('counts a view and answers the live totals, uncacheable and open to any origin', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await beacon(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect(await json(res)).toEqual({ views: 1, visitors: 1, counted: true });
  });

  it('accepts a sendBeacon-style text/plain body and ignores it', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await get(`/api/v1/articles/${id}/views`, {
      method: 'POST',
      headers: { ...reader(), 'Content-Type': 'text/plain;charset=UTF-8' },
      body: 'anything at all',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ views: 1, counted: true });
  });

  it('counts a repeat view by the same reader inside the window once', async () => {
    const { id } = await seedArticleInNewChannel();
    const headers = reader();
    await beacon(id, headers);
    const again = await beacon(id, headers);
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({
      views: 1,
      visitors: 1,
      counted: false,
      reason: 'duplicate',
    });
  });

  it.each([
    [
      'a search crawler',
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    ],
    [
      'a link previewer',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    ],
    [
      'a headless browser',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36',
    ],
    ['an HTTP library', 'python-requests/2.32.3'],
    ['an empty User-Agent', ''],
  ])('does not count %s', async (_label, userAgent) => {
    const { id } = await seedArticleInNewChannel();
    const res = await beacon(id, { 'User-Agent': userAgent, 'CF-Connecting-IP': '192.0.2.1' });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ views: 0, visitors: 0, counted: false, reason: 'bot' });
  });

  it('caps beacons per visitor with the rate limiter and answers 429', async () => {
    const { id } = await seedArticleInNewChannel();
    const headers = reader('flood');
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await beacon(id, headers)).status);
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    const limited = await beacon(id, headers);
    const problem = await expectProblem(limited, 429, 'rate_limited');
    expect(limited.headers.get('Retry-After')).toBe('60');
    expect(problem.detail).toMatch(/not counted/);
  });

  it('starts from the count carried over from an older site', async () => {
    const { id } = await seedArticleInNewChannel({ viewBase: 712 });
    expect(await json(await beacon(id))).toEqual({ views: 713, visitors: 1, counted: true });
  });

  it('returns 404 for drafts, future and unknown articles', async () => {
    const draft = await seedArticleInNewChannel({ status: 'draft', publishedAt: null });
    const future = await seedArticleInNewChannel({
      publishedAt: new Date(clockNow() + 86_400_000),
    });
    const archived = await seedArticleInNewChannel({ status: 'archived' });
    for (const id of [draft.id, future.id, archived.id, 99_999_999]) {
      await expectProblem(await beacon(id), 404, 'not_found');
    }
  });

  it('returns 400 for a malformed id and 405 for other methods', async () => {
    const body = await expectProblem(await beacon('abc'), 400, 'invalid_parameter');
    expect(body.invalidParams[0]).toMatchObject({ name: 'id', in: 'path' });
    const put = await get('/api/v1/articles/1/views', { method: 'PUT' });
    await expectProblem(put, 405, 'method_not_allowed');
    expect(put.headers.get('Allow')).toContain('POST');
  });

  it('allows cross-origin POST in the preflight, without credentials', async () => {
    const res = await get('/api/v1/articles/1/views', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://county.example',
        'Access-Control-Request-Method': 'POST',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    const readOnly = await get('/api/v1/articles', {
      method: 'OPTIONS',
      headers: { Origin: 'https://county.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(readOnly.headers.get('Access-Control-Allow-Methods')).not.toContain('POST');
  });

  it('counts 2,000 concurrent beacons from distinct visitors exactly', async () => {
    const { id } = await seedArticleInNewChannel();
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        beacon(id, {
          'User-Agent': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 crowd-${i}`,
          'CF-Connecting-IP': `10.20.${i >> 8}.${i & 255}`,
        }).then((r) => r.status),
      ),
    );
    expect(results.filter((s) => s === 200)).toHaveLength(2000);
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toEqual({
      views: 2000,
      visitors: 2000,
      live: true,
    });
  }, 120_000);

  it('counts 2,000 concurrent beacons exactly when the article is sharded', async () => {
    const { id } = await seedArticleInNewChannel();
    await setViewShards(testDb(), id, 4);
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        beacon(id, {
          'User-Agent': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 sharded-${i}`,
          'CF-Connecting-IP': `10.30.${i >> 8}.${i & 255}`,
        }).then((r) => r.status),
      ),
    );
    expect(results.filter((s) => s === 200)).toHaveLength(2000);
    const perShard = await Promise.all([0, 1, 2, 3].map((s) => viewCounter(env, id, s).read()));
    // Every shard took a share of the load, and together they hold every view exactly once.
    expect(perShard.every((s) => s.views > 200)).toBe(true);
    expect(perShard.reduce((sum, s) => sum + s.views, 0)).toBe(2000);
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toEqual({
      views: 2000,
      visitors: 2000,
      live: true,
    });
    await flushAll();
    const article = await json(await get(`/api/v1/articles/${id}`));
    expect(article.data.views).toBe(2000);
  }, 120_000);
});

describe('GET /api/v1/articles/:id/views', () => {
  it('reads without counting', async () => {
    const { id } = await seedArticleInNewChannel({ viewBase: 10 });
    await beacon(id);
    for (let i = 0; i < 3; i++) {
      const res = await get(`/api/v1/articles/${id}/views`);
      expect(res.status).toBe(200);
      expect(res.headers.get('Cache-Control')).toMatch(/max-age=5/);
      expect(await json(res)).toEqual({ views: 11, visitors: 1, live: true });
    }
  });

  it('returns 404 for an unpublished article', async () => {
    const { id } = await seedArticleInNewChannel({ status: 'draft', publishedAt: null });
    await expectProblem(await get(`/api/v1/articles/${id}/views`), 404, 'not_found');
  });
});

describe('GET /api/v1/views', () => {
  it('reads up to 100 articles in one request, leaving out unpublished ones', async () => {
    const a = await seedArticleInNewChannel();
    const b = await seedArticleInNewChannel({ viewBase: 5 });
    const draft = await seedArticleInNewChannel({ status: 'draft', publishedAt: null });
    await beacon(a.id);
    await beacon(a.id);
    const res = await get(`/api/v1/views?ids=${b.id},${a.id},${draft.id},${b.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(await json(res)).toEqual({
      data: [
        { id: b.id, views: 5, visitors: 0 },
        { id: a.id, views: 2, visitors: 2 },
      ],
      meta: { live: true },
    });
  });

  it.each(['', 'a,b', '1,,2', '0', '-1', Array.from({ length: 101 }, (_, i) => i + 1).join(',')])(
    'rejects ids=%s with a 400 naming ids',
    async (ids) => {
      const body = await expectProblem(
        await get(`/api/v1/views?ids=${ids}`),
        400,
        'invalid_parameter',
      );
      expect(body.invalidParams[0].name).toBe('ids');
    },
  );
});

describe('GET /api/v1/articles/:id/views.svg', () => {
  it('counts and returns a badge that image proxies must refetch', async () => {
    const { id } = await seedArticleInNewChannel({ viewBase: 700 });
    const res = await get(`/api/v1/articles/${id}/views.svg`, {
      headers: {
        ...reader(),
        Accept: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('Cache-Control')).toBe('no-cache, no-store, must-revalidate, max-age=0');
    expect(res.headers.get('Expires')).toBe('0');
    const svg = await res.text();
    expect(svg).toMatch(/^<svg\s+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('浏览次数');
    expect(svg).toContain('>701<');
  });
});

describe('when the counting layer fails', () => {
  const brokenCounters = {
    idFromName: (name: string) => env.VIEW_COUNTER.idFromName(name),
    get: () =>
      new Proxy(
        {},
        {
          get: () => () =>
            Promise.reject(new Error('Durable Object reset because its code was updated')),
        },
      ),
  };

  async function fetchWithBrokenCounters(path: string, init?: RequestInit) {
    const app = createApp();
    return app.fetch(
      new Request(`http://gazette.test${path}`, init),
      { ...env, VIEW_COUNTER: brokenCounters } as unknown as Env,
      createExecutionContext(),
    );
  }

  it('answers the beacon with 503 and Retry-After, and counts nothing', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await fetchWithBrokenCounters(`/api/v1/articles/${id}/views`, {
      method: 'POST',
      headers: reader(),
    });
    await expectProblem(res, 503, 'counting_unavailable');
    expect(res.headers.get('Retry-After')).toBe('30');
    expect(await json(await get(`/api/v1/articles/${id}/views`))).toMatchObject({ views: 0 });
  });

  it('still serves the article and falls back to the last flushed counts', async () => {
    const { id } = await seedArticleInNewChannel({ viewBase: 712 });
    const article = await fetchWithBrokenCounters(`/api/v1/articles/${id}`);
    expect(article.status).toBe(200);
    expect((await json(article)).data.views).toBe(712);
    const counts = await fetchWithBrokenCounters(`/api/v1/articles/${id}/views`);
    expect(counts.status).toBe(200);
    expect(counts.headers.get('Cache-Control')).toBe('no-store');
    expect(await json(counts)).toEqual({ views: 712, visitors: 0, live: false });
  });
});

describe('rankings and stats', () => {
  it('rank by counted views and agree with the counters after a flush', async () => {
    const db = testDb();
    const parent = await seedChannel(db, { name: '要闻动态' });
    const child = await seedChannel(db, { name: '本地要闻', parentSlug: parent.slug });
    const other = await seedChannel(db, { name: '便民服务' });
    const hot = await seedArticle(db, { channelSlug: child.slug, title: `热点 ${uniqueSlug()}` });
    const warm = await seedArticle(db, { channelSlug: parent.slug });
    const elsewhere = await seedArticle(db, { channelSlug: other.slug });
    for (let i = 0; i < 5; i++) await beacon(hot.id);
    for (let i = 0; i < 3; i++) await beacon(warm.id);
    await beacon(elsewhere.id);
    // Worker-side rejections are sent at most once per flush interval per isolate; step past
    // the interval, so this bot hit is sent now whatever earlier tests in the file rejected.
    const restore = useClock(clockFrom(clockNow() + 61_000));
    try {
      await beacon(hot.id, { 'User-Agent': 'Googlebot/2.1', 'CF-Connecting-IP': '192.0.2.9' });
    } finally {
      useClock(restore);
    }
    await flushAll();

    const popular = await json(
      await get(`/api/v1/articles/popular?window=1d&channel=${parent.slug}`),
    );
    expect(popular.data.map((a: any) => [a.id, a.windowViews])).toEqual([
      [hot.id, 5],
      [warm.id, 3],
    ]);
    expect(popular.meta.window).toBe('1d');

    const sorted = await json(await get(`/api/v1/articles?sort=popular&channel=${parent.slug}`));
    expect(sorted.data.map((a: any) => [a.id, a.views])).toEqual([
      [hot.id, 5],
      [warm.id, 3],
    ]);

    const stats = await json(await get('/api/v1/stats?window=1d'));
    const byChannel = Object.fromEntries(stats.data.channels.map((c: any) => [c.slug, c]));
    expect(byChannel[child.slug]).toMatchObject({ views: 5, visitors: 5, parentSlug: parent.slug });
    expect(byChannel[parent.slug]).toMatchObject({ views: 3, visitors: 3 });
    expect(byChannel[other.slug]).toMatchObject({ views: 1, visitors: 1 });
    expect(stats.data.views).toBeGreaterThanOrEqual(9);
    expect(stats.data.rejections.bot).toBeGreaterThanOrEqual(1);
  });

  it('validates the window and channel of the popular list', async () => {
    const bad = await expectProblem(
      await get('/api/v1/articles/popular?window=2d'),
      400,
      'invalid_parameter',
    );
    expect(bad.invalidParams[0].name).toBe('window');
    await expectProblem(
      await get('/api/v1/articles/popular?channel=no-such-channel'),
      404,
      'not_found',
    );
    await expectProblem(await get('/api/v1/stats?window=year'), 400, 'invalid_parameter');
  });
});

describe('unknown API routes', () => {
  it.each(['/api', '/api/v2/articles', '/api/v1/nothing-here'])(
    'answer %s with a problem document',
    async (path) => {
      await expectProblem(await get(path), 404, 'route_not_found');
    },
  );
});
