import {
  createExecutionContext,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { fixedClock, now as clockNow, useClock, type Clock } from '../../src/lib/clock';
import { viewCounter } from '../../src/views/counter-client';
import { setViewShards } from '../../src/views/queries';
import { visitorSignals } from '../../src/views/visitor';
import { expectProblem, get, json, testDb, seedArticleInNewChannel } from '../helpers';

const chrome = (n: number | string) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.${n}.0 Safari/537.36`;

let ipSeq = 0;
/** A fresh IP per call, so the per-IP limits of one test never reach another. */
function freshIp() {
  ipSeq += 1;
  return `100.64.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

function beacon(id: number, headers: Record<string, string>) {
  return get(`/api/v1/articles/${id}/views`, { method: 'POST', headers });
}

async function liveViews(id: number) {
  return json(await get(`/api/v1/articles/${id}/views`));
}

/** The app with some bindings replaced, its waitUntil work awaited. */
async function fetchWith(overrides: Partial<Env>, path: string, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`http://gazette.test${path}`, init),
    { ...env, ...overrides } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

let restore: Clock | null = null;
afterEach(() => {
  if (restore) useClock(restore);
  restore = null;
});

describe('POST /api/v1/articles/:id/views against inflation', () => {
  it('counts at most 20 visitors from one IP however it rotates its User-Agent', async () => {
    const { id } = await seedArticleInNewChannel();
    const ip = freshIp();
    const bodies = [];
    for (let i = 0; i < 100; i++) {
      const res = await beacon(id, { 'User-Agent': chrome(i), 'CF-Connecting-IP': ip });
      expect(res.status).toBe(200);
      bodies.push(await json(res));
    }
    expect(bodies.filter((b) => b.counted)).toHaveLength(20);
    expect(bodies.filter((b) => b.reason === 'ip_cap')).toHaveLength(80);
    expect(await liveViews(id)).toEqual({ views: 20, visitors: 20, live: true });
    // Another reader elsewhere still counts.
    const other = await beacon(id, { 'User-Agent': chrome('x'), 'CF-Connecting-IP': freshIp() });
    expect(await json(other)).toMatchObject({ counted: true, views: 21 });
  });

  it('caps beacons per IP across User-Agents with the rate limiter', async () => {
    const { id } = await seedArticleInNewChannel();
    const ip = freshIp();
    // The limit is 300 a minute, counted in fixed 60 s windows: a run slow enough to cross a
    // window boundary starts a new count, so the first refusal comes after 300 to 600 beacons.
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 601 && !refused; i++) {
      const res = await beacon(id, { 'User-Agent': chrome(i), 'CF-Connecting-IP': ip });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
    }
    expect(statuses.length).toBeGreaterThan(300);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    await expectProblem(refused!, 429, 'rate_limited');
    expect((await liveViews(id)).views).toBe(20);
  }, 60_000);

  it('does not count a bare Mozilla/5.0 User-Agent', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await beacon(id, { 'User-Agent': 'Mozilla/5.0', 'CF-Connecting-IP': freshIp() });
    expect(await json(res)).toEqual({ views: 0, visitors: 0, counted: false, reason: 'bot' });
    expect((await liveViews(id)).views).toBe(0);
  });

  it('does not count a headless browser that keeps a Chrome User-Agent', async () => {
    const { id } = await seedArticleInNewChannel();
    for (const ua of [`${chrome(1)} Puppeteer`, chrome(2).replace('Chrome/', 'HeadlessChrome/')]) {
      const res = await beacon(id, { 'User-Agent': ua, 'CF-Connecting-IP': freshIp() });
      expect(await json(res)).toMatchObject({ counted: false, reason: 'bot' });
    }
    expect((await liveViews(id)).views).toBe(0);
  });

  it('does not count a beacon whose Fetch Metadata says it was a navigation', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await beacon(id, {
      'User-Agent': chrome(1),
      'CF-Connecting-IP': freshIp(),
      'Sec-Fetch-Dest': 'document',
      'Sec-Fetch-Mode': 'navigate',
      'Sec-Fetch-Site': 'none',
    });
    expect(await json(res)).toMatchObject({ counted: false, reason: 'suspicious' });
    // A real beacon's metadata, and none at all (an older browser), both count.
    const real = await beacon(id, {
      'User-Agent': chrome(2),
      'CF-Connecting-IP': freshIp(),
      'Sec-Fetch-Dest': 'empty',
      'Sec-Fetch-Mode': 'no-cors',
      'Sec-Fetch-Site': 'same-origin',
    });
    expect(await json(real)).toMatchObject({ counted: true, views: 1 });
    const old = await beacon(id, { 'User-Agent': chrome(3), 'CF-Connecting-IP': freshIp() });
    expect(await json(old)).toMatchObject({ counted: true, views: 2 });
  });

  it('counts from other sites only when VIEW_COUNT_ORIGINS lists them', async () => {
    const { id } = await seedArticleInNewChannel();
    const allowList = { VIEW_COUNT_ORIGINS: 'https://partner.example' };
    let n = 0;
    const from = (origin: string) =>
      fetchWith(allowList, `/api/v1/articles/${id}/views`, {
        method: 'POST',
        headers: { 'User-Agent': chrome(n++), 'CF-Connecting-IP': freshIp(), Origin: origin },
      }).then(json);
    expect(await from('https://evil.example')).toMatchObject({
      counted: false,
      reason: 'foreign_origin',
    });
    expect(await from('https://partner.example')).toMatchObject({ counted: true, views: 1 });
    expect(await from('http://gazette.test')).toMatchObject({ counted: true, views: 2 });
    // With the default (empty) list any site counts, as before.
    const open = await beacon(id, {
      'User-Agent': chrome('open'),
      'CF-Connecting-IP': freshIp(),
      Origin: 'https://evil.example',
    });
    expect(await json(open)).toMatchObject({ counted: true, views: 3 });
  });

  it('counts 200 parallel beacons of one visitor once', async () => {
    const { id } = await seedArticleInNewChannel();
    const headers = { 'User-Agent': chrome('same'), 'CF-Connecting-IP': freshIp() };
    const responses = await Promise.all(Array.from({ length: 200 }, () => beacon(id, headers)));
    const bodies = await Promise.all(
      responses.map((r) => (r.status === 200 ? json(r) : { status: r.status })),
    );
    expect(bodies.filter((b) => b.counted === true)).toHaveLength(1);
    // Everything else is a duplicate, or refused by the per-visitor rate limit (429).
    for (const b of bodies.filter((x) => x.counted !== true)) {
      expect(b.reason === 'duplicate' || b.status === 429).toBe(true);
    }
    expect(await liveViews(id)).toEqual({ views: 1, visitors: 1, live: true });
  });

  it('shows refused hits by reason in /api/v1/stats, without a counter call per hit', async () => {
    const { id } = await seedArticleInNewChannel();
    const before = (await json(await get('/api/v1/stats?window=1d'))).data.rejections;
    const clock = fixedClock(clockNow() + 10 * 60_000);
    restore = useClock(clock);
    const send = (ua: string) =>
      fetchWith({}, `/api/v1/articles/${id}/views`, {
        method: 'POST',
        headers: { 'User-Agent': ua, 'CF-Connecting-IP': freshIp() },
      });
    await send('curl/8.5.0');
    await send('Mozilla/5.0');
    // The worker sends its tallies at most once per flush interval: the second send carries both.
    clock.advance(61_000);
    await send('python-requests/2.32.3');
    await runDurableObjectAlarm(viewCounter(env, id, 0));
    const after = (await json(await get('/api/v1/stats?window=1d'))).data.rejections;
    expect((after.bot ?? 0) - (before.bot ?? 0)).toBeGreaterThanOrEqual(3);
    expect((await viewCounter(env, id, 0).read()).views).toBe(0);
  });
});

describe('GET /api/v1/articles/:id/views.svg against inflation', () => {
  const imageAccept = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

  it('counts a GET that asks for an image, never a HEAD or a plain GET', async () => {
    const { id } = await seedArticleInNewChannel();
    const headers = () => ({ 'User-Agent': chrome('badge'), 'CF-Connecting-IP': freshIp() });
    const head = await get(`/api/v1/articles/${id}/views.svg`, {
      method: 'HEAD',
      headers: { ...headers(), Accept: imageAccept },
    });
    expect(head.status).toBe(200);
    const plain = await get(`/api/v1/articles/${id}/views.svg`, {
      headers: { ...headers(), Accept: 'text/html' },
    });
    expect(plain.status).toBe(200);
    expect((await liveViews(id)).views).toBe(0);
    const img = await get(`/api/v1/articles/${id}/views.svg`, {
      headers: { ...headers(), Accept: imageAccept, 'Sec-Fetch-Dest': 'image' },
    });
    expect(await img.text()).toContain('>1<');
    expect((await liveViews(id)).views).toBe(1);
  });
});

describe('when D1 is failing', () => {
  const brokenD1 = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('D1_ERROR: Network connection lost.');
      },
    },
  ) as unknown as D1Database;

  async function countedOnce(viewBase = 0) {
    const article = await seedArticleInNewChannel({ viewBase });
    // Counted straight on the object, so no isolate cache knows the article.
    await viewCounter(env, article.id, 0).hit({
      articleId: article.id,
      shard: 0,
      ip: freshIp(),
      userAgent: chrome('seed'),
      now: clockNow(),
      viewBase,
      viewShards: 1,
    });
    return article;
  }

  it('answers a beacon with 503 counting_unavailable and Retry-After, counting nothing', async () => {
    const { id } = await countedOnce();
    const res = await fetchWith({ DB: brokenD1 }, `/api/v1/articles/${id}/views`, {
      method: 'POST',
      headers: { 'User-Agent': chrome(1), 'CF-Connecting-IP': freshIp() },
    });
    await expectProblem(res, 503, 'counting_unavailable');
    expect(res.headers.get('Retry-After')).toBe('30');
    expect((await viewCounter(env, id, 0).read()).views).toBe(1);
  });

  it('still answers GET …/views and the badge from the counter', async () => {
    const { id } = await countedOnce(700);
    const counts = await fetchWith({ DB: brokenD1 }, `/api/v1/articles/${id}/views`);
    expect(counts.status).toBe(200);
    expect(await json(counts)).toEqual({ views: 701, visitors: 1, live: true });
    const badge = await fetchWith({ DB: brokenD1 }, `/api/v1/articles/${id}/views.svg`, {
      headers: { 'User-Agent': chrome(2), Accept: 'image/*' },
    });
    expect(badge.status).toBe(200);
    expect(await badge.text()).toContain('>701<');
  });

  it('answers GET /api/v1/views from the counters, leaving out articles none knows', async () => {
    const known = await countedOnce(10);
    const unknown = await seedArticleInNewChannel();
    const res = await fetchWith({ DB: brokenD1 }, `/api/v1/views?ids=${known.id},${unknown.id}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      data: [{ id: known.id, views: 11, visitors: 1 }],
      meta: { live: true },
    });
  });

  it('answers 503 for GET …/views of an article no counter knows', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await fetchWith({ DB: brokenD1 }, `/api/v1/articles/${id}/views`);
    await expectProblem(res, 503, 'counting_unavailable');
  });
});

describe('when a sibling shard cannot answer', () => {
  it('still says the view was counted', async () => {
    const { id } = await seedArticleInNewChannel({ viewBase: 5 });
    await setViewShards(testDb(), id, 2);
    // A reader whose own shard is 0, so shard 1 is the sibling that fails.
    let ip = freshIp();
    while (visitorSignals(new Headers({ 'CF-Connecting-IP': ip })).bucket % 2 !== 0) ip = freshIp();
    const names = new Map<string, string>();
    const counters = {
      idFromName: (name: string) => {
        const realId = env.VIEW_COUNTER.idFromName(name);
        names.set(realId.toString(), name);
        return realId;
      },
      get: (doId: DurableObjectId) =>
        names.get(doId.toString())?.endsWith(':1')
          ? new Proxy({}, { get: () => () => Promise.reject(new Error('object overloaded')) })
          : env.VIEW_COUNTER.get(doId),
    };
    const res = await fetchWith(
      { VIEW_COUNTER: counters as unknown as Env['VIEW_COUNTER'] },
      `/api/v1/articles/${id}/views`,
      { method: 'POST', headers: { 'User-Agent': chrome('sib'), 'CF-Connecting-IP': ip } },
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ views: 6, visitors: 1, counted: true });
  });
});
