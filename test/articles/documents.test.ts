import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  documentRefreshStatements,
  documentSql,
  listingSummarySql,
  rebuildArticleDocuments,
  siteListing,
  type DocumentScope,
  type StoredDocument,
} from '../../src/articles/documents';
import { findArticle } from '../../src/articles/queries';
import {
  purgeArticle,
  StaleVersionError,
  transitionArticle,
  WriteConflictError,
  writeArticle,
  type ArticleChanges,
} from '../../src/authoring/commands';
import { publishDue } from '../../src/authoring/scheduled';
import { mergeTags, patchChannel, renameTag } from '../../src/authoring/taxonomy';
import { articleDocuments, articles, channelListings, channels } from '../../src/db/schema';
import { now as clockNow } from '../../src/lib/clock';
import {
  get,
  json,
  plan,
  seedArticle,
  seedChannel,
  tableScans,
  testDb,
  timeZone,
  uniqueSlug,
} from '../helpers';

const db = testDb();
const actor = { name: 'editor', role: 'editor' } as const;
const minute = 60_000;
const day = 86_400_000;

async function stored(id: number): Promise<StoredDocument | null> {
  const [row] = await db
    .select({ document: articleDocuments.document })
    .from(articleDocuments)
    .where(eq(articleDocuments.articleId, id));
  return row ? (JSON.parse(row.document) as StoredDocument) : null;
}

const links = async (id: number) => {
  const doc = await stored(id);
  return doc ? [doc.prev?.id ?? null, doc.next?.id ?? null] : null;
};

/**
 * The invariant every write keeps, over the whole file's database (every test here writes
 * through the commands): each published article has a document equal to one built from the
 * tables right now, and no other article has one.
 */
async function expectAllDocumentsCurrent() {
  const rows = await db
    .select({
      id: articles.id,
      status: articles.status,
      stored: articleDocuments.document,
      prevId: articleDocuments.prevId,
      nextId: articleDocuments.nextId,
      live: documentSql,
    })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .leftJoin(articleDocuments, eq(articleDocuments.articleId, articles.id));
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    if (row.status !== 'published') {
      expect(row.stored, `article ${row.id} (${row.status}) has no document`).toBeNull();
      continue;
    }
    expect(row.stored, `article ${row.id} has a document`).not.toBeNull();
    const live = JSON.parse(row.live) as StoredDocument;
    expect(JSON.parse(row.stored!), `document of article ${row.id}`).toEqual(live);
    expect([row.prevId, row.nextId]).toEqual([live.prev?.id ?? null, live.next?.id ?? null]);
  }
  await expectAllListingsCurrent();
}

/**
 * The listings' invariant: each published article lists under its own channel, every channel
 * above it (the chain walked here in JS, apart from the SQL that maintains them) and the site,
 * at its publish time, with the summary built from the tables right now; nothing else lists.
 */
async function expectAllListingsCurrent() {
  const parents = new Map(
    (await db.select({ id: channels.id, parentId: channels.parentId }).from(channels)).map((c) => [
      c.id,
      c.parentId,
    ]),
  );
  const rows = await db
    .select({
      id: articles.id,
      status: articles.status,
      publishedAt: articles.publishedAt,
      channelId: articles.channelId,
      live: listingSummarySql,
    })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId));
  const expected: [number, number, number, unknown][] = [];
  for (const row of rows) {
    if (row.status !== 'published' || !row.publishedAt) continue;
    const places: number[] = [siteListing];
    for (let c: number | null | undefined = row.channelId; c != null; c = parents.get(c)) {
      places.push(c);
    }
    for (const channelId of places) {
      expected.push([channelId, row.publishedAt.getTime(), row.id, JSON.parse(row.live)]);
    }
  }
  const listed = (await db.select().from(channelListings)).map(
    (l) => [l.channelId, l.publishedAt, l.articleId, JSON.parse(l.summary)] as const,
  );
  const order = (a: readonly unknown[], b: readonly unknown[]) =>
    (a[0] as number) - (b[0] as number) || (a[2] as number) - (b[2] as number);
  expect([...listed].sort(order)).toEqual(expected.sort(order));
}

function write(id: number, changes: ArticleChanges, expectedVersion?: number) {
  return writeArticle(db, id, changes, {
    actor,
    timeZone,
    reason: 'save',
    action: 'article.update',
    expectedVersion,
  });
}

/** Three public articles a minute apart in a new channel, oldest first. */
async function chain(t = clockNow() - 10 * day) {
  const channel = await seedChannel(db);
  const seeded = [];
  for (let i = 0; i < 3; i++) {
    seeded.push(
      await seedArticle(db, { channelSlug: channel.slug, publishedAt: new Date(t + i * minute) }),
    );
  }
  const [a, b, c] = seeded as [(typeof seeded)[0], (typeof seeded)[0], (typeof seeded)[0]];
  return { channel, a, b, c, t };
}

describe('article documents, kept current by every write', () => {
  it('stores a new article and links it into its neighbours', async () => {
    const { channel, a, b, c, t } = await chain();
    expect(await links(a.id)).toEqual([null, b.id]);
    expect(await links(b.id)).toEqual([a.id, c.id]);
    // Between b and c: both of them relink to it.
    const mid = await seedArticle(db, {
      channelSlug: channel.slug,
      publishedAt: new Date(t + 1.5 * minute),
    });
    expect(await links(b.id)).toEqual([a.id, mid.id]);
    expect(await links(mid.id)).toEqual([b.id, c.id]);
    expect(await links(c.id)).toEqual([mid.id, null]);
    // A draft is nobody's neighbour and has no document.
    const draft = await seedArticle(db, {
      channelSlug: channel.slug,
      status: 'draft',
      publishedAt: null,
    });
    expect(await stored(draft.id)).toBeNull();
    await expectAllDocumentsCurrent();
  });

  it("follows an edit of title, slug, body and attachments, into the neighbours' links too", async () => {
    const { a, b, c } = await chain();
    const slug = uniqueSlug('renamed');
    await write(b.id, {
      title: '改过的标题',
      slug,
      body: '<p>新正文</p>',
      attachments: [
        { name: '附件.pdf', url: 'https://example.com/x.pdf', size: 10, contentType: null },
      ],
      tags: [{ slug: uniqueSlug('tag'), name: '新标签' }],
    });
    const doc = (await stored(b.id))!;
    expect(doc).toMatchObject({ title: '改过的标题', slug, body: '<p>新正文</p>' });
    expect(doc.attachments).toEqual([
      {
        name: '附件.pdf',
        url: 'https://example.com/x.pdf',
        size: 10,
        contentType: null,
        mediaId: null,
      },
    ]);
    expect(doc.tags.map((t) => t.name)).toEqual(['新标签']);
    expect((await stored(a.id))!.next).toMatchObject({ id: b.id, slug, title: '改过的标题' });
    expect((await stored(c.id))!.prev).toMatchObject({ id: b.id, slug, title: '改过的标题' });
    await write(b.id, { attachments: [] });
    expect((await stored(b.id))!.attachments).toEqual([]);
    await expectAllDocumentsCurrent();
  });

  it('drops the document on unpublish, archive and delete, and relinks the neighbours', async () => {
    const { a, b, c } = await chain();
    await transitionArticle(db, b.id, 'unpublish', { actor, timeZone });
    expect(await stored(b.id)).toBeNull();
    expect(await links(a.id)).toEqual([null, c.id]);
    expect(await links(c.id)).toEqual([a.id, null]);
    await transitionArticle(db, b.id, 'publish', { actor, timeZone });
    expect(await links(b.id)).toEqual([a.id, c.id]);
    expect(await links(a.id)).toEqual([null, b.id]);
    await transitionArticle(db, b.id, 'archive', { actor, timeZone });
    expect(await stored(b.id)).toBeNull();
    expect(await links(a.id)).toEqual([null, c.id]);
    await transitionArticle(db, c.id, 'delete', { actor, timeZone });
    expect(await links(a.id)).toEqual([null, null]);
    // The public read still tells withdrawn from missing, from the live row.
    expect((await findArticle(db, { id: b.id }, new Date(clockNow()))).state).toBe('withdrawn');
    await expectAllDocumentsCurrent();
  });

  it('moves a re-dated article between its new neighbours', async () => {
    const { a, b, c, t } = await chain();
    await write(a.id, { publishedAt: new Date(t + 5 * minute) });
    expect(await links(b.id)).toEqual([null, c.id]);
    expect(await links(c.id)).toEqual([b.id, a.id]);
    expect(await links(a.id)).toEqual([c.id, null]);
    expect((await stored(a.id))!.publishedAt).toBe(t + 5 * minute);
    await expectAllDocumentsCurrent();
  });

  it('relinks both channels when an article moves to another one', async () => {
    const { a, b, c, t } = await chain();
    const other = await chain(t);
    await write(b.id, { channelSlug: other.channel.slug });
    expect(await links(a.id)).toEqual([null, c.id]);
    expect(await links(c.id)).toEqual([a.id, null]);
    // Same publish time as other.b: the tie goes by id, so b (older) comes first.
    expect(await links(b.id)).toEqual([other.a.id, other.b.id]);
    expect(await links(other.a.id)).toEqual([null, b.id]);
    expect(await links(other.b.id)).toEqual([b.id, other.c.id]);
    expect((await stored(b.id))!.channel.slug).toBe(other.channel.slug);
    await expectAllDocumentsCurrent();
  });

  it('relinks the neighbours of a purged article', async () => {
    const { a, b, c } = await chain();
    await purgeArticle(db, b.id, { actor });
    expect(await stored(b.id)).toBeNull();
    expect(await links(a.id)).toEqual([null, c.id]);
    expect(await links(c.id)).toEqual([a.id, null]);
    await expectAllDocumentsCurrent();
  });

  it("publishes a scheduled article's document when the cron publishes it, not before", async () => {
    const { channel, c } = await chain();
    const at = clockNow() + day;
    const scheduled = await seedArticle(db, {
      channelSlug: channel.slug,
      status: 'scheduled',
      publishedAt: new Date(at),
    });
    expect(await stored(scheduled.id)).toBeNull();
    expect(await links(c.id)).toEqual([expect.any(Number), null]);
    const published = await publishDue(env, { now: new Date(at + minute), waitUntil: () => {} });
    expect(published).toContain(scheduled.id);
    expect(await links(scheduled.id)).toEqual([c.id, null]);
    expect(await links(c.id)).toEqual([expect.any(Number), scheduled.id]);
    await expectAllDocumentsCurrent();
  });

  it('never links or shows an article whose publish time has not come', async () => {
    const { channel, c } = await chain();
    const at = clockNow() + day;
    // Published with a future time (not scheduled): it is c's stored next from now on...
    const future = await seedArticle(db, {
      channelSlug: channel.slug,
      publishedAt: new Date(at),
      title: '尚未发布的文章',
    });
    expect(await links(c.id)).toEqual([expect.any(Number), future.id]);
    // ...but no reader sees it, nor a link to it, before its time.
    const now = new Date(clockNow());
    const before = await findArticle(db, { id: c.id }, now);
    expect(before.state === 'published' && before.article.next).toBeNull();
    expect(await findArticle(db, { id: future.id }, now)).toEqual({ state: 'missing' });
    const api = await json(await get(`/api/v1/articles/${c.id}`));
    expect(api.data.next).toBeNull();
    expect((await get(`/api/v1/articles/${future.id}`)).status).toBe(404);
    const page = await (await get(`/articles/${c.id}/${c.slug}`)).text();
    expect(page).not.toContain(future.slug);
    expect(page).not.toContain('尚未发布的文章');
    // At its time it is there, without any write in between.
    const later = await findArticle(db, { id: c.id }, new Date(at));
    expect(later.state === 'published' && later.article.next?.id).toBe(future.id);
    await expectAllDocumentsCurrent();
  });

  it('renames and moves a channel into the breadcrumb of every article below it', async () => {
    const top = await seedChannel(db, { name: '要闻动态' });
    const leaf = await seedChannel(db, { name: '盘锦要闻', parentSlug: top.slug });
    const elsewhere = await seedChannel(db, { name: '通知公告' });
    const inTop = await seedArticle(db, { channelSlug: top.slug });
    const inLeaf = await seedArticle(db, { channelSlug: leaf.slug });
    const crumbs = async (id: number) => (await stored(id))!.breadcrumb.map((c) => c.name);
    expect(await crumbs(inLeaf.id)).toEqual(['要闻动态', '盘锦要闻']);

    await patchChannel(db, top.slug, { name: '新闻中心' }, { actor });
    expect(await crumbs(inTop.id)).toEqual(['新闻中心']);
    expect(await crumbs(inLeaf.id)).toEqual(['新闻中心', '盘锦要闻']);
    expect((await stored(inTop.id))!.channel.name).toBe('新闻中心');

    await patchChannel(db, leaf.slug, { parent: elsewhere.slug }, { actor });
    expect(await crumbs(inLeaf.id)).toEqual(['通知公告', '盘锦要闻']);
    expect(await crumbs(inTop.id)).toEqual(['新闻中心']);
    await expectAllDocumentsCurrent();
  });

  it('renames and merges tags in every article that has them', async () => {
    const channel = await seedChannel(db);
    const economy = { slug: uniqueSlug('economy'), name: '经济' };
    const trade = { slug: uniqueSlug('trade'), name: '贸易' };
    const one = await seedArticle(db, { channelSlug: channel.slug, tags: [economy] });
    const two = await seedArticle(db, { channelSlug: channel.slug, tags: [trade, economy] });
    await renameTag(db, economy.slug, '经济发展', { actor });
    expect((await stored(one.id))!.tags).toEqual([{ slug: economy.slug, name: '经济发展' }]);
    await mergeTags(db, trade.slug, economy.slug, { actor });
    expect((await stored(two.id))!.tags).toEqual([{ slug: economy.slug, name: '经济发展' }]);
    await expectAllDocumentsCurrent();
  });

  it('changes no document when the write fails (one batch: all or nothing)', async () => {
    const { a, b } = await chain();
    const before = await stored(b.id);
    await expect(write(b.id, { title: '不会写入' }, 999)).rejects.toBeInstanceOf(StaleVersionError);
    await expect(write(b.id, { title: '也不会写入', slug: a.slug })).rejects.toBeInstanceOf(
      WriteConflictError,
    );
    expect(await stored(b.id)).toEqual(before);
    expect((await stored(a.id))!.next?.title).toBe(before!.title);
    await expectAllDocumentsCurrent();
  });

  it('reads the view counts live, not from the document', async () => {
    const { b } = await chain();
    const before = await stored(b.id);
    // As a counter flush writes them: no document is rebuilt for a count.
    await env.DB.prepare('update articles set view_count = 4321, visitor_count = 99 where id = ?')
      .bind(b.id)
      .run();
    const found = await findArticle(db, { id: b.id }, new Date(clockNow()));
    expect(found.state === 'published' && [found.article.views, found.article.visitors]).toEqual([
      4321, 99,
    ]);
    expect(await stored(b.id)).toEqual(before);
  });
});

describe('rebuildArticleDocuments(db)', () => {
  it('builds missing documents, repairs stale ones and drops those of unpublished articles', async () => {
    const { a, b, c } = await chain();
    // As raw SQL (a restore, the old bench seed) would leave them.
    await env.DB.batch([
      env.DB.prepare('delete from article_documents where article_id = ?').bind(b.id),
      env.DB.prepare("update article_documents set document = '{}' where article_id = ?").bind(
        a.id,
      ),
      env.DB.prepare("update articles set status = 'draft' where id = ?").bind(c.id),
    ]);
    // Meanwhile a read of the article without a document builds it live.
    const live = await findArticle(db, { id: b.id }, new Date(clockNow()));
    expect(live.state === 'published' && [live.article.prev?.id, live.article.next]).toEqual([
      a.id,
      null,
    ]);

    const count = await rebuildArticleDocuments(db);
    expect(await stored(b.id)).not.toBeNull();
    expect(await findArticle(db, { id: b.id }, new Date(clockNow()))).toEqual(live);
    expect(await stored(c.id)).toBeNull();
    expect(await links(a.id)).toEqual([null, b.id]);
    const [{ n }] = (
      await env.DB.prepare('select count(*) as n from article_documents').all<{
        n: number;
      }>()
    ).results as [{ n: number }];
    expect(count).toBe(n);
    await expectAllDocumentsCurrent();
  });

  it('rebuilds missing and stale listings and drops those of unpublished articles', async () => {
    const { a, b, c } = await chain();
    await env.DB.batch([
      env.DB.prepare('delete from channel_listings where article_id = ?').bind(b.id),
      env.DB.prepare("update channel_listings set summary = '{}' where article_id = ?").bind(a.id),
      env.DB.prepare("update articles set status = 'draft' where id = ?").bind(c.id),
    ]);
    await rebuildArticleDocuments(db);
    await expectAllListingsCurrent();
  });

  it.each([
    ['listings', 'channel-listings-backfill', 'channel_listings'],
    ['documents', 'article-documents-backfill', 'article_documents'],
  ])('builds the same %s as the migration that backfilled them', async (_what, name, table) => {
    await chain();
    const backfill = env.TEST_MIGRATIONS.find((m) => m.name.includes(name));
    expect(backfill).toBeDefined();
    await env.DB.prepare(`delete from ${table}`).run();
    for (const query of backfill!.queries) await env.DB.prepare(query).run();
    await expectAllDocumentsCurrent();
  });
});

describe('EXPLAIN QUERY PLAN of the document statements', () => {
  it.each<[string, DocumentScope]>([
    ['an article and its neighbours', { article: 1 }],
    ['a channel subtree', { channelSubtree: 1 }],
    ['a tag', { tag: 1 }],
    ['an id range', { idRange: [1, 500] }],
  ])('refreshes %s through indexes only', async (_label, scope) => {
    for (const statement of documentRefreshStatements(db, scope)) {
      const lines = await plan(statement as unknown as Parameters<typeof plan>[0]);
      expect(tableScans(lines), lines.join('\n')).toEqual([]);
    }
  });
});
