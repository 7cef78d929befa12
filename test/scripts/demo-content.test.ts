import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { demoChannels, generateDemoArticles } from '../../scripts/demo-content';
import { seedDemo } from '../../scripts/demo-seed';
import { now } from '../../src/lib/clock';
import { get, json, testDb } from '../helpers';

describe('demo content (npm run db:seed)', () => {
  it('goes in through the authoring commands and replaces what is there when run again', async () => {
    const articles = generateDemoArticles({ count: 6, newest: now(), includeHidden: true });
    // The write path sanitizes: a body the seed got wrong still comes out clean.
    articles[0]!.body += '<script>alert(1)</script>';
    expect(demoChannels.some((c) => c.parentSlug)).toBe(true);
    await seedDemo(testDb(), articles);
    const created = await seedDemo(testDb(), articles);
    expect(created).toHaveLength(9);
    const counts = await env.DB.prepare(
      `SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM channels) AS channels,
        (SELECT count(*) FROM article_revisions WHERE reason = 'import') AS revisions,
        (SELECT count(*) FROM articles WHERE body LIKE '%<script%') AS unsafe,
        (SELECT status FROM articles WHERE slug = 'scheduled-festival-guide') AS scheduled`,
    ).first();
    expect(counts).toEqual({
      articles: 9,
      channels: demoChannels.length,
      revisions: 9,
      unsafe: 0,
      scheduled: 'scheduled',
    });
    const first = created.find((a) => a.slug === articles[0]!.slug)!;
    const res = await get(`/api/v1/articles/${first.id}`);
    expect(res.status).toBe(200);
    expect((await json(res)).data.title).toBe(articles[0]!.title);
  });
});
