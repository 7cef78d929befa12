import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { resolveMediaAttachments } from '../../src/media/queries';
import { expectProblem, get, json, seedArticle, seedChannel, testDb } from '../helpers';
import { adminHeaders, bucketKeys, pdfBytes, pngBytes, upload } from './helpers';

async function stored(bytes: Uint8Array, name: string) {
  const { data } = await json(await upload(bytes, name));
  return data as {
    id: number;
    hash: string;
    url: string;
    name: string;
    size: number;
    type: string;
  };
}

async function remove(id: number): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://gazette.test/api/v1/admin/media/${id}`, {
      method: 'DELETE',
      headers: await adminHeaders(),
    }),
  );
}

describe('DELETE /api/v1/admin/media/{id}', () => {
  it('deletes unused media and its object, and the URL stops serving', async () => {
    const file = await stored(pdfBytes(800, 61), '废弃.pdf');
    const res = await remove(file.id);
    expect(res.status).toBe(204);
    expect(await bucketKeys(`media/${file.hash}`)).toEqual([]);
    expect((await get(new URL(file.url).pathname)).status).toBe(404);
    const audit = await env.DB.prepare(
      "select action from audit_log where target_type = 'media' and target_id = ? order by id",
    )
      .bind(String(file.id))
      .all();
    expect(audit.results.map((r) => r.action)).toEqual(['media.upload', 'media.delete']);
  });

  it('keeps the object while another name still points at the same bytes', async () => {
    const bytes = pdfBytes(800, 62);
    const a = await stored(bytes, '甲.pdf');
    const b = await stored(bytes, '乙.pdf');
    expect((await remove(a.id)).status).toBe(204);
    expect(await bucketKeys(`media/${a.hash}`)).toHaveLength(1);
    expect((await get(new URL(b.url).pathname)).status).toBe(200);
  });

  it('answers 409 while an article lists it as an attachment', async () => {
    const file = await stored(pdfBytes(900, 63), '附件.pdf');
    const db = testDb();
    const channel = await seedChannel(db);
    const { attachments } = await resolveMediaAttachments(db, [{ mediaId: file.id }]);
    const article = await seedArticle(db, { channelSlug: channel.slug, attachments });
    const problem = await expectProblem(await remove(file.id), 409, 'media_in_use');
    expect(problem.detail).toContain(String(article.id));
    expect(await bucketKeys(`media/${file.hash}`)).toHaveLength(1);
  });

  it('answers 409 while an article body shows it as an image', async () => {
    const file = await stored(pngBytes(900, 64), '配图.png');
    const db = testDb();
    const channel = await seedChannel(db);
    await seedArticle(db, {
      channelSlug: channel.slug,
      body: `<p>正文</p><p><img src="${new URL(file.url).pathname}" alt="配图"></p>`,
    });
    await expectProblem(await remove(file.id), 409, 'media_in_use');
    expect((await get(new URL(file.url).pathname)).status).toBe(200);
  });

  it('answers 404 for unknown media and 400 for a bad id', async () => {
    await expectProblem(await remove(987654321), 404, 'not_found');
    const res = await exports.default.fetch(
      new Request('http://gazette.test/api/v1/admin/media/abc', {
        method: 'DELETE',
        headers: await adminHeaders(),
      }),
    );
    await expectProblem(res, 400, 'invalid_parameter');
  });
});

describe('attachments that reference media', () => {
  it('resolves media ids to URL, size and type, and names the missing ones', async () => {
    const file = await stored(pdfBytes(2048, 65), '2024年预算说明.pdf');
    const db = testDb();
    const result = await resolveMediaAttachments(db, [
      { mediaId: file.id },
      { mediaId: file.id, name: '预算说明（修订）.pdf' },
      { mediaId: 99999999 },
    ]);
    expect(result.missing).toEqual([99999999]);
    expect(result.attachments).toEqual([
      {
        name: '2024年预算说明.pdf',
        url: new URL(file.url).pathname,
        size: file.size,
        contentType: 'application/pdf',
        mediaId: file.id,
      },
      expect.objectContaining({ name: '预算说明（修订）.pdf', mediaId: file.id }),
    ]);
  });

  it('shows the media id, format and human size in the API and on the page', async () => {
    const xlsxLike = pdfBytes(38 * 1024 - 100, 66);
    const file = await stored(xlsxLike, '2024年预算表.pdf');
    const db = testDb();
    const channel = await seedChannel(db);
    const { attachments } = await resolveMediaAttachments(db, [{ mediaId: file.id }]);
    const article = await seedArticle(db, { channelSlug: channel.slug, attachments });
    const { data } = await json(await get(`/api/v1/articles/${article.id}`));
    expect(data.attachments).toEqual([
      {
        name: '2024年预算表.pdf',
        url: file.url,
        size: file.size,
        contentType: 'application/pdf',
        mediaId: file.id,
        format: 'PDF',
        sizeText: '38 KB',
      },
    ]);
    const page = await get(`/articles/${article.id}/${article.slug}`);
    const html = await page.text();
    expect(html).toContain('2024年预算表.pdf</a><span class="file-meta">（38 KB）</span>');
    expect(html).toContain(`href="${file.url}"`);
  });
});
