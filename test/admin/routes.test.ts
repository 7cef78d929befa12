import { describe, expect, it } from 'vitest';
import { now } from '../../src/lib/clock';
import { browserGet, seedUser, signInAs } from '../auth/browser';
import { seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';

/** The titles of the article list's rows, in order. */
function listedTitles(html: string): string[] {
  const tbody = /<table class="article-list">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1];
  return [...(tbody ?? '').matchAll(/<tr>[\s\S]*?<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]!);
}

describe('GET /admin', () => {
  it('searches titles and sorts by update, publication or views, showing both in the filter form', async () => {
    const db = testDb();
    const channel = await seedChannel(db, { name: '要闻动态' });
    const author = uniqueSlug('author');
    const hour = 3_600_000;
    const seeds = [
      { title: '市政府召开常务会议', viewBase: 40, publishedAt: new Date(now() - 3 * hour) },
      { title: '盘锦港集装箱吞吐量创新高', viewBase: 900, publishedAt: new Date(now() - hour) },
      {
        title: '关于做好冬季供暖工作的通知',
        viewBase: 7,
        publishedAt: new Date(now() - 2 * hour),
      },
    ];
    for (const s of seeds) {
      await seedArticle(db, { channelSlug: channel.slug, author, ...s });
    }
    const user = await seedUser('editor');
    const browser = await signInAs(user.username);
    const page = async (query: string) => {
      const res = await browserGet(`/admin?author=${author}&${query}`, browser);
      expect(res.status).toBe(200);
      return res.text();
    };

    expect(listedTitles(await page(`q=${encodeURIComponent('吞吐量')}`))).toEqual([
      '盘锦港集装箱吞吐量创新高',
    ]);
    expect(listedTitles(await page('sort=views'))).toEqual([
      '盘锦港集装箱吞吐量创新高',
      '市政府召开常务会议',
      '关于做好冬季供暖工作的通知',
    ]);
    expect(listedTitles(await page('sort=published'))).toEqual([
      '盘锦港集装箱吞吐量创新高',
      '关于做好冬季供暖工作的通知',
      '市政府召开常务会议',
    ]);
    const html = await page(`sort=views&q=${encodeURIComponent('会')}`);
    expect(listedTitles(html)).toEqual(['市政府召开常务会议']);
    expect(html).toContain('<option value="views" selected="">');
    expect(html).toMatch(/<input type="search" name="q" value="会"/);
    // An unknown sort is the default order, not an error page.
    expect(listedTitles(await page('sort=oldest'))).toHaveLength(3);
  });
});
