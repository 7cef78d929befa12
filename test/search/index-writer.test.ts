import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, useClock, type Clock } from '../../src/lib/clock';
import { searchIndexStatements, searchRemovalStatements } from '../../src/search/index-writer';
import { rebuildSearchIndex } from '../../src/search/rebuild';
import { totalCap } from '../../src/search/queries';
import { get, json, seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';

const at = Date.UTC(2025, 5, 1, 4);
const day = 86_400_000;
let previous: Clock;
beforeAll(() => {
  previous = useClock(fixedClock(at));
});
afterAll(() => {
  useClock(previous);
});

const db = testDb();

async function search(params: Record<string, string>) {
  const res = await get(`/api/v1/search?${new URLSearchParams(params)}`);
  expect(res.status).toBe(200);
  return json(res);
}

async function ids(params: Record<string, string>): Promise<number[]> {
  return (await search(params)).data.map((d: { id: number }) => d.id);
}

async function indexedRows(id: number): Promise<number> {
  const row = await env.DB.prepare(
    'select (select count(*) from search_trigram where rowid = ?1) + (select count(*) from search_unigram where rowid = ?1) as n',
  )
    .bind(id)
    .first<{ n: number }>();
  return row!.n;
}

describe('searchIndexStatements', () => {
  const article = { id: 1, title: '标题', body: '<p>正文</p>' };

  it('only removes the rows of an article that is not published', () => {
    expect(searchIndexStatements(db, { ...article, status: 'draft' })).toHaveLength(2);
    expect(searchIndexStatements(db, { ...article, status: 'archived' })).toHaveLength(2);
    expect(searchRemovalStatements(db, 1)).toHaveLength(2);
  });

  it('replaces both indexes’ rows of a published article', async () => {
    const channel = await seedChannel(db);
    const word = `替换${uniqueSlug('w').slice(-5)}`;
    const { id } = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `旧标题${word}`,
      publishedAt: new Date(at - day),
    });
    expect(await indexedRows(id)).toBe(2);
    const statements = searchIndexStatements(db, {
      id,
      status: 'published',
      title: `新标题${word}`,
      body: '<p>新正文</p>',
    });
    await db.batch(statements as [(typeof statements)[0]]);
    expect(await indexedRows(id)).toBe(2);
    expect(await ids({ q: `新标题${word}` })).toEqual([id]);
    expect(await ids({ q: `旧标题${word}` })).toEqual([]);
    await db.batch(searchRemovalStatements(db, id) as [(typeof statements)[0]]);
    expect(await indexedRows(id)).toBe(0);
  });
});

describe('policy documents in search', () => {
  it('finds 文号 in any bracket style, 发布机构 and 索引号, and filters with type=policy', async () => {
    const channel = await seedChannel(db, { name: '政策文件' });
    const tag = uniqueSlug('p').slice(-5);
    const policy = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `关于印发盘锦市营商环境${tag}实施方案的通知`,
      publishedAt: new Date(at - day),
      document: {
        indexNumber: `11211100MB${tag}/2024-00012`,
        documentNumber: `盘政发〔2024〕${tag}号`,
        issuingBody: '盘锦市人民政府办公室',
      },
    });
    const news = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `营商环境${tag}新闻`,
      body: '<p>盘锦市人民政府办公室发布了新闻。</p>',
      publishedAt: new Date(at - day),
    });
    for (const q of [
      `盘政发〔2024〕${tag}号`,
      `盘政发[2024]${tag}号`,
      `盘政发(2024)${tag}号`,
      `盘政发（2024）${tag}号`,
    ]) {
      expect(await ids({ q, channel: channel.slug })).toEqual([policy.id]);
    }
    expect(await ids({ q: `11211100MB${tag}`, channel: channel.slug })).toEqual([policy.id]);
    expect((await ids({ q: '盘锦市人民政府办公室', channel: channel.slug })).sort()).toEqual(
      [policy.id, news.id].sort(),
    );
    expect(await ids({ q: '盘锦市人民政府办公室', channel: channel.slug, type: 'policy' })).toEqual(
      [policy.id],
    );
    const [hit] = (await search({ q: `营商环境${tag}`, channel: channel.slug, type: 'policy' }))
      .data;
    expect(hit.document).toEqual({
      indexNumber: `11211100MB${tag}/2024-00012`,
      documentNumber: `盘政发〔2024〕${tag}号`,
      issuingBody: '盘锦市人民政府办公室',
    });
  });
});

describe('rebuildSearchIndex', () => {
  it('restores a lost index and sweeps rows of articles no longer published', async () => {
    const channel = await seedChannel(db);
    const word = `重建${uniqueSlug('w').slice(-5)}`;
    const { id } = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `${word}测试`,
      publishedAt: new Date(at - day),
    });
    const draft = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `${word}草稿`,
      status: 'draft',
      publishedAt: null,
    });
    // A restore without the FTS tables: nothing is findable, and a stray row names the draft.
    await env.DB.batch([
      env.DB.prepare('delete from search_trigram'),
      env.DB.prepare('delete from search_unigram'),
      env.DB.prepare(
        "insert into search_trigram (rowid, title, subtitle, summary, body, meta) values (?, 'x', '', '', '', '')",
      ).bind(draft.id),
    ]);
    expect(await ids({ q: word })).toEqual([]);

    const result = await rebuildSearchIndex(db);
    expect(result.indexed).toBeGreaterThanOrEqual(1);
    expect(result.removed).toBe(1);
    expect(await ids({ q: word })).toEqual([id]);
    expect(await ids({ q: word.slice(0, 2) })).toContain(id);
    expect(await indexedRows(draft.id)).toBe(0);

    const again = await rebuildSearchIndex(db);
    expect(again).toEqual({ indexed: result.indexed, removed: 0 });
  });
});

describe('GET /api/v1/search totals', () => {
  it('counts exactly up to the cap and then says there are more', async () => {
    const channel = await seedChannel(db);
    const word = `封顶${uniqueSlug('w').slice(-5)}`;
    await db.run(sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < ${totalCap + 5})
      insert into articles (slug, channel_id, title, body, status, published_at)
      select ${`cap-${word}-`} || i, (select id from channels where slug = ${channel.slug}),
        ${word} || '第' || i || '篇', '<p>正文</p>', 'published', ${at - day} - i from n`);
    await rebuildSearchIndex(db);
    const body = await search({ q: word, sort: 'latest', limit: '50' });
    expect(body.meta).toMatchObject({ total: totalCap, totalExact: false, limit: 50 });
    expect(body.data).toHaveLength(50);
    expect(body.data[0].title).toBe(`${word}第1篇`);

    const fewer = await search({ q: `${word}第99`, sort: 'latest' });
    // 第99篇 and 第990–999篇.
    expect(fewer.meta).toMatchObject({ total: 11, totalExact: true, nextCursor: null });
  });
});
