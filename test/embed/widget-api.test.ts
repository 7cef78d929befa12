import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseSpec, type Spec } from '../../src/embed/widget/options';
import { callKey, pick, planCalls, type ArticleData } from '../../src/embed/widget/plan';
import { viewCounter } from '../../src/views/counter-client';
import { get, json, seedArticle, seedChannel, testDb } from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

const reader = {
  'User-Agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 embed-widget-test',
  'CF-Connecting-IP': '203.0.113.7',
  Origin: 'https://county.example',
};

/**
 * What embed.js does with a page's placeholders, minus the DOM: plan the calls, send each
 * distinct one to the real worker once, and pick every placeholder's data out of the answers.
 */
async function load(specs: Spec[]) {
  const calls = planCalls(specs);
  const sent = new Map<string, unknown>();
  for (const call of calls) {
    const key = callKey(call);
    if (sent.has(key)) continue;
    const res = await get(call.path, { method: call.method, headers: reader });
    expect(res.status, key).toBe(200);
    // The widget runs on other sites' pages, so every answer must be readable cross-origin.
    expect(res.headers.get('Access-Control-Allow-Origin'), key).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Credentials'), key).toBeNull();
    sent.set(key, await json(res));
  }
  return {
    keys: [...sent.keys()],
    picked: specs.map((s, i) => pick(s, calls[i]!, sent.get(callKey(calls[i]!)))),
  };
}

const titles = (items: ArticleData[]) => items.map((a) => a.title);

describe('embed widget against the API', () => {
  it('serves a page of every widget kind with one request per kind', async () => {
    const db = testDb();
    const news = await seedChannel(db, { name: '要闻' });
    const notices = await seedChannel(db, { name: '公告' });
    const day = 86_400_000;
    const a1 = await seedArticle(db, {
      channelSlug: news.slug,
      title: '要闻一',
      summary: '摘要一',
      source: '日报',
      publishedAt: new Date(clockNow() - 3 * day),
    });
    const a2 = await seedArticle(db, {
      channelSlug: news.slug,
      title: '要闻二',
      publishedAt: new Date(clockNow() - 2 * day),
    });
    const a3 = await seedArticle(db, {
      channelSlug: notices.slug,
      title: '公告一',
      publishedAt: new Date(clockNow() - day),
    });
    const specs = [
      { gazette: 'latest', channel: news.slug, limit: '1' },
      { gazette: 'latest', channel: news.slug, limit: '5' },
      { gazette: 'popular', window: '30d', limit: '5' },
      { gazette: 'article', id: String(a1.id) },
      { gazette: 'article', id: String(a3.id) },
      { gazette: 'article', id: '999999' },
      { gazette: 'views', id: String(a1.id) },
      { gazette: 'views', id: String(a2.id) },
      { gazette: 'views', id: String(a3.id), count: 'true' },
    ].map((d) => parseSpec(d)!);

    const { keys, picked } = await load(specs);
    expect(keys.sort()).toEqual(
      [
        `GET /api/v1/articles?channel=${news.slug}&limit=5`,
        'GET /api/v1/articles/popular?window=30d&limit=5',
        `GET /api/v1/articles?ids=${a1.id},${a3.id},999999`,
        `GET /api/v1/views?ids=${a1.id},${a2.id}`,
        `POST /api/v1/articles/${a3.id}/views`,
      ].sort(),
    );

    const [latest1, latest5, popular, card1, card3, cardMissing, views1, views2, counted] =
      picked as any[];
    expect(titles(latest1.items)).toEqual(['要闻二']);
    expect(titles(latest5.items)).toEqual(['要闻二', '要闻一']);
    expect(popular.kind).toBe('list');
    expect(card1.article).toMatchObject({
      id: a1.id,
      title: '要闻一',
      summary: '摘要一',
      source: '日报',
      views: 0,
      url: `http://gazette.test/articles/${a1.id}/${a1.slug}`,
    });
    expect(card1.article.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*\+08:00$/);
    expect(card3.article.title).toBe('公告一');
    expect(cardMissing).toEqual({ kind: 'article', article: null });
    expect(views1).toEqual({ kind: 'views', views: 0 });
    expect(views2).toEqual({ kind: 'views', views: 0 });
    expect(counted).toEqual({ kind: 'views', views: 1 });

    // The beacon leaves a flush alarm behind; run it so later files start clean.
    await runDurableObjectAlarm(viewCounter(env, a3.id, 0));
  });

  it('leaves a counter for an unknown article out of the batch answer', async () => {
    const spec = parseSpec({ gazette: 'views', id: '888888' })!;
    const { picked } = await load([spec]);
    expect(picked[0]).toEqual({ kind: 'views', views: null });
  });

  it('gets a 404 for the beacon of an unknown article and for an unknown channel', async () => {
    for (const spec of [
      parseSpec({ gazette: 'views', id: '777777', count: 'true' })!,
      parseSpec({ gazette: 'latest', channel: 'no-such-channel' })!,
      parseSpec({ gazette: 'popular', channel: 'no-such-channel' })!,
    ]) {
      const [call] = planCalls([spec]);
      const res = await get(call!.path, { method: call!.method, headers: reader });
      expect(res.status, callKey(call!)).toBe(404);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    }
  });
});
