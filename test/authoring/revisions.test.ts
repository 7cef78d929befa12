import { describe, expect, it } from 'vitest';
import { createArticle, transitionArticle, writeArticle } from '../../src/authoring/commands';
import { listRevisions } from '../../src/authoring/queries';
import {
  admin,
  expectProblem,
  get,
  issueToken,
  json,
  seedChannel,
  testDb,
  timeZone,
  uniqueSlug,
} from '../helpers';

async function draft(token: string) {
  const channel = await seedChannel(testDb());
  const res = await admin('/articles', {
    token,
    json: {
      title: '初稿标题',
      body: '<p>初稿</p>',
      channel: channel.slug,
      slug: uniqueSlug('rev'),
    },
  });
  return { article: (await json(res)).data, etag: res.headers.get('ETag')!, channel };
}

async function patch(token: string, id: number, etag: string, body: object) {
  const res = await admin(`/articles/${id}`, {
    token,
    method: 'PATCH',
    json: body,
    headers: { 'If-Match': etag },
  });
  expect(res.status).toBe(200);
  return res.headers.get('ETag')!;
}

describe('GET /api/v1/admin/articles/:id/revisions', () => {
  it('lists revisions newest first with who, when and why', async () => {
    const token = await issueToken('editor', { name: 'rev-editor' });
    const { article, etag } = await draft(token);
    await patch(token, article.id, etag, { title: '二稿标题' });
    await admin(`/articles/${article.id}/publish`, { token, method: 'POST' });
    const res = await admin(`/articles/${article.id}/revisions`, { token });
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data.map((r: any) => [r.number, r.reason, r.actor, r.status, r.published])).toEqual([
      [3, 'publish', 'rev-editor', 'published', true],
      [2, 'save', 'rev-editor', 'draft', false],
      [1, 'create', 'rev-editor', 'draft', false],
    ]);
    expect(data[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  });

  it('answers 404 for an unknown article or revision, 400 for a bad number', async () => {
    const token = await issueToken('editor');
    const { article } = await draft(token);
    await expectProblem(await admin('/articles/987654321/revisions', { token }), 404, 'not_found');
    await expectProblem(
      await admin(`/articles/${article.id}/revisions/9`, { token }),
      404,
      'not_found',
    );
    await expectProblem(
      await admin(`/articles/${article.id}/revisions/x`, { token }),
      400,
      'invalid_parameter',
    );
  });
});

describe('revisions: one, a diff, a restore', () => {
  it('returns a revision with its content, a field diff, and restores an older one', async () => {
    const token = await issueToken('editor');
    const { article, etag } = await draft(token);
    const etag2 = await patch(token, article.id, etag, { title: '二稿标题', body: '<p>二稿</p>' });

    const one = await json(await admin(`/articles/${article.id}/revisions/1`, { token }));
    expect(one.data).toMatchObject({
      number: 1,
      content: { title: '初稿标题', body: '<p>初稿</p>' },
    });

    const diff = await json(
      await admin(`/articles/${article.id}/revisions/diff?from=1&to=2`, { token }),
    );
    expect(diff.data.changes).toEqual([
      { field: 'title', from: '初稿标题', to: '二稿标题' },
      { field: 'summary', from: '初稿', to: '二稿' },
      { field: 'body', from: '<p>初稿</p>', to: '<p>二稿</p>' },
    ]);

    await expectProblem(
      await admin(`/articles/${article.id}/revisions/1/restore`, {
        token,
        method: 'POST',
        headers: { 'If-Match': etag },
      }),
      412,
      'precondition_failed',
    );
    const restored = await admin(`/articles/${article.id}/revisions/1/restore`, {
      token,
      method: 'POST',
      headers: { 'If-Match': etag2 },
    });
    expect(restored.status).toBe(200);
    expect((await json(restored)).data).toMatchObject({
      title: '初稿标题',
      body: '<p>初稿</p>',
      version: 3,
    });
    const list = await json(await admin(`/articles/${article.id}/revisions`, { token }));
    expect(list.data[0]).toMatchObject({ number: 3, reason: 'restore' });
  });

  it('keeps at most the cap, dropping the oldest first but never a published version', async () => {
    const db = testDb();
    const channel = await seedChannel(db);
    const actor = { name: 'cap-test', role: 'editor' };
    const { id } = await createArticle(
      db,
      { channelSlug: channel.slug, title: 'cap', body: '<p>0</p>', status: 'draft' },
      { timeZone, actor },
    );
    const ctx = { actor, timeZone, revisionCap: 3 };
    await transitionArticle(db, id, 'publish', ctx);
    for (let i = 1; i <= 5; i++) {
      await writeArticle(
        db,
        id,
        { body: `<p>${i}</p>` },
        { ...ctx, reason: 'save', action: 'article.update' },
      );
    }
    const kept = await listRevisions(db, id);
    // 1 create, 2 publish (published), 3..7 saves: the newest three saves and the publish stay.
    expect(kept.map((r) => [r.number, r.reason])).toEqual([
      [7, 'save'],
      [6, 'save'],
      [5, 'save'],
      [2, 'publish'],
    ]);
  });
});

describe('slugs set by an editor', () => {
  it('keeps the old slug redirecting (301) after a change', async () => {
    const token = await issueToken('editor');
    const { article, etag } = await draft(token);
    await admin(`/articles/${article.id}/publish`, { token, method: 'POST' });
    const current = await admin(`/articles/${article.id}`, { token });
    const newSlug = uniqueSlug('renamed');
    await patch(token, article.id, current.headers.get('ETag')!, { slug: newSlug });
    expect(etag).not.toBe(current.headers.get('ETag'));

    const short = await get(`/articles/${article.slug}`, { redirect: 'manual' });
    expect(short.status).toBe(301);
    expect(new URL(short.headers.get('Location')!, 'http://x').pathname).toBe(
      `/articles/${article.id}`,
    );
    const old = await get(`/articles/${article.id}/${article.slug}`, { redirect: 'manual' });
    expect(old.status).toBe(301);
    expect(new URL(old.headers.get('Location')!, 'http://x').pathname).toBe(
      `/articles/${article.id}/${newSlug}`,
    );
    expect((await get(`/articles/${article.id}/${newSlug}`)).status).toBe(200);

    // The old slug stays reserved: a new article with the same title does not take it.
    await expectProblem(
      await admin(`/articles/${article.id}`, {
        token,
        method: 'PATCH',
        json: { slug: 'Bad Slug' },
        headers: { 'If-Match': '*' },
      }),
      422,
      'unprocessable',
    );
  });
});
