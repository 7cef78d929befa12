import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  admin,
  expectProblem,
  get,
  issueToken,
  json,
  seedArticle,
  seedChannel,
  testDb,
  uniqueSlug,
} from '../helpers';

async function channelCounts() {
  return env.DB.prepare(
    `select (select count(*) from channels) c, (select group_concat(slug || ':' || coalesce(parent_id, '-') || ':' || position || ':' || name) from channels) s`,
  ).first();
}

describe('channels admin API', () => {
  it('creates, renames, reorders and moves a channel, keeping breadcrumbs right at once', async () => {
    const root = await issueToken('admin');
    const top = uniqueSlug('top');
    const other = uniqueSlug('other');
    const child = uniqueSlug('child');
    expect(
      (await admin('/channels', { token: root, json: { slug: top, name: '顶级' } })).status,
    ).toBe(201);
    expect(
      (await admin('/channels', { token: root, json: { slug: other, name: '另一个' } })).status,
    ).toBe(201);
    const created = await admin('/channels', {
      token: root,
      json: { slug: child, name: '子栏目', parent: top },
    });
    expect(created.status).toBe(201);
    expect((await json(created)).data).toMatchObject({ slug: child, parent: top, position: 0 });

    const article = await seedArticle(testDb(), { channelSlug: child });
    const crumbs = async () =>
      (await json(await get(`/api/v1/articles/${article.id}`))).data.breadcrumb.map(
        (b: any) => b.name,
      );
    expect(await crumbs()).toEqual(['首页', '顶级', '子栏目']);

    const renamed = await admin(`/channels/${child}`, {
      token: root,
      method: 'PATCH',
      json: { name: '改名栏目', position: 3, parent: other },
    });
    expect(renamed.status).toBe(200);
    expect((await json(renamed)).data).toMatchObject({
      name: '改名栏目',
      position: 3,
      parent: other,
    });
    expect(await crumbs()).toEqual(['首页', '另一个', '改名栏目']);
  });

  it('answers 409 for a move into its own subtree, and changes nothing', async () => {
    const root = await issueToken('admin');
    const a = uniqueSlug('a');
    const b = uniqueSlug('b');
    await admin('/channels', { token: root, json: { slug: a, name: 'A' } });
    await admin('/channels', { token: root, json: { slug: b, name: 'B', parent: a } });
    const before = await channelCounts();
    for (const parent of [a, b]) {
      await expectProblem(
        await admin(`/channels/${a}`, {
          token: root,
          method: 'PATCH',
          json: { parent, name: '新名' },
        }),
        409,
        'conflict',
      );
    }
    expect(await channelCounts()).toEqual(before);
  });

  it('answers 409 when deleting a channel with articles or children, 204 when empty, 404 after', async () => {
    const root = await issueToken('admin');
    const db = testDb();
    const parent = await seedChannel(db);
    const child = await seedChannel(db, { parentSlug: parent.slug });
    await seedArticle(db, { channelSlug: child.slug });
    const before = await channelCounts();
    await expectProblem(
      await admin(`/channels/${parent.slug}`, { token: root, method: 'DELETE' }),
      409,
      'conflict',
    );
    await expectProblem(
      await admin(`/channels/${child.slug}`, { token: root, method: 'DELETE' }),
      409,
      'conflict',
    );
    expect(await channelCounts()).toEqual(before);
    const empty = await seedChannel(db);
    expect((await admin(`/channels/${empty.slug}`, { token: root, method: 'DELETE' })).status).toBe(
      204,
    );
    await expectProblem(
      await admin(`/channels/${empty.slug}`, { token: root, method: 'DELETE' }),
      404,
      'not_found',
    );
  });

  it('refuses bad input (422, 409 duplicate, unknown parent) and non-admins (403), writing nothing', async () => {
    const root = await issueToken('admin');
    const editor = await issueToken('editor');
    const existing = await seedChannel(testDb());
    const before = await channelCounts();
    const bad = await expectProblem(
      await admin('/channels', { token: root, json: { slug: 'Bad Slug', name: '', colour: 1 } }),
      422,
      'unprocessable',
    );
    expect(bad.invalidParams.map((p: any) => p.name).sort()).toEqual(['colour', 'name', 'slug']);
    await expectProblem(
      await admin('/channels', { token: root, json: { slug: existing.slug, name: 'x' } }),
      409,
      'conflict',
    );
    await expectProblem(
      await admin('/channels', {
        token: root,
        json: { slug: uniqueSlug('x'), name: 'x', parent: 'no-such-parent' },
      }),
      422,
      'unprocessable',
    );
    await expectProblem(
      await admin('/channels', { token: editor, json: { slug: uniqueSlug('y'), name: 'y' } }),
      403,
      'forbidden',
    );
    await expectProblem(
      await admin('/channels/no-such-channel', {
        token: root,
        method: 'PATCH',
        json: { name: 'x' },
      }),
      404,
      'not_found',
    );
    expect(await channelCounts()).toEqual(before);
  });
});

describe('PUT /api/v1/admin/channels/order', () => {
  it('orders the siblings under a parent in one write, and refuses a list that is not exactly them', async () => {
    const root = await issueToken('admin');
    const db = testDb();
    const parent = await seedChannel(db);
    const [a, b, c] = [
      await seedChannel(db, { parentSlug: parent.slug }),
      await seedChannel(db, { parentSlug: parent.slug }),
      await seedChannel(db, { parentSlug: parent.slug }),
    ];
    const ordered = await admin('/channels/order', {
      token: root,
      method: 'PUT',
      json: { parent: parent.slug, order: [c!.slug, a!.slug, b!.slug] },
    });
    expect(ordered.status).toBe(200);
    expect((await json(ordered)).data.map((ch: any) => [ch.slug, ch.position])).toEqual([
      [c!.slug, 0],
      [a!.slug, 1],
      [b!.slug, 2],
    ]);
    const children = async () =>
      (await json(await get(`/api/v1/channels/${parent.slug}`))).data.children.map(
        (ch: any) => ch.slug,
      );
    expect(await children()).toEqual([c!.slug, a!.slug, b!.slug]);
    for (const order of [
      [c!.slug, a!.slug],
      [c!.slug, a!.slug, b!.slug, parent.slug],
      [c!.slug, c!.slug, a!.slug],
    ]) {
      await expectProblem(
        await admin('/channels/order', {
          token: root,
          method: 'PUT',
          json: { parent: parent.slug, order },
        }),
        409,
        'conflict',
      );
    }
    await expectProblem(
      await admin('/channels/order', {
        token: root,
        method: 'PUT',
        json: { parent: uniqueSlug('none'), order: [a!.slug] },
      }),
      404,
      'not_found',
    );
    await expectProblem(
      await admin('/channels/order', {
        token: await issueToken('editor'),
        method: 'PUT',
        json: { parent: parent.slug, order: [a!.slug, b!.slug, c!.slug] },
      }),
      403,
      'forbidden',
    );
    expect(await children()).toEqual([c!.slug, a!.slug, b!.slug]);
  });
});

describe('DELETE /api/v1/admin/tags/:slug', () => {
  it('deletes a tag from every article (204), then 404; editors may not', async () => {
    const root = await issueToken('admin');
    const channel = await seedChannel(testDb());
    const gone = uniqueSlug('gone');
    const stays = uniqueSlug('stays');
    const article = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [
        { slug: gone, name: '旧标签' },
        { slug: stays, name: '新标签' },
      ],
    });
    await expectProblem(
      await admin(`/tags/${gone}`, { token: await issueToken('editor'), method: 'DELETE' }),
      403,
      'forbidden',
    );
    const deleted = await admin(`/tags/${gone}`, { token: root, method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const tags = (await json(await get(`/api/v1/articles/${article.id}`))).data.tags;
    expect(tags).toEqual([{ slug: stays, name: '新标签' }]);
    await expectProblem(
      await admin(`/tags/${gone}`, { token: root, method: 'DELETE' }),
      404,
      'not_found',
    );
  });
});

describe('tags admin API', () => {
  it('creates, renames and merges tags; merged articles keep one copy of the tag', async () => {
    const editor = await issueToken('editor');
    const channel = await seedChannel(testDb());
    const keep = uniqueSlug('keep');
    const drop = uniqueSlug('drop');
    expect(
      (await admin('/tags', { token: editor, json: { name: '防汛', slug: keep } })).status,
    ).toBe(201);
    expect(
      (await admin('/tags', { token: editor, json: { name: '汛期', slug: drop } })).status,
    ).toBe(201);
    await expectProblem(
      await admin('/tags', { token: editor, json: { name: 'x', slug: keep } }),
      409,
      'conflict',
    );
    const renamed = await admin(`/tags/${keep}`, {
      token: editor,
      method: 'PATCH',
      json: { name: '防汛抗旱' },
    });
    expect((await json(renamed)).data).toEqual({ slug: keep, name: '防汛抗旱' });

    const both = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [
        { slug: drop, name: '汛期' },
        { slug: keep, name: '防汛抗旱' },
      ],
    });
    const onlyDrop = await seedArticle(testDb(), {
      channelSlug: channel.slug,
      tags: [{ slug: drop, name: '汛期' }],
    });
    const merged = await admin(`/tags/${drop}/merge`, { token: editor, json: { into: keep } });
    expect(merged.status).toBe(200);
    const tagsOf = async (id: number) =>
      (await json(await get(`/api/v1/articles/${id}`))).data.tags.map((t: any) => t.slug);
    expect(await tagsOf(both.id)).toEqual([keep]);
    expect(await tagsOf(onlyDrop.id)).toEqual([keep]);
    await expectProblem(
      await admin(`/tags/${drop}/merge`, { token: editor, json: { into: keep } }),
      404,
      'not_found',
    );
    await expectProblem(
      await admin(`/tags/${keep}/merge`, { token: editor, json: { into: keep } }),
      409,
      'conflict',
    );
  });
});
