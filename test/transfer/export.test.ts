import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, clockAt, expectProblem, issueToken, json } from '../helpers';
import { pdfBytes, upload } from '../media/helpers';

clockAt('2024-06-01T12:00:00+08:00');

/** Every content table emptied (the uploaded bytes stay in R2, as after restoring a bucket). */
async function emptyDatabase() {
  await env.DB.batch(
    [
      'DELETE FROM view_rejections_daily',
      'DELETE FROM article_views_daily',
      'DELETE FROM article_revisions',
      'DELETE FROM article_former_slugs',
      'DELETE FROM attachments',
      'DELETE FROM article_tags',
      'DELETE FROM tags',
      'DELETE FROM articles',
      'DELETE FROM media',
      'DELETE FROM search_trigram',
      'DELETE FROM search_unigram',
      'UPDATE channels SET parent_id = NULL',
      'DELETE FROM channels',
    ].map((s) => env.DB.prepare(s)),
  );
}

async function exportText(token: string): Promise<string> {
  const res = await admin('/export', { token });
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('application/x-ndjson; charset=utf-8');
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  // Decoded here: workerd warns about .text() on a type it does not know as text.
  return new TextDecoder().decode(await res.arrayBuffer());
}

describe('GET /api/v1/admin/export', () => {
  it('streams the site as NDJSON that imports into an empty database and exports again byte for byte', async () => {
    const token = await issueToken('admin');
    const ok = (res: Response, status = 201) => {
      expect(res.status).toBe(status);
      return json(res);
    };
    await ok(await admin('/channels', { token, json: { slug: 'news', name: '要闻动态' } }));
    await ok(
      await admin('/channels', {
        token,
        json: { slug: 'local', name: '盘锦要闻', parent: 'news', position: 2, description: '本地' },
      }),
    );
    const { data: file } = await json(await upload(pdfBytes(3000, 9), '2024年预算表.pdf'));
    const article = (
      await ok(
        await admin('/articles', {
          token,
          json: {
            channel: 'local',
            title: '关于公开2024年财政预算的通知',
            body: '<p>现将预算表公开如下。</p><p><a href="https://example.org/x">链接</a></p>',
            source: '盘锦日报',
            tags: ['预算', '公开'],
            attachments: [
              { mediaId: file.id },
              { name: '说明.doc', url: 'https://files.example.org/a.doc', size: 1200 },
            ],
            document: { documentNumber: '盘政办发〔2024〕1号' },
            views: 712,
          },
        }),
      )
    ).data;
    const etag = `"a${article.id}-v${article.version}"`;
    await ok(
      await admin(`/articles/${article.id}`, {
        token,
        method: 'PATCH',
        headers: { 'If-Match': etag },
        json: { subtitle: '附预算表' },
      }),
      200,
    );
    await ok(
      await admin(`/articles/${article.id}/publish`, {
        token,
        json: { publishedAt: '2024-05-01T09:00:00+08:00' },
      }),
      200,
    );
    await ok(
      await admin('/articles', {
        token,
        json: { channel: 'news', title: 'A draft in English', body: '<p>Draft.</p>', lang: 'en' },
      }),
    );

    const first = await exportText(token);
    const lines = first
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual([
      'meta',
      'channel',
      'channel',
      'tag',
      'tag',
      'media',
      'article',
      'article',
    ]);
    const exported = lines.find((l) => l.title === '关于公开2024年财政预算的通知');
    expect(exported).toMatchObject({
      externalId: `gazette:${article.id}`,
      channel: 'local',
      status: 'published',
      views: 712,
      tags: ['预算', '公开'],
    });
    expect(exported.revisions.map((r: { reason: string }) => r.reason)).toEqual([
      'create',
      'save',
      'publish',
    ]);
    expect(exported.attachments[0]).toMatchObject({
      name: '2024年预算表.pdf',
      url: new URL(file.url).pathname,
      size: file.size,
    });

    await emptyDatabase();
    const imported = await admin('/import', {
      token,
      method: 'POST',
      body: first,
      headers: { 'Content-Type': 'application/x-ndjson' },
    });
    const report = (await json(imported)).data;
    expect(imported.status).toBe(200);
    expect(report).toMatchObject({ created: 2, rejected: 0, channelsCreated: 2, tagsCreated: 2 });

    const second = await exportText(token);
    expect(second).toBe(first);

    // The upload is linked again: it cannot be deleted while the article uses it.
    const media = await env.DB.prepare('SELECT id FROM media').first<{ id: number }>();
    await expectProblem(
      await admin(`/media/${media!.id}`, { token, method: 'DELETE' }),
      409,
      'media_in_use',
    );

    // Importing the export over the site it came from changes nothing.
    const over = await admin('/import', {
      token,
      method: 'POST',
      body: second,
      headers: { 'Content-Type': 'application/x-ndjson' },
    });
    expect((await json(over)).data).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await exportText(token)).toBe(first);
  });

  it('is for admins only', async () => {
    const editor = await issueToken('editor');
    await expectProblem(await admin('/export', { token: editor }), 403, 'forbidden');
    await expectProblem(await admin('/export'), 401, 'unauthorized');
  });
});
