import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { browserGet } from '../auth/browser';
import { get, json, seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';
import { expectDone, pageError, postForm, signedIn, withEdgeCache } from './structure-helpers';

/** The channels under `parent` (null: top level), in their order. */
async function childrenOf(parent: string | null): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `select slug from channels where parent_id is (select id from channels where slug = ?)
     order by position, id`,
  )
    .bind(parent)
    .all<{ slug: string }>();
  return results.map((r) => r.slug);
}

async function channelRow(slug: string) {
  return env.DB.prepare(
    `select c.name, c.description, p.slug parent from channels c left join channels p on p.id = c.parent_id where c.slug = ?`,
  )
    .bind(slug)
    .first<{ name: string; description: string; parent: string | null }>();
}

async function page(browser: Awaited<ReturnType<typeof signedIn>>, query = '') {
  const res = await browserGet(`/admin/channels${query}`, browser);
  expect(res.status).toBe(200);
  return res.text();
}

describe('GET /admin/channels', () => {
  it('shows the nested tree with article counts and the nav entries, in Chinese by default', async () => {
    const db = testDb();
    const top = await seedChannel(db, { name: '要闻动态' });
    const child = await seedChannel(db, { name: '盘锦要闻', parentSlug: top.slug });
    await seedArticle(db, { channelSlug: child.slug });
    await seedArticle(db, { channelSlug: child.slug, status: 'draft', publishedAt: null });
    const browser = await signedIn('admin');
    const html = await page(browser);
    expect(html).toContain('<h1>栏目管理</h1>');
    expect(html).toContain('<a href="/admin/channels" aria-current="page">栏目管理</a>');
    expect(html).toContain('<a href="/admin/tags">标签管理</a>');
    // The child's item sits inside the parent's, in a list of its own.
    const item = new RegExp(
      `<li id="channel-${top.slug}"[\\s\\S]*?<ol class="channel-tree"><li id="channel-${child.slug}"`,
    );
    expect(html).toMatch(item);
    const childRow = html.slice(html.indexOf(`id="channel-${child.slug}"`));
    expect(childRow).toMatch(/<span class="channel-count">2 篇<\/span>/);
    expect(html).toContain('上移“盘锦要闻”');
  });

  it('speaks English after the language switch', async () => {
    const browser = await signedIn('admin');
    const switched = await browserGet('/admin/lang/en?back=/admin/channels', browser);
    expect(switched.status).toBe(303);
    expect(switched.headers.get('Location')).toBe('/admin/channels');
    expect(switched.headers.get('Set-Cookie')).toMatch(/gazette_admin_lang=en/);
    const res = await exports.default.fetch(
      new Request('http://gazette.test/admin/channels', {
        headers: {
          Cookie: `__Host-gazette_session=${browser.cookie}; gazette_admin_lang=en`,
          'Sec-Fetch-Site': 'same-origin',
        },
      }),
    );
    const html = await res.text();
    expect(html).toContain('<h1>Channels</h1>');
    expect(html).toContain('<h2>New channel</h2>');
    expect(html).toContain('<a href="/admin/tags">Tags</a>');
  });

  it('answers an editor with the 403 page and shows editors no nav entry', async () => {
    const editor = await signedIn('editor');
    for (const path of ['/admin/channels', '/admin/tags']) {
      const res = await browserGet(path, editor);
      expect(res.status).toBe(403);
      expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('只有管理员可以管理栏目和标签。');
    }
    const list = await (await browserGet('/admin', editor)).text();
    expect(list).not.toContain('/admin/channels');
    expect(list).not.toContain('/admin/tags');
  });

  it('sends a signed-out visitor to sign in', async () => {
    const res = await browserGet('/admin/channels', null);
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/admin/sign-in?next=%2Fadmin%2Fchannels');
  });
});

describe('POST /admin/channels (create)', () => {
  it('creates a channel under a parent and says so after the redirect', async () => {
    const parent = await seedChannel(testDb(), { name: '政务公开' });
    const browser = await signedIn('admin');
    const slug = uniqueSlug('new');
    const res = await postForm('/admin/channels', browser, {
      name: '通知公告',
      slug,
      parent: parent.slug,
      description: '政府通知',
    });
    const location = expectDone(res, '/admin/channels', 'created');
    expect(location).toContain(`#channel-${slug}`);
    expect(await channelRow(slug)).toEqual({
      name: '通知公告',
      description: '政府通知',
      parent: parent.slug,
    });
    const html = await page(browser, '?done=created');
    expect(html).toContain('<p class="notice" role="status">栏目已创建。</p>');
    const api = await json(await get(`/api/v1/channels/${slug}`));
    expect(api.data.name).toBe('通知公告');
  });

  it('refuses a taken slug (409) and a bad one (422) inline, keeping what was typed', async () => {
    const existing = await seedChannel(testDb());
    const browser = await signedIn('admin');
    const taken = await postForm('/admin/channels', browser, {
      name: '重复栏目',
      slug: existing.slug,
      parent: '',
    });
    expect(taken.status).toBe(409);
    const html = await taken.text();
    expect(pageError(html)).toContain('这个地址标识已被使用，请换一个。');
    expect(pageError(html)).toContain(`channel ${existing.slug} already exists`);
    expect(html).toContain('value="重复栏目"');

    const bad = await postForm('/admin/channels', browser, { name: '坏', slug: 'Not A Slug' });
    expect(bad.status).toBe(422);
    expect(pageError(await bad.text())).toMatch(/填写的内容有误。 slug: /);
    expect(await channelRow('Not A Slug')).toBeNull();

    const orphan = uniqueSlug('orphan');
    const unknownParent = await postForm('/admin/channels', browser, {
      name: '孤儿',
      slug: orphan,
      parent: uniqueSlug('nowhere'),
    });
    expect(unknownParent.status).toBe(422);
    expect(await channelRow(orphan)).toBeNull();
  });

  it('refuses a post without the CSRF token, or with a wrong one, and creates nothing', async () => {
    const browser = await signedIn('admin');
    const slug = uniqueSlug('csrf');
    for (const csrf of [null, 'not-the-token']) {
      const res = await postForm('/admin/channels', browser, { name: '跨站', slug }, { csrf });
      expect(res.status).toBe(403);
      expect((await json(res)).code).toBe('csrf_failed');
    }
    expect(await channelRow(slug)).toBeNull();
  });

  it('answers an editor with the 403 page even with a valid token, and creates nothing', async () => {
    const editor = await signedIn('editor');
    const slug = uniqueSlug('editor');
    const res = await postForm('/admin/channels', editor, { name: '编辑建的', slug });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('只有管理员可以管理栏目和标签。');
    expect(await channelRow(slug)).toBeNull();
  });
});

describe('POST /admin/channels/:slug (rename)', () => {
  it('renames a channel and the public article page and channel page show it at once, even with the edge cache on', async () => {
    const call = withEdgeCache();
    const db = testDb();
    const top = await seedChannel(db, { name: '要闻动态' });
    const channel = await seedChannel(db, { name: '盘锦要闻', parentSlug: top.slug });
    const article = await seedArticle(db, { channelSlug: channel.slug, title: '改名前的文章' });
    const publicPage = async (path: string) => {
      const res = await call(new Request(`http://gazette.test${path}`));
      expect(res.status).toBe(200);
      return res.text();
    };
    const articlePath = `/articles/${article.id}/${article.slug}`;
    expect(await publicPage(articlePath)).toContain('盘锦要闻');
    expect(await publicPage(`/channels/${channel.slug}`)).toContain('盘锦要闻');

    const browser = await signedIn('admin');
    const res = await postForm(
      `/admin/channels/${channel.slug}`,
      browser,
      { name: '本地新闻', description: '本市动态' },
      { fetch: call },
    );
    expectDone(res, '/admin/channels', 'saved');
    expect(await channelRow(channel.slug)).toMatchObject({
      name: '本地新闻',
      description: '本市动态',
    });
    const after = await publicPage(articlePath);
    expect(after).toContain('本地新闻');
    expect(after).not.toContain('盘锦要闻');
    expect(await publicPage(`/channels/${channel.slug}`)).toContain('本地新闻');
    const api = await json(
      await call(new Request(`http://gazette.test/api/v1/articles/${article.id}`)),
    );
    expect(api.data.breadcrumb.map((b: { name: string }) => b.name)).toEqual([
      '首页',
      '要闻动态',
      '本地新闻',
    ]);
  });

  it('refuses an empty name (422) inline and a channel that does not exist (404)', async () => {
    const channel = await seedChannel(testDb(), { name: '保持原名' });
    const browser = await signedIn('admin');
    const empty = await postForm(`/admin/channels/${channel.slug}`, browser, { name: '  ' });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(pageError(html)).toContain('填写的内容有误。');
    // Also beside the channel's own form, which is open.
    expect(html).toMatch(
      new RegExp(`id="channel-${channel.slug}"[\\s\\S]*?<details class="channel-edit" open="">`),
    );
    expect((await channelRow(channel.slug))?.name).toBe('保持原名');

    const missing = await postForm(`/admin/channels/${uniqueSlug('gone')}`, browser, {
      name: '新名',
    });
    expect(missing.status).toBe(404);
    expect(pageError(await missing.text())).toContain('找不到这个栏目或标签');
  });
});

describe('POST /admin/channels/:slug/move', () => {
  it('moves a channel under another parent and to the top level; breadcrumbs follow', async () => {
    const db = testDb();
    const a = await seedChannel(db, { name: '甲' });
    const b = await seedChannel(db, { name: '乙' });
    const moving = await seedChannel(db, { name: '移动的', parentSlug: a.slug });
    const article = await seedArticle(db, { channelSlug: moving.slug });
    const browser = await signedIn('admin');
    expectDone(
      await postForm(`/admin/channels/${moving.slug}/move`, browser, { parent: b.slug }),
      '/admin/channels',
      'moved',
    );
    expect((await channelRow(moving.slug))?.parent).toBe(b.slug);
    const crumbs = (await json(await get(`/api/v1/articles/${article.id}`))).data.breadcrumb;
    expect(crumbs.map((c: { name: string }) => c.name)).toEqual(['首页', '乙', '移动的']);

    expectDone(
      await postForm(`/admin/channels/${moving.slug}/move`, browser, { parent: '' }),
      '/admin/channels',
      'moved',
    );
    expect((await channelRow(moving.slug))?.parent).toBeNull();
  });

  it('refuses a move under its own subchannel with the cycle message (409), moving nothing', async () => {
    const db = testDb();
    const top = await seedChannel(db, { name: '上级' });
    const below = await seedChannel(db, { name: '下级', parentSlug: top.slug });
    const browser = await signedIn('admin');
    // The page offers the subchannel only disabled; a stale or hand-made form still gets a clear answer.
    const html = await page(browser);
    const picker = html.slice(html.indexOf(`id="parent-${top.slug}"`));
    expect(picker.slice(0, picker.indexOf('</select>'))).toMatch(
      new RegExp(`<option value="${below.slug}" disabled="">[^<]*下级（其下级栏目）</option>`),
    );
    const res = await postForm(`/admin/channels/${top.slug}/move`, browser, {
      parent: below.slug,
    });
    expect(res.status).toBe(409);
    const text = pageError(await res.text());
    expect(text).toContain('不能把栏目移到它自己或它的下级栏目之下。');
    expect(text).toContain('would make a cycle');
    expect((await channelRow(top.slug))?.parent).toBeNull();
  });
});

describe('POST /admin/channels/:slug/order', () => {
  it('moves a channel up and down among its siblings, keeping focus on the button pressed', async () => {
    const db = testDb();
    const parent = await seedChannel(db, { name: '排序' });
    const [one, two, three] = [
      await seedChannel(db, { name: '一', parentSlug: parent.slug, position: 0 }),
      await seedChannel(db, { name: '二', parentSlug: parent.slug, position: 0 }),
      await seedChannel(db, { name: '三', parentSlug: parent.slug, position: 0 }),
    ];
    const browser = await signedIn('admin');
    const up = await postForm(`/admin/channels/${three!.slug}/order`, browser, {
      direction: 'up',
    });
    const location = expectDone(up, '/admin/channels', 'reordered');
    expect(await childrenOf(parent.slug)).toEqual([one!.slug, three!.slug, two!.slug]);
    const html = await page(browser, location.slice('/admin/channels'.length).split('#')[0]);
    expect(html).toContain('<p class="notice" role="status">顺序已更新。</p>');
    expect(html).toMatch(/aria-label="上移“三”" autofocus="">/);

    await postForm(`/admin/channels/${one!.slug}/order`, browser, { direction: 'down' });
    expect(await childrenOf(parent.slug)).toEqual([three!.slug, one!.slug, two!.slug]);
    // The first one up again: nothing to do, and no error.
    expectDone(
      await postForm(`/admin/channels/${three!.slug}/order`, browser, { direction: 'up' }),
      '/admin/channels',
      'reordered',
    );
    expect(await childrenOf(parent.slug)).toEqual([three!.slug, one!.slug, two!.slug]);
    const top = await page(browser, `?done=reordered&focus=${three!.slug}:up`);
    // At the top its up button is disabled, so the focus goes to its down button.
    expect(top).toMatch(/aria-label="下移“三”" autofocus="">/);
  });

  it('refuses a direction that is neither up nor down (422) and an unknown channel (404)', async () => {
    const db = testDb();
    const parent = await seedChannel(db);
    const a = await seedChannel(db, { parentSlug: parent.slug, position: 0 });
    const b = await seedChannel(db, { parentSlug: parent.slug, position: 1 });
    const browser = await signedIn('admin');
    const sideways = await postForm(`/admin/channels/${b.slug}/order`, browser, {
      direction: 'sideways',
    });
    expect(sideways.status).toBe(422);
    expect(pageError(await sideways.text())).toContain('direction: must be up or down');
    expect(await childrenOf(parent.slug)).toEqual([a.slug, b.slug]);
    const unknown = await postForm(`/admin/channels/${uniqueSlug('x')}/order`, browser, {
      direction: 'up',
    });
    expect(unknown.status).toBe(404);
  });
});

describe('POST /admin/channels/:slug/delete', () => {
  it('deletes an empty channel and refuses one with articles or subchannels (409)', async () => {
    const db = testDb();
    const full = await seedChannel(db, { name: '有文章' });
    await seedArticle(db, { channelSlug: full.slug });
    const parent = await seedChannel(db, { name: '有下级' });
    await seedChannel(db, { parentSlug: parent.slug });
    const empty = await seedChannel(db, { name: '空栏目' });
    const browser = await signedIn('admin');
    for (const slug of [full.slug, parent.slug]) {
      const res = await postForm(`/admin/channels/${slug}/delete`, browser, {});
      expect(res.status).toBe(409);
      const text = pageError(await res.text());
      expect(text).toContain('栏目下还有文章或子栏目，不能删除。');
      expect(text).toContain(`channel ${slug} still has`);
      expect(await channelRow(slug)).not.toBeNull();
    }
    expectDone(
      await postForm(`/admin/channels/${empty.slug}/delete`, browser, {}),
      '/admin/channels',
      'deleted',
    );
    expect(await channelRow(empty.slug)).toBeNull();
    expect((await get(`/api/v1/channels/${empty.slug}`)).status).toBe(404);
  });
});
