import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  channelExistsQuery,
  findArticleQuery,
  listPublishedArticlesQuery,
  type ListArticlesOptions,
} from '../../src/articles/queries';
import { channelTreeQuery, findChannelStatements } from '../../src/channels/queries';
import { plan, seedArticle, seedChannel, tableScans, testDb } from '../helpers';
import { now as clockNow, nowDate } from '../../src/lib/clock';

const db = testDb();
const now = nowDate();
const base: ListArticlesOptions = { now, sort: 'latest', limit: 20 };

const listCases: [string, ListArticlesOptions][] = [
  ['the newest articles', base],
  ['a channel and its descendants', { ...base, channelSlug: 'news' }],
  ['a tag', { ...base, tagSlug: 'economy' }],
  ['a date range', { ...base, publishedFrom: new Date(0), publishedBefore: now }],
  ['an id list', { ...base, ids: [1, 2, 3] }],
  ['the next page', { ...base, after: [now.getTime(), 10] }],
  ['popular articles', { ...base, sort: 'popular' }],
  ['the next popular page', { ...base, sort: 'popular', after: [100, 10] }],
  [
    'every filter at once',
    {
      ...base,
      channelSlug: 'news',
      tagSlug: 'economy',
      ids: [1, 2],
      publishedFrom: new Date(0),
      publishedBefore: now,
      after: [now.getTime(), 10],
    },
  ],
];

describe('EXPLAIN QUERY PLAN of public queries', () => {
  it('recognises a table scan when there is one', async () => {
    const scan = { toSQL: () => ({ sql: 'select * from articles where body = ?', params: ['x'] }) };
    expect(tableScans(await plan(scan))).toEqual(['SCAN articles']);
  });

  it.each(listCases)('lists %s through an index', async (_label, options) => {
    const lines = await plan(listPublishedArticlesQuery(db, options));
    expect(lines.length).toBeGreaterThan(0);
    expect(tableScans(lines)).toEqual([]);
  });

  it('lists the newest articles as one range of the listings key, then article keys, without sorting', async () => {
    const lines = await plan(listPublishedArticlesQuery(db, base));
    expect(lines[0]).toMatch(
      /^SEARCH channel_listings USING INDEX sqlite_autoindex_channel_listings_1 \(channel_id=\? AND published_at</,
    );
    expect(lines).toContain('SEARCH articles USING INTEGER PRIMARY KEY (rowid=?)');
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE|SCAN/);
  });

  it.each<[string, ListArticlesOptions]>([
    ['a channel', { ...base, channelSlug: 'news' }],
    ['the next page of a channel', { ...base, channelSlug: 'news', after: [now.getTime(), 10] }],
    [
      "a channel's date range",
      { ...base, channelSlug: 'news', publishedFrom: new Date(0), publishedBefore: now },
    ],
  ])(
    'lists %s from its slug, then one range of the listings key, without sorting',
    async (_label, options) => {
      const lines = await plan(listPublishedArticlesQuery(db, options));
      expect(lines).toEqual([
        'SEARCH channels USING COVERING INDEX channels_slug_unique (slug=?)',
        expect.stringMatching(
          /^SEARCH channel_listings USING INDEX sqlite_autoindex_channel_listings_1 \(channel_id=\? AND \(?published_at.*LEFT-JOIN$/,
        ),
        'SEARCH articles USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN',
      ]);
    },
  );

  it('looks an id list up by primary key', async () => {
    const lines = await plan(listPublishedArticlesQuery(db, { ...base, ids: [1, 2, 3] }));
    expect(lines[0]).toMatch(/^SEARCH articles USING INTEGER PRIMARY KEY/);
  });

  it('checks a channel through its unique slug index', async () => {
    const lines = await plan(channelExistsQuery(db, 'news'));
    expect(lines).toEqual(['SEARCH channels USING COVERING INDEX channels_slug_unique (slug=?)']);
  });

  it.each(['id', 'slug'] as const)(
    'finds an article by %s in one statement, every part of it on an index',
    async (by) => {
      const lines = await plan(findArticleQuery(db, by));
      expect(lines[0]).toMatch(
        by === 'id'
          ? /^SEARCH articles USING INTEGER PRIMARY KEY/
          : /^SEARCH articles USING INDEX articles_slug_unique/,
      );
      expect(tableScans(lines), lines.join('\n')).toEqual([]);
    },
  );

  it('finds both neighbours through the channel index', async () => {
    const lines = await plan(findArticleQuery(db, 'id'));
    const neighbourSearches = lines.filter((l) =>
      /SEARCH n USING (?:COVERING )?INDEX articles_channel_status_published_idx \(channel_id=\? AND status=\?/.test(
        l,
      ),
    );
    expect(neighbourSearches, lines.join('\n')).toHaveLength(2);
  });

  it('reads the channel tree in index order, without sorting', async () => {
    const lines = await plan(channelTreeQuery(db));
    expect(tableScans(lines)).toEqual([]);
    expect(lines.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('finds a channel with every batch statement on an index', async () => {
    for (const statement of findChannelStatements(db, 'news')) {
      const lines = await plan(statement);
      expect(tableScans(lines), lines.join('\n')).toEqual([]);
    }
  });
});

describe('keyset pagination cost', () => {
  it('reads about a page of rows for a deep page, not every newer row', async () => {
    const seedDb = testDb();
    const channel = await seedChannel(seedDb);
    const start = clockNow() - 1000 * 86_400_000;
    for (let i = 0; i < 60; i++) {
      await seedArticle(seedDb, {
        channelSlug: channel.slug,
        publishedAt: new Date(start + i * 60_000),
      });
    }
    const options: ListArticlesOptions = { ...base, channelSlug: channel.slug, limit: 5 };
    const all = await listPublishedArticlesQuery(db, { ...options, limit: 60 });
    const deep = all[50]!;
    const measure = async (opts: ListArticlesOptions) => {
      const { sql, params } = listPublishedArticlesQuery(db, opts).toSQL();
      const r = await env.DB.prepare(sql)
        .bind(...params)
        .all();
      return { rows: r.results.length, read: r.meta.rows_read };
    };
    const firstPage = await measure(options);
    const deepPage = await measure({ ...options, after: [deep.publishedAt!.getTime(), deep.id!] });
    expect(firstPage.rows).toBe(6);
    expect(deepPage.rows).toBe(6);
    // Walking from the top to row 50 would read well over 50 rows.
    expect(deepPage.read).toBeLessThanOrEqual(firstPage.read + 5);
  });
});
