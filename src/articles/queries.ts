import { and, desc, eq, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { compileOnce } from '../db/compiled';
import { articleDocuments, articles, channelListings, channels } from '../db/schema';
import {
  attachmentsSql,
  breadcrumbSql,
  channelChain,
  documentSql,
  documentToDetail,
  siteListing,
  tagsSql,
  type StoredSummary,
} from './documents';
import type { ArticleDetail, ArticleLookup, ArticleSummary, TagRef } from './types';
import { wellFormed } from '../lib/rows';

export type ArticleSort = 'latest' | 'popular';

export interface ListArticlesOptions {
  now: Date;
  channelSlug?: string;
  tagSlug?: string;
  /** Only these ids. */
  ids?: readonly number[];
  /** Inclusive lower bound on the publish instant. */
  publishedFrom?: Date;
  /** Exclusive upper bound on the publish instant. */
  publishedBefore?: Date;
  sort: ArticleSort;
  /** Keyset position of the last row already returned: [publishedAt ms or views, id]. */
  after?: readonly [number, number];
  limit: number;
}

export interface ArticlePage {
  items: ArticleSummary[];
  /** The keyset position to continue from, when more rows exist. */
  next: [number, number] | null;
  /** False when a channel filter names no channel at all. */
  channelFound: boolean;
}

/** The article's tags as a JSON array, in their order: one subquery, no extra round trip. */
export const tagsJson = tagsSql.as('tags_json');

export const summaryColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  subtitle: articles.subtitle,
  summary: articles.summary,
  source: articles.source,
  author: articles.author,
  coverImageUrl: articles.coverImageUrl,
  lang: articles.lang,
  publishedAt: articles.publishedAt,
  updatedAt: articles.updatedAt,
  viewCount: articles.viewCount,
  // Aliased: D1 batches return rows as objects, so a second column named "id" would overwrite the first.
  channelId: sql<number>`${channels.id}`.as('channel_ref_id'),
  channelSlug: sql<string>`${channels.slug}`.as('channel_ref_slug'),
  channelName: sql<string>`${channels.name}`.as('channel_ref_name'),
  tagsJson,
};

/** A summary row as drizzle maps it: the stored columns, the channel's, and the tags as JSON. */
export type SummaryRow = Pick<
  typeof articles.$inferSelect,
  | 'id'
  | 'slug'
  | 'title'
  | 'subtitle'
  | 'summary'
  | 'source'
  | 'author'
  | 'coverImageUrl'
  | 'lang'
  | 'publishedAt'
  | 'updatedAt'
  | 'viewCount'
> & { channelId: number; channelSlug: string; channelName: string; tagsJson: string };

/**
 * A list's tags as [position, slug, name] triples, unordered: the ordered subquery of
 * tagsSql sorted every row's tags in a temporary b-tree: the channel list's statement over 21
 * rows took 660 µs with it and 466 µs with these triples (sqlite3 3.40 on the bench's data,
 * median of 8 alternating runs, 2026-12-01); on the route the gain was inside this machine's
 * noise (A/B 10 × 2 s: 1.04 ×, ±20 % per round). sortedTags() restores the order (position,
 * then slug) in JS.
 */
export const listTagsJson = sql<string>`(
  select json_group_array(json_array(at.position, t.slug, t.name))
  from article_tags at join tags t on t.id = at.tag_id
  where at.article_id = ${articles.id}
)`.as('tags_json');

/** summaryColumns with the tags of listTagsJson: what lists and feeds read. */
export const listColumns = { ...summaryColumns, tagsJson: listTagsJson };

/** listTagsJson's triples as TagRefs, ordered as tagsSql orders them (position, then slug). */
export function sortedTags(json: string): TagRef[] {
  const triples = JSON.parse(json) as [number, string, string][];
  if (triples.length > 1) {
    triples.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  }
  return triples.map(([, slug, name]) => ({ slug, name }));
}

export function toSummary(row: SummaryRow): ArticleSummary {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    summary: row.summary,
    source: row.source,
    author: row.author,
    coverImageUrl: row.coverImageUrl,
    lang: row.lang,
    channel: { id: row.channelId, slug: row.channelSlug, name: row.channelName },
    tags: JSON.parse(row.tagsJson) as TagRef[],
    publishedAt: row.publishedAt ?? new Date(0),
    updatedAt: row.updatedAt,
    views: row.viewCount,
  };
}

/**
 * Visible to the public: published, and not scheduled for later. Which of the two terms may
 * drive an index is the caller's choice (a unary plus hides a column from the planner), so
 * each query walks the index that bounds it best.
 */
export function isPublic(
  now: Date | Placeholder,
  indexed: 'status-and-time' | 'status' | 'none' = 'status-and-time',
): SQL {
  // A placeholder (a statement compiled once) is bound to epoch ms, as the column stores them.
  const at = now instanceof Date ? now.getTime() : now;
  const status =
    indexed === 'none' ? sql`+${articles.status} = 'published'` : eq(articles.status, 'published');
  const visible =
    indexed === 'status-and-time'
      ? sql`${articles.publishedAt} <= ${at}`
      : sql`+${articles.publishedAt} <= ${at}`;
  return and(status, visible)!;
}

/**
 * The channel (by slug, or by id) and every channel below it, as one subquery so the list
 * stays one statement.
 */
export function channelAndDescendants(
  root: string | Placeholder | { id: number },
  column: SQL = sql`${articles.channelId}`,
): SQL {
  const start =
    typeof root === 'object' && 'id' in root ? sql`id = ${root.id}` : sql`slug = ${root}`;
  return sql`${column} in (
    with recursive subtree(id) as (
      select id from channels where ${start}
      union all
      select c.id from channels c join subtree on c.parent_id = subtree.id
    )
    select id from subtree
  )`;
}

/** One bound JSON parameter instead of one per id: D1 allows only 100 bound parameters per statement. */
function idIn(idsJson: string | Placeholder): SQL {
  return sql`${articles.id} in (select value from json_each(${idsJson}))`;
}

function taggedWith(slug: string | Placeholder): SQL {
  return sql`${articles.id} in (
    select at.article_id from article_tags at join tags t on t.id = at.tag_id where t.slug = ${slug}
  )`;
}

/** A list statement's values, bound directly or as placeholders of a statement compiled once. */
type Bind = <T>(name: string, value: T) => T | Placeholder;
const direct: Bind = (_name, value) => value;
const asPlaceholder: Bind = (name) => sql.placeholder(name);

/** The from/before window on a publish-time column. */
function publishedWithin(column: SQL, options: ListArticlesOptions, bind: Bind): SQL[] {
  const bounds: SQL[] = [];
  if (options.publishedFrom) {
    bounds.push(sql`${column} >= ${bind('from', options.publishedFrom.getTime())}`);
  }
  if (options.publishedBefore) {
    bounds.push(sql`${column} < ${bind('before', options.publishedBefore.getTime())}`);
  }
  return bounds;
}

function buildList(db: Database, options: ListArticlesOptions, bind: Bind) {
  const now = bind('now', options.now.getTime());
  const conditions: SQL[] = [
    isPublic(
      now as unknown as Date | Placeholder,
      options.ids ? 'none' : options.after ? 'status' : 'status-and-time',
    ),
  ];
  if (options.channelSlug)
    conditions.push(channelAndDescendants(bind('channel', options.channelSlug)));
  if (options.tagSlug) conditions.push(taggedWith(bind('tag', options.tagSlug)));
  if (options.ids) conditions.push(idIn(bind('ids', JSON.stringify(options.ids))));
  conditions.push(...publishedWithin(sql`${articles.publishedAt}`, options, bind));

  const sortKey = options.sort === 'popular' ? articles.viewCount : articles.publishedAt;
  if (options.after) {
    const [key, id] = options.after;
    conditions.push(
      sql`(${sortKey}, ${articles.id}) < (${bind('afterKey', key)}, ${bind('afterId', id)})`,
    );
  }

  return db
    .select(listColumns)
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(and(...conditions))
    .orderBy(desc(sortKey), desc(articles.id))
    .limit(bind('limit', options.limit + 1) as number);
}

/**
 * Lists by publish time without a tag or id filter read channel_listings, kept at write time
 * (src/articles/documents.ts): one range scan of its primary key (channel, published_at,
 * article), newest first, and a key lookup per row in `articles` for the live times and views.
 * The recursive channel subtree, the channel join and the per-row tags subquery are gone from
 * the read. Popular lists (views change live), tag lists and id lists keep buildList.
 * The statement on the bench's data (sqlite3 3.40, a leaf channel's 21 rows): 370 → 115 µs;
 * the channel JSON route's CPU ratio to its floor 0.536-0.545 → 0.591-0.611 (partial runs
 * back to back, 2026-12-02; scripts/bench/limits.md, "Channel list JSON and RSS").
 */
export function readsListings(options: Pick<ListArticlesOptions, 'sort' | 'tagSlug' | 'ids'>) {
  return options.sort === 'latest' && !options.tagSlug && !options.ids;
}

/** The channel a listing statement reads: the slug's channel, or the site-wide list. */
function listingChannel(slug: string | Placeholder | undefined): SQL {
  return slug === undefined
    ? sql`${siteListing}`
    : sql`(select ${channels.id} from ${channels} where ${channels.slug} = ${slug})`;
}

/**
 * The newest public listings of a channel (or the site), by (published_at, article id):
 * conditions only on the primary key's columns, so it stays one range scan.
 */
export function listingConditions(
  now: number | Placeholder,
  channelSlug: string | Placeholder | undefined,
  /** A keyset position bounds the scan instead: hide the publish time from the planner. */
  after = false,
): SQL[] {
  return [
    sql`${channelListings.channelId} = ${listingChannel(channelSlug)}`,
    after
      ? sql`+${channelListings.publishedAt} <= ${now}`
      : sql`${channelListings.publishedAt} <= ${now}`,
    // The listings are kept in step with the status; a raw write behind the commands' back
    // must still not list an article the public cannot read.
    sql`+${articles.status} = 'published'`,
  ];
}

/** What a listing read selects: its stored summary and the live row's times and views. */
export const listingColumns = {
  id: articles.id,
  summary: channelListings.summary,
  publishedAt: articles.publishedAt,
  updatedAt: articles.updatedAt,
  viewCount: articles.viewCount,
};

function buildListingList(db: Database, options: ListArticlesOptions, bind: Bind) {
  const conditions = listingConditions(
    bind('now', options.now.getTime()),
    options.channelSlug === undefined ? undefined : bind('channel', options.channelSlug),
    options.after !== undefined,
  );
  conditions.push(...publishedWithin(sql`${channelListings.publishedAt}`, options, bind));
  if (options.after) {
    const [key, id] = options.after;
    conditions.push(
      sql`(${channelListings.publishedAt}, ${channelListings.articleId}) < (${bind('afterKey', key)}, ${bind('afterId', id)})`,
    );
  }
  if (options.channelSlug !== undefined) {
    // Driven from the channel's slug, outer-joined: an unknown channel gives no row, an empty
    // one a single row of nulls. channelFound thus comes in the same statement, and the D1
    // call carries one statement, like the floor's (each statement of a batch has a cost of
    // its own in D1 beyond its SQL). Channel JSON with both changes: 0.591 and 0.611 of its
    // floor against 0.536-0.545 before (partial runs, 2026-12-02).
    const [, visible, published, ...bounds] = conditions;
    return db
      .select(listingColumns)
      .from(channels)
      .leftJoin(
        channelListings,
        and(eq(channelListings.channelId, channels.id), visible, ...bounds),
      )
      .leftJoin(articles, and(eq(articles.id, channelListings.articleId), published))
      .where(eq(channels.slug, bind('channel', options.channelSlug)))
      .orderBy(desc(channelListings.publishedAt), desc(channelListings.articleId))
      .limit(bind('limit', options.limit + 1) as number);
  }
  return db
    .select(listingColumns)
    .from(channelListings)
    .innerJoin(articles, eq(articles.id, channelListings.articleId))
    .where(and(...conditions))
    .orderBy(desc(channelListings.publishedAt), desc(channelListings.articleId))
    .limit(bind('limit', options.limit + 1) as number);
}

type Nulls<T> = { [K in keyof T]: null };

/** A listing row as D1 returns it. */
export interface RawListingRow {
  id: number;
  summary: string;
  published_at: number | null;
  updated_at: number;
  view_count: number;
}

/** A listing row straight to its summary: the stored part parsed, the live part added. */
export function listingSummary(row: RawListingRow): ArticleSummary {
  const stored = JSON.parse(row.summary) as StoredSummary;
  return {
    ...stored,
    publishedAt: new Date(row.published_at ?? 0),
    updatedAt: new Date(row.updated_at),
    views: row.view_count,
  };
}

/**
 * The list statement itself, exported so tests can EXPLAIN exactly what runs. Keyset paging
 * compares (sort key, id) as a row value, which SQLite seeks to in the index instead of
 * walking every newer row; an explicit id list is looked up by primary key instead.
 */
export function listPublishedArticlesQuery(db: Database, options: ListArticlesOptions) {
  return readsListings(options)
    ? buildListingList(db, options, direct)
    : buildList(db, options, direct);
}

/** The values a compiled list statement binds, by placeholder name. */
function listValues(options: ListArticlesOptions): Record<string, unknown> {
  return {
    now: options.now.getTime(),
    channel: options.channelSlug,
    tag: options.tagSlug,
    ids: options.ids && JSON.stringify(options.ids),
    from: options.publishedFrom?.getTime(),
    before: options.publishedBefore?.getTime(),
    afterKey: options.after?.[0],
    afterId: options.after?.[1],
    limit: options.limit + 1,
  };
}

/**
 * drizzle rebuilt the list statement on every request (15 % of a channel list's CPU, in the
 * profile of scripts/bench/limits.md); each shape of it (which filters are given) is built
 * once per isolate instead, and a request binds its values.
 */
const compiledLists = new Map<string, ReturnType<typeof compileOnce<Record<string, unknown>>>>();

function listStatement(db: Database, options: ListArticlesOptions): D1PreparedStatement {
  const listing = readsListings(options);
  const shape = [
    listing ? 'listing' : '',
    options.sort,
    options.channelSlug ? 'c' : '',
    options.tagSlug ? 't' : '',
    options.ids ? 'i' : '',
    options.publishedFrom ? 'f' : '',
    options.publishedBefore ? 'b' : '',
    options.after ? 'a' : '',
  ].join('');
  let compiled = compiledLists.get(shape);
  if (!compiled) {
    // Bound to no values: the shape is all that goes into the statement's text.
    compiled = compileOnce<Record<string, unknown>>((d) =>
      (listing ? buildListingList : buildList)(d, options, asPlaceholder),
    );
    compiledLists.set(shape, compiled);
  }
  return compiled(db, listValues(options));
}

const channelExistsBySlug = compileOnce<{ slug: string }>((db) =>
  channelExistsQuery(db, sql.placeholder('slug') as unknown as string),
);

/** A summary row as D1 returns it: column names, integers for instants. */
export interface RawSummaryRow {
  id: number;
  slug: string;
  title: string;
  subtitle: string;
  summary: string;
  source: string;
  author: string;
  cover_image_url: string | null;
  lang: string;
  published_at: number | null;
  updated_at: number;
  view_count: number;
  channel_ref_id: number;
  channel_ref_slug: string;
  channel_ref_name: string;
  tags_json: string;
}

/**
 * A list row as D1 returns it, straight to its summary: no intermediate drizzle-shaped row
 * (a second object per row, then toSummary's).
 */
export function listSummary(row: RawSummaryRow): ArticleSummary {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    summary: row.summary,
    source: row.source,
    author: row.author,
    coverImageUrl: row.cover_image_url,
    lang: row.lang,
    channel: { id: row.channel_ref_id, slug: row.channel_ref_slug, name: row.channel_ref_name },
    tags: sortedTags(row.tags_json),
    publishedAt: new Date(row.published_at ?? 0),
    updatedAt: new Date(row.updated_at),
    views: row.view_count,
  };
}

export function channelExistsQuery(db: Database, slug: string) {
  return db.select({ id: channels.id }).from(channels).where(eq(channels.slug, slug)).limit(1);
}

export async function channelExists(db: Database, slug: string): Promise<boolean> {
  return (await channelExistsQuery(db, slug)).length > 0;
}

/**
 * One page of public summaries. Filtering by channel also reports whether the channel exists,
 * in the same round trip, so an unknown channel can be told apart from an empty one.
 */
export async function listPublishedArticles(
  db: Database,
  options: ListArticlesOptions,
): Promise<ArticlePage> {
  const query = listStatement(db, options);
  let rows: (RawSummaryRow | RawListingRow)[];
  let channelFound = true;
  if (options.channelSlug && readsListings(options)) {
    const all = (await query.all<RawListingRow | Nulls<RawListingRow>>()).results;
    channelFound = all.length > 0;
    // The row of an empty channel, or (after a raw write behind the commands) a listing of an
    // article that is no longer published: no article.
    rows = all.filter((r): r is RawListingRow => r.id !== null);
  } else if (options.channelSlug) {
    const [listed, channel] = await db.$client.batch([
      query,
      channelExistsBySlug(db, { slug: options.channelSlug }),
    ]);
    rows = (listed?.results ?? []) as typeof rows;
    channelFound = (channel?.results.length ?? 0) > 0;
  } else {
    rows = (await query.all<RawSummaryRow | RawListingRow>()).results;
  }

  const items = readsListings(options)
    ? wellFormed(rows.slice(0, options.limit) as RawListingRow[], listingSummary, 'articles')
    : wellFormed(rows.slice(0, options.limit) as RawSummaryRow[], listSummary, 'articles');
  const last = items.at(-1);
  const next: [number, number] | null =
    rows.length > options.limit && last
      ? [options.sort === 'popular' ? last.views : last.publishedAt.getTime(), last.id]
      : null;
  return { items, next, channelFound };
}

/** The chain as a batchable select, root first. */
export function channelChainQuery(db: Database, start: SQL) {
  return db
    .select({ id: sql<number>`id`, slug: sql<string>`slug`, name: sql<string>`name` })
    .from(sql`(${channelChain(start)}) as crumbs`)
    .orderBy(sql`depth desc`);
}

export type ArticleKey = { id: number } | { slug: string };

/** The breadcrumb, root first: the channel chain started from the article's own channel. */
export const breadcrumbJson = breadcrumbSql.as('breadcrumb_json');

export const attachmentsJson = attachmentsSql.as('attachments_json');

/**
 * The public read: the article's live status, publish time and counts, and its stored document
 * (src/articles/documents.ts), by primary key or the slug index. Exported so tests can EXPLAIN
 * exactly what runs.
 */
export function articleDocumentQuery(db: Database, by: 'id' | 'slug') {
  const key = sql.placeholder('key');
  return (
    db
      .select({
        id: articles.id,
        slug: articles.slug,
        title: articles.title,
        status: articles.status,
        publishedAt: articles.publishedAt,
        viewCount: articles.viewCount,
        visitorCount: articles.visitorCount,
        document: articleDocuments.document,
      })
      .from(articles)
      .leftJoin(articleDocuments, eq(articleDocuments.articleId, articles.id))
      // No LIMIT: the key is unique anyway, and a bound LIMIT makes SQLite recompile the
      // statement on every run.
      .where(by === 'id' ? eq(articles.id, key) : eq(articles.slug, key))
  );
}

/**
 * The document built live from the tables, the way a write stores it: tags, breadcrumb,
 * attachments and both neighbours as JSON in one statement. What a read falls back to for an
 * article whose document is missing (data written by raw SQL before `npm run
 * documents:rebuild`), and what EXPLAIN checks the write-time cost of.
 */
export function findArticleQuery(db: Database, by: 'id' | 'slug') {
  const key = sql.placeholder('key');
  return db
    .select({ id: articles.id, document: documentSql.as('document') })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(by === 'id' ? eq(articles.id, key) : eq(articles.slug, key));
}

/** Any article, whatever its status, as its document would read now, with its counts. */
const draftDetail = compileOnce<{ key: number }>((db) =>
  db
    .select({
      status: articles.status,
      viewCount: articles.viewCount,
      visitorCount: articles.visitorCount,
      document: documentSql.as('document'),
    })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(eq(articles.id, sql.placeholder('key'))),
);

/**
 * An article in any status as its page will show it once published (the preview): the
 * document built live, the way publishing stores it; no neighbours, and an unpublished
 * article dated `now`.
 */
export async function findDraftDetail(
  db: Database,
  id: number,
  now: Date,
): Promise<{ status: string; article: ArticleDetail } | null> {
  const row = await draftDetail(db, { key: id }).first<{
    status: string;
    view_count: number;
    visitor_count: number;
    document: string;
  }>();
  if (!row) return null;
  const counts = { views: row.view_count, visitors: row.visitor_count };
  const article = documentToDetail(row.document, counts, now.getTime(), { publishedAt: now });
  return { status: row.status, article: { ...article, prev: null, next: null } };
}

const readArticleBy = {
  id: compileOnce<{ key: number }>((db) => articleDocumentQuery(db, 'id')),
  slug: compileOnce<{ key: string }>((db) => articleDocumentQuery(db, 'slug')),
};
const buildDocument = compileOnce<{ key: number }>((db) => findArticleQuery(db, 'id'));

/** The row as D1 returns it: column names, integers for instants. */
export interface ArticleDocumentRow {
  id: number;
  slug: string;
  title: string;
  status: string;
  published_at: number | null;
  view_count: number;
  visitor_count: number;
  document: string | null;
}

/** The public read of one article as a statement, for a caller that batches it with others. */
export function articleReadStatement(db: Database, key: ArticleKey): D1PreparedStatement {
  return 'id' in key
    ? readArticleBy.id(db, { key: key.id })
    : readArticleBy.slug(db, { key: key.slug });
}

/**
 * What the public may see of the row articleReadStatement returned. Visibility is decided
 * here, at read time, from the live row (a scheduled article never shows early), and the
 * counts are the row's own, flushed by the view counters, as every list shows them.
 */
export async function articleLookup(
  db: Database,
  row: ArticleDocumentRow | null,
  now: Date,
): Promise<ArticleLookup> {
  if (!row) return { state: 'missing' };
  // Archived (withdrawn) and soft-deleted articles both answer 410 Gone publicly.
  if (row.status === 'archived' || row.status === 'deleted') {
    return { state: 'withdrawn', id: row.id, slug: row.slug, title: row.title };
  }
  if (row.status !== 'published' || row.published_at === null || row.published_at > now.getTime()) {
    return { state: 'missing' };
  }
  let document = row.document;
  if (document === null) {
    // Written around the commands (raw SQL); a second round trip until the documents are rebuilt.
    const live = await buildDocument(db, { key: row.id }).first<{ document: string }>();
    if (!live) return { state: 'missing' };
    document = live.document;
  }
  const counts = { views: row.view_count, visitors: row.visitor_count };
  return { state: 'published', article: documentToDetail(document, counts, now.getTime()) };
}

/** One article as the public may see it: one D1 round trip, one key lookup. */
export async function findArticle(
  db: Database,
  key: ArticleKey,
  now: Date,
): Promise<ArticleLookup> {
  const row = await articleReadStatement(db, key).first<ArticleDocumentRow>();
  return articleLookup(db, row, now);
}
