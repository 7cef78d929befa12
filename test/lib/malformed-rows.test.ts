import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wellFormed } from '../../src/lib/rows';
import { get, json, seedArticlesInNewChannel } from '../helpers';

afterEach(() => vi.restoreAllMocks());

function captureWarnings() {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
    lines.push(JSON.parse(String(line)) as Record<string, unknown>);
  });
  return lines;
}

/** A channel with two good articles and two whose stored dates are garbage. */
async function seedWithBadRows() {
  const {
    channel,
    articles: [good1, good2, badPublished, badUpdated],
  } = await seedArticlesInNewChannel(
    [
      { title: '完好的文章一' },
      { title: '完好的文章二' },
      { title: '坏发布时间' },
      { title: '坏更新时间' },
    ],
    { name: '坏数据栏目' },
  );
  const good = [good1, good2];
  // Written behind the app's back: beyond any Date's range, and not a number at all.
  await env.DB.batch([
    env.DB.prepare('UPDATE articles SET published_at = ? WHERE id = ?').bind(
      -9_000_000_000_000_000,
      badPublished.id,
    ),
    env.DB.prepare("UPDATE articles SET updated_at = 'garbage' WHERE id = ?").bind(badUpdated.id),
  ]);
  return { channel, good, bad: [badPublished, badUpdated] };
}

describe('lists with malformed stored rows', () => {
  it('GET /api/v1/articles skips the bad rows, lists the good ones and logs each skip', async () => {
    const warnings = captureWarnings();
    const { channel, good, bad } = await seedWithBadRows();
    const res = await get(`/api/v1/articles?channel=${channel.slug}`);
    expect(res.status).toBe(200);
    const ids = (await json(res)).data.map((a: { id: number }) => a.id);
    expect(ids.sort()).toEqual(good.map((a) => a.id).sort());
    const skipped = warnings.filter((w) => w.msg === 'skipped a malformed row');
    expect(skipped.map((w) => w.id).sort()).toEqual(bad.map((a) => a.id).sort());
    expect(skipped[0]).toMatchObject({ level: 'warn', list: 'articles' });
    expect(String(skipped[0]!.reason)).toMatch(/invalid date/);
  });

  it('the channel page, the home page, the feed and the channel frame still render', async () => {
    captureWarnings();
    const { channel } = await seedWithBadRows();
    for (const path of [
      `/channels/${channel.slug}`,
      '/',
      `/channels/${channel.slug}/feed.xml`,
      `/channels/${channel.slug}/atom.xml`,
      `/channels/${channel.slug}/feed.json`,
      `/embed/channels/${channel.slug}`,
      '/sitemap-news.xml',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      if (path !== '/' && path !== '/sitemap-news.xml')
        expect(text, path).toContain('完好的文章一');
      // Lists that show no updated date may keep the row whose updated_at is garbage.
      expect(text, path).not.toContain('坏发布时间');
    }
  });

  it('search hits skip the bad rows', async () => {
    captureWarnings();
    const { channel } = await seedWithBadRows();
    const res = await get(
      `/api/v1/search?q=${encodeURIComponent('坏发布时间')}&channel=${channel.slug}`,
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(await json(res))).not.toContain('坏发布时间');
  });
});

describe('wellFormed()', () => {
  it('skips a row whose JSON column is broken and keeps the rest, in order', () => {
    const warnings = captureWarnings();
    const rows = [
      { id: 1, tags: '[]' },
      { id: 2, tags: '[{"slug":' },
      { id: 3, tags: '[{"slug":"a"}]' },
    ];
    const out = wellFormed(rows, (r) => ({ id: r.id, tags: JSON.parse(r.tags) as unknown[] }), 'x');
    expect(out.map((r) => r.id)).toEqual([1, 3]);
    expect(warnings).toEqual([
      expect.objectContaining({ msg: 'skipped a malformed row', list: 'x', id: 2 }),
    ]);
    expect(String(warnings[0]!.reason)).toMatch(/SyntaxError/);
  });

  it('skips a row that maps to an invalid date', () => {
    captureWarnings();
    const out = wellFormed([1, Number.NaN], (n) => ({ at: new Date(n) }), 'x');
    expect(out).toHaveLength(1);
  });
});
