import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { viewCounter } from '../../src/views/counter-client';
import { findCountableArticles, setLegacyViews, writeShardTotals } from '../../src/views/queries';
import { testDb, seedArticleInNewChannel } from '../helpers';
import { now as clockNow, nowDate } from '../../src/lib/clock';

describe('setLegacyViews', () => {
  it('sets the carried-over count and keeps the flushed total consistent with counted views', async () => {
    const db = testDb();
    const { id } = await seedArticleInNewChannel();
    const counter = viewCounter(env, id, 0);
    await counter.hit({
      articleId: id,
      shard: 0,
      ip: '203.0.113.1',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36',
      now: clockNow(),
    });
    await runDurableObjectAlarm(counter);
    expect(await setLegacyViews(db, id, 712)).toBe(true);
    const [article] = (await findCountableArticles(db, [id], nowDate())).values();
    expect(article).toMatchObject({ viewBase: 712, viewCount: 713, visitorCount: 1 });
  });

  it('reports an unknown article', async () => {
    expect(await setLegacyViews(testDb(), 987_654_321, 712)).toBe(false);
  });
});

describe('findCountableArticles', () => {
  it('returns only published, already public articles', async () => {
    const db = testDb();
    const live = await seedArticleInNewChannel();
    const draft = await seedArticleInNewChannel({ status: 'draft', publishedAt: null });
    const scheduled = await seedArticleInNewChannel({
      publishedAt: new Date(clockNow() + 3_600_000),
    });
    const found = await findCountableArticles(db, [live.id, draft.id, scheduled.id], nowDate());
    expect([...found.keys()]).toEqual([live.id]);
    expect(found.get(live.id)).toMatchObject({ viewShards: 1, viewBase: 0 });
  });
});

describe('writeShardTotals', () => {
  it('sums every shard into the article totals, idempotently', async () => {
    const db = testDb();
    const { id } = await seedArticleInNewChannel({ viewBase: 100 });
    const day = '2026-11-28';
    await writeShardTotals(db, {
      articleId: id,
      shard: 0,
      days: [{ day, views: 3, visitors: 2 }],
      rejections: [],
    });
    await writeShardTotals(db, {
      articleId: id,
      shard: 1,
      days: [{ day, views: 4, visitors: 4 }],
      rejections: [{ day, reason: 'bot', count: 2 }],
    });
    await writeShardTotals(db, {
      articleId: id,
      shard: 0,
      days: [{ day, views: 3, visitors: 2 }],
      rejections: [],
    });
    const [article] = (await findCountableArticles(db, [id], nowDate())).values();
    expect(article).toMatchObject({ viewCount: 107, visitorCount: 6 });
    const rejections = await env.DB.prepare(
      'SELECT reason, count FROM view_rejections_daily WHERE article_id = ?',
    )
      .bind(id)
      .all();
    expect(rejections.results).toEqual([{ reason: 'bot', count: 2 }]);
  });

  it("answers the rows D1 wrote, so the counters can book a flush's cost", async () => {
    const db = testDb();
    const { id } = await seedArticleInNewChannel();
    const written = await writeShardTotals(db, {
      articleId: id,
      shard: 0,
      days: [{ day: '2026-11-28', views: 5, visitors: 5 }],
      rejections: [{ day: '2026-11-28', reason: 'bot', count: 1 }],
    });
    // At least the day row, the rejection row and the article's totals (indexes add more).
    expect(written.rowsWritten).toBeGreaterThanOrEqual(3);
  });

  it("writes 3 D1 rows per steady flush: the shard's day, the article, its view-count index", async () => {
    const db = testDb();
    const { id } = await seedArticleInNewChannel();
    const flush = (views: number) =>
      writeShardTotals(db, {
        articleId: id,
        shard: 0,
        days: [{ day: '2026-11-29', views, visitors: views }],
        rejections: [],
      });
    await flush(10);
    // The day index leaves out views and visitors, so rewriting the day row leaves it alone.
    expect((await flush(20)).rowsWritten).toBe(3);
    const [article] = (await findCountableArticles(db, [id], nowDate())).values();
    expect(article).toMatchObject({ viewCount: 20, visitorCount: 20 });
  });
});
