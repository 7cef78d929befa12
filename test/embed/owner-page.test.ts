import { describe, expect, it } from 'vitest';
import { expectProblem, get, seedArticleInNewChannel } from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

describe('GET /embed', () => {
  it('runs its caching middleware once: its own lifetime, one Vary entry', async () => {
    const res = await get('/embed');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe(
      'public, max-age=300, stale-while-revalidate=3600',
    );
    expect(res.headers.get('Vary')).toBe('Accept-Encoding');
    const frame = await get('/embed/channels/no-such-channel-here');
    expect(frame.headers.get('Cache-Control')).toBe('public, max-age=60');
  });

  it('shows a copy-paste snippet for every widget kind, escaped as text', async () => {
    const { channel, id } = await seedArticleInNewChannel();
    const res = await get('/embed');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    const page = await res.text();
    expect(page).toContain(
      '<code id="s-script">&lt;script async src=&quot;http://gazette.test/embed.js&quot;&gt;&lt;/script&gt;</code>',
    );
    expect(page).toContain(
      `&lt;div data-gazette=&quot;latest&quot; data-channel=&quot;${channel.slug}&quot; data-limit=&quot;5&quot;&gt;&lt;/div&gt;`,
    );
    expect(page).toContain(
      '&lt;div data-gazette=&quot;popular&quot; data-window=&quot;7d&quot; data-limit=&quot;5&quot;&gt;&lt;/div&gt;',
    );
    expect(page).toContain(
      `&lt;div data-gazette=&quot;article&quot; data-id=&quot;${id}&quot;&gt;`,
    );
    expect(page).toContain(
      `浏览次数：&lt;span data-gazette=&quot;views&quot; data-id=&quot;${id}&quot; data-count=&quot;true&quot;&gt;&lt;/span&gt;`,
    );
    expect(page).toContain(`&lt;iframe src=&quot;http://gazette.test/embed/articles/${id}&quot;`);
    expect(page).toContain(
      `&lt;iframe src=&quot;http://gazette.test/embed/channels/${channel.slug}&quot;`,
    );
    expect(page).toContain('/oembed?url=http%3A%2F%2Fgazette.test%2Farticles%2F');
    expect(page).toContain('--gazette-accent');
  });

  it('previews live widgets of the newest article, without counting a view', async () => {
    const { channel, id } = await seedArticleInNewChannel({
      publishedAt: new Date(clockNow() - 1000),
    });
    const page = await (await get('/embed')).text();
    expect(page).toContain(
      `<div data-gazette="latest" data-channel="${channel.slug}" data-limit="5"></div>`,
    );
    expect(page).toContain('<div data-gazette="popular" data-window="7d" data-limit="5"></div>');
    expect(page).toContain(`<div data-gazette="article" data-id="${id}"></div>`);
    expect(page).toContain(`<span data-gazette="views" data-id="${id}"></span>`);
    expect(page).not.toMatch(/<span data-gazette="views"[^>]*data-count/);
    expect(page).toContain(`<iframe src="http://gazette.test/embed/articles/${id}"`);
    expect(page).toMatch(/<script async="" src="\/embed(\.[0-9a-f]{10})?\.js"><\/script>/);
  });

  it('previews the article and channel given in the query, in English with ?lang=en', async () => {
    const res = await get('/embed?article=42&channel=city-news&lang=en');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(page).toContain('<div data-gazette="article" data-id="42"></div>');
    expect(page).toContain('data-channel="city-news"');
    expect(page).toContain('Views: &lt;span data-gazette=&quot;views&quot;');
  });

  it('allows its own scripts and styles by origin and hash, and cannot be framed', async () => {
    const res = await get('/embed');
    const page = await res.text();
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(csp).toContain(`script-src 'self' ${await hashOf(scripts[0]!)}`);
    expect(csp).toContain(`style-src ${await hashOf(style)}`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
  });

  it('keeps its own policy on a 304, so a revalidated page still runs its scripts', async () => {
    const first = await get('/embed?article=7');
    const again = await get('/embed?article=7', {
      headers: { 'If-None-Match': first.headers.get('ETag')! },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('Content-Security-Policy')).toBe(
      first.headers.get('Content-Security-Policy'),
    );
  });

  it('refuses a malformed preview parameter with a problem document', async () => {
    const bad = await expectProblem(await get('/embed?article=abc'), 400, 'invalid_parameter');
    expect(bad.invalidParams[0].name).toBe('article');
    const slug = await expectProblem(
      await get('/embed?channel=Not%20A%20Slug'),
      400,
      'invalid_parameter',
    );
    expect(slug.invalidParams[0].name).toBe('channel');
    await expectProblem(await get('/embed?lang=de'), 400, 'invalid_parameter');
  });
});
