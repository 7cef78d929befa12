import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { browserGet } from '../auth/browser';
import { get, json, seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';
import { expectDone, pageError, postForm, signedIn, withEdgeCache } from './structure-helpers';

async function tagRow(slug: string) {
  return env.DB.prepare('select name from tags where slug = ?')
    .bind(slug)
    .first<{ name: string }>();
}

async function tagsOf(id: number): Promise<{ slug: string; name: string }[]> {
  return (await json(await get(`/api/v1/articles/${id}`))).data.tags;
}

/** A word of its own per test, so searches see only that test's tags. */
function word(prefix: string) {
  return `${prefix}${uniqueSlug('').replace(/-/g, '')}`;
}

describe('GET /admin/tags', () => {
  it('lists tags with their article counts, most used first, and searches name and slug', async () => {
    const db = testDb();
    const channel = await seedChannel(db);
    const w = word('flood');
    const [busy, quiet] = [`${w}-busy`, `${w}-quiet`];
    await seedArticle(db, {
      channelSlug: channel.slug,
      tags: [
        { slug: busy, name: `防汛${w}` },
        { slug: quiet, name: `抗旱${w}` },
      ],
    });
    await seedArticle(db, { channelSlug: channel.slug, tags: [{ slug: busy, name: `防汛${w}` }] });
    // A deleted article's tag does not count.
    await seedArticle(db, {
      channelSlug: channel.slug,
      status: 'deleted',
      tags: [{ slug: quiet, name: `抗旱${w}` }],
    });
    const browser = await signedIn('admin');
    const res = await browserGet(`/admin/tags?q=${w}`, browser);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>标签管理</h1>');
    expect(html).toContain('<a href="/admin/tags" aria-current="page">标签管理</a>');
    const rows = [...html.matchAll(/<tr id="tag-([^"]+)"[\s\S]*?<td class="num">(\d+)<\/td>/g)].map(
      (m) => [m[1], Number(m[2])],
    );
    expect(rows).toEqual([
      [busy, 2],
      [quiet, 1],
    ]);
    expect(html).toContain(`<input type="search" name="q" value="${w}"`);

    const byName = await (
      await browserGet(`/admin/tags?q=${encodeURIComponent(`抗旱${w}`)}`, browser)
    ).text();
    expect([...byName.matchAll(/<tr id="tag-([^"]+)"/g)].map((m) => m[1])).toEqual([quiet]);
    const none = await (await browserGet(`/admin/tags?q=${w}-nothing`, browser)).text();
    expect(none).toContain('没有符合条件的标签。');
  });

  it('answers an editor with the 403 page', async () => {
    const editor = await signedIn('editor');
    const res = await browserGet('/admin/tags', editor);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('只有管理员可以管理栏目和标签。');
  });
});

describe('POST /admin/tags/:slug (rename)', () => {
  it('renames a tag and the public article page shows the new name at once, edge cache on', async () => {
    const call = withEdgeCache();
    const channel = await seedChannel(testDb());
    const slug = uniqueSlug('tag');
    const article = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [{ slug, name: '供暖' }],
    });
    const apiPath = `http://gazette.test/api/v1/articles/${article.id}`;
    expect((await json(await call(new Request(apiPath)))).data.tags).toEqual([
      { slug, name: '供暖' },
    ]);
    const browser = await signedIn('admin');
    expectDone(
      await postForm(`/admin/tags/${slug}`, browser, { name: '冬季供暖' }, { fetch: call }),
      '/admin/tags',
      'tagRenamed',
    );
    expect(await tagRow(slug)).toEqual({ name: '冬季供暖' });
    expect((await json(await call(new Request(apiPath)))).data.tags).toEqual([
      { slug, name: '冬季供暖' },
    ]);
    const html = await (await browserGet('/admin/tags?done=tagRenamed', browser)).text();
    expect(html).toContain('<p class="notice" role="status">标签已重命名。</p>');
  });

  it('refuses an empty name (422) inline beside the tag, and an unknown tag (404)', async () => {
    const channel = await seedChannel(testDb());
    const slug = uniqueSlug('tag');
    await seedArticle(testDb(), { channelSlug: channel.slug, tags: [{ slug, name: '原名' }] });
    const browser = await signedIn('admin');
    const res = await postForm(`/admin/tags/${slug}`, browser, { name: ' ' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(pageError(html)).toContain('填写的内容有误。');
    expect(html).toMatch(new RegExp(`<tr id="tag-${slug}"[^>]*>[\\s\\S]*?<p class="alert">`));
    expect(await tagRow(slug)).toEqual({ name: '原名' });
    const missing = await postForm(`/admin/tags/${uniqueSlug('none')}`, browser, { name: '新' });
    expect(missing.status).toBe(404);
    expect(pageError(await missing.text())).toContain('找不到这个栏目或标签');
  });

  it('refuses a rename without the CSRF token and an editor’s rename, changing nothing', async () => {
    const channel = await seedChannel(testDb());
    const slug = uniqueSlug('tag');
    await seedArticle(testDb(), { channelSlug: channel.slug, tags: [{ slug, name: '不变' }] });
    const browser = await signedIn('admin');
    const forged = await postForm(`/admin/tags/${slug}`, browser, { name: '被改' }, { csrf: null });
    expect(forged.status).toBe(403);
    expect((await json(forged)).code).toBe('csrf_failed');
    const editor = await signedIn('editor');
    const refused = await postForm(`/admin/tags/${slug}`, editor, { name: '被改' });
    expect(refused.status).toBe(403);
    expect(await tagRow(slug)).toEqual({ name: '不变' });
  });
});

describe('POST /admin/tags/:slug/merge', () => {
  it('merges one tag into another: its articles get the other tag and it goes', async () => {
    const channel = await seedChannel(testDb());
    const keep = uniqueSlug('keep');
    const drop = uniqueSlug('drop');
    const both = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [
        { slug: drop, name: '汛期' },
        { slug: keep, name: '防汛' },
      ],
    });
    const onlyDrop = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [{ slug: drop, name: '汛期' }],
    });
    const browser = await signedIn('admin');
    expectDone(
      await postForm(`/admin/tags/${drop}/merge`, browser, { into: ` ${keep} ` }),
      '/admin/tags',
      'tagMerged',
    );
    expect(await tagRow(drop)).toBeNull();
    expect((await tagsOf(both.id)).map((t) => t.slug)).toEqual([keep]);
    expect((await tagsOf(onlyDrop.id)).map((t) => t.slug)).toEqual([keep]);
  });

  it('refuses a merge into itself (409) and into an unknown tag (404), merging nothing', async () => {
    const channel = await seedChannel(testDb());
    const slug = uniqueSlug('self');
    await seedArticle(testDb(), { channelSlug: channel.slug, tags: [{ slug, name: '自己' }] });
    const browser = await signedIn('admin');
    const self = await postForm(`/admin/tags/${slug}/merge`, browser, { into: slug });
    expect(self.status).toBe(409);
    const text = pageError(await self.text());
    expect(text).toContain('不能把标签合并到它自己。');
    expect(text).toContain('a tag cannot be merged into itself');
    const unknown = await postForm(`/admin/tags/${slug}/merge`, browser, {
      into: uniqueSlug('nowhere'),
    });
    expect(unknown.status).toBe(404);
    const empty = await postForm(`/admin/tags/${slug}/merge`, browser, { into: '' });
    expect(empty.status).toBe(422);
    expect(await tagRow(slug)).toEqual({ name: '自己' });
  });
});

describe('POST /admin/tags/:slug/delete', () => {
  it('deletes a tag: its articles lose it, their other tags stay', async () => {
    const channel = await seedChannel(testDb());
    const gone = uniqueSlug('gone');
    const stays = uniqueSlug('stays');
    const article = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [
        { slug: gone, name: '过时' },
        { slug: stays, name: '保留' },
      ],
    });
    const browser = await signedIn('admin');
    expectDone(
      await postForm(`/admin/tags/${gone}/delete`, browser, {}),
      '/admin/tags',
      'tagDeleted',
    );
    expect(await tagRow(gone)).toBeNull();
    expect(await tagsOf(article.id)).toEqual([{ slug: stays, name: '保留' }]);
    const again = await postForm(`/admin/tags/${gone}/delete`, browser, {});
    expect(again.status).toBe(404);
  });

  it('refuses a delete without the CSRF token, or from an editor, deleting nothing', async () => {
    const channel = await seedChannel(testDb());
    const slug = uniqueSlug('kept');
    await seedArticle(testDb(), { channelSlug: channel.slug, tags: [{ slug, name: '保住' }] });
    const admin = await signedIn('admin');
    const forged = await postForm(`/admin/tags/${slug}/delete`, admin, {}, { csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect((await json(forged)).code).toBe('csrf_failed');
    const editor = await signedIn('editor');
    expect((await postForm(`/admin/tags/${slug}/delete`, editor, {})).status).toBe(403);
    expect(await tagRow(slug)).toEqual({ name: '保住' });
  });
});
