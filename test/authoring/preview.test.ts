import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, now, useClock, type Clock } from '../../src/lib/clock';
import { admin, expectProblem, get, issueToken, json, seedChannel, testDb } from '../helpers';

let restore: Clock | undefined;
afterEach(() => {
  if (restore) useClock(restore);
  restore = undefined;
});

async function draftWithLink(extra: object = {}) {
  const channel = await seedChannel(testDb(), { name: '预览栏目' });
  const token = await issueToken('editor');
  const created = await json(
    await admin('/articles', {
      token,
      json: {
        title: '尚未发布的稿件',
        body: '<p>草稿正文</p>',
        channel: channel.slug,
        source: '本报',
      },
    }),
  );
  const link = await admin(`/articles/${created.data.id}/preview-link`, {
    token,
    method: 'POST',
    ...extra,
  });
  return { token, id: created.data.id as number, link };
}

describe('POST /api/v1/admin/articles/:id/preview-link', () => {
  it('returns a signed link, valid for 24 hours, to the draft page marked as a preview', async () => {
    const t0 = now();
    restore = useClock(fixedClock(t0));
    const { id, link } = await draftWithLink();
    expect(link.status).toBe(201);
    const { data } = await json(link);
    expect(data.url).toMatch(
      new RegExp(`^http://gazette\\.test/preview/articles/${id}\\?exp=\\d+&sig=[\\w-]+$`),
    );
    expect(new Date(data.expiresAt).getTime()).toBe(Math.floor(t0 / 1000) * 1000 + 86_400_000);

    const before = await env.DB.prepare('select view_count v from articles where id = ?')
      .bind(id)
      .first();
    const page = await get(new URL(data.url).pathname + new URL(data.url).search);
    expect(page.status).toBe(200);
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    expect(page.headers.get('X-Robots-Tag')).toMatch(/noindex/);
    const html = await page.text();
    expect(html).toContain('尚未发布的稿件');
    expect(html).toContain('草稿正文');
    expect(html).toContain('data-preview');
    expect(html).toContain('<meta name="robots" content="noindex"');
    // No view beacon: the page carries no article id for the script and loads no script.
    expect(html).not.toContain('data-article-id');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const after = await env.DB.prepare('select view_count v from articles where id = ?')
      .bind(id)
      .first();
    expect(after).toEqual(before);
    // The draft itself stays private.
    expect((await get(`/api/v1/articles/${id}`)).status).toBe(404);
  });

  it('refuses an altered, foreign or expired link with a 404 page', async () => {
    const t0 = now();
    const clock = fixedClock(t0);
    restore = useClock(clock);
    const { id, link } = await draftWithLink({ json: { expiresInSeconds: 600 } });
    const url = new URL((await json(link)).data.url);
    const sig = url.searchParams.get('sig')!;
    const exp = url.searchParams.get('exp')!;
    expect((await get(`${url.pathname}${url.search}`)).status).toBe(200);
    for (const path of [
      `/preview/articles/${id}?exp=${Number(exp) + 1}&sig=${sig}`,
      `/preview/articles/${id + 1}?exp=${exp}&sig=${sig}`,
      `/preview/articles/${id}?exp=${exp}&sig=${sig.slice(0, -1)}x`,
      `/preview/articles/${id}`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
    }
    clock.set(t0 + 601_000);
    expect((await get(`${url.pathname}${url.search}`)).status).toBe(404);
  });

  it('answers 404 for an unknown article and 403 for a reader-preview token', async () => {
    const token = await issueToken('editor');
    await expectProblem(
      await admin('/articles/987654321/preview-link', { token, method: 'POST' }),
      404,
      'not_found',
    );
    const { id } = await draftWithLink();
    const reviewer = await issueToken('reader-preview');
    await expectProblem(
      await admin(`/articles/${id}/preview-link`, { token: reviewer, method: 'POST' }),
      403,
      'forbidden',
    );
  });
});
