import { describe, expect, it } from 'vitest';
import { get, json, seedArticleInNewChannel } from '../helpers';

describe('oEmbed discovery on article pages', () => {
  it('links the oEmbed endpoint for the canonical URL, and the link answers', async () => {
    const { id, slug } = await seedArticleInNewChannel({
      title: '发现链接 & "测试"',
    });
    const page = await (await get(`/articles/${id}/${slug}`)).text();
    const canonical = `http://gazette.test/articles/${id}/${slug}`;
    const href = `http://gazette.test/oembed?url=${encodeURIComponent(canonical)}&format=json`;
    const link = /<link rel="alternate" type="application\/json\+oembed"[^>]*>/.exec(page)?.[0];
    expect(link).toBe(
      `<link rel="alternate" type="application/json+oembed" href="${href.replaceAll('&', '&amp;')}" title="发现链接 &amp; &quot;测试&quot;"/>`,
    );
    // The head must carry it, where consumers look.
    expect(page.indexOf(link!)).toBeLessThan(page.indexOf('</head>'));

    const res = await get(href.replace('http://gazette.test', ''));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      type: 'rich',
      version: '1.0',
      title: '发现链接 & "测试"',
    });
  });
});
