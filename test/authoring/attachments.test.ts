import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, expectProblem, get, issueToken, json, seedChannel, testDb } from '../helpers';
import { pdfBytes, upload } from '../media/helpers';

describe('POST /api/v1/admin/articles with uploaded attachments', () => {
  it('takes attachments by media id, with the upload’s URL, size and type, in the order given', async () => {
    const token = await issueToken('editor');
    const { data: file } = await json(await upload(pdfBytes(38_000, 71), '2024年预算表.pdf'));
    const channel = await seedChannel(testDb());
    const created = await admin('/articles', {
      token,
      json: {
        title: '关于公布2024年预算的通知',
        body: '<p>见附件。</p>',
        channel: channel.slug,
        attachments: [
          { name: '说明.doc', url: 'https://example.gov.cn/a.doc' },
          { mediaId: file.id, name: '预算表（草案）.pdf' },
        ],
      },
    });
    expect(created.status).toBe(201);
    const { data: article } = await json(created);
    expect((await admin(`/articles/${article.id}/publish`, { token, json: {} })).status).toBe(200);

    const { data } = await json(await get(`/api/v1/articles/${article.id}`));
    expect(data.attachments).toEqual([
      expect.objectContaining({
        name: '说明.doc',
        url: 'https://example.gov.cn/a.doc',
        mediaId: null,
      }),
      expect.objectContaining({
        name: '预算表（草案）.pdf',
        mediaId: file.id,
        size: file.size,
        contentType: 'application/pdf',
        url: expect.stringContaining(`/media/${file.hash}/`),
      }),
    ]);
  });

  it('answers 422 for an unknown media id and writes nothing', async () => {
    const token = await issueToken('editor');
    const channel = await seedChannel(testDb());
    const before = await env.DB.prepare('select count(*) as n from articles').first<{
      n: number;
    }>();
    const problem = await expectProblem(
      await admin('/articles', {
        token,
        json: {
          title: '附件不存在',
          body: '<p>正文</p>',
          channel: channel.slug,
          attachments: [{ mediaId: 999_999 }],
        },
      }),
      422,
      'unprocessable',
    );
    expect(problem.invalidParams).toEqual([expect.objectContaining({ name: 'attachments' })]);
    const after = await env.DB.prepare('select count(*) as n from articles').first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it('refuses an attachment that mixes a link and a media id', async () => {
    const token = await issueToken('editor');
    const channel = await seedChannel(testDb());
    const res = await admin('/articles', {
      token,
      json: {
        title: '混合附件',
        body: '<p>正文</p>',
        channel: channel.slug,
        attachments: [{ mediaId: 1, url: 'https://example.gov.cn/x.pdf', name: 'x.pdf' }],
      },
    });
    expect(res.status).toBe(422);
  });
});
