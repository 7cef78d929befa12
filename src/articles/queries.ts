import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import { compileOnce } from '../db/compiled';
import { articles, channels } from '../db/schema';
import { wellFormed } from '../lib/rows';
import type {
  ArticleDetail,
  ArticleLookup,
  Attachment,
  ArticleNeighbour,
  ArticleSummary,
  ChannelRef,
  TagRef,
} from './types';

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
export const tagsJson = sql<string>`(
  select coalesce(json_group_array(json(tag_json)), '[]') from (
    select json_object('slug', t.slug, 'name', t.name) as tag_json
    from article_tags at join tags t on t.id = at.tag_id
    where at.article_id = ${articles.id}
    order by at.position, t.slug
  )
)`.as('tags_json');

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
  now: Date,
  indexed: 'status-and-time' | 'status' | 'none' = 'status-and-time',
): SQL {
  const status =
    indexed === 'none' ? sql`+${articles.status} = 'published'` : eq(articles.status, 'published');
  const visible =
    indexed === 'status-and-time'
      ? lte(articles.publishedAt, now)
      : sql`+${articles.publishedAt} <= ${now.getTime()}`;
  return and(status, visible)!;
}

/**
 * The channel (by slug, or by id) and every channel below it, as one subquery so the list
 * stays one statement.
 */
export function channelAndDescendants(root: string | { id: number }): SQL {
  const start = typeof root === 'string' ? sql`slug = ${root}` : sql`id = ${root.id}`;
  return sql`${articles.channelId} in (
    with recursive subtree(id) as (
      select id from channels where ${start}
      union all
      select c.id from channels c join subtree on c.parent_id = subtree.id
    )
    select id from subtree
  )`;
}

/** One bound JSON parameter instead of one per id: D1 allows only 100 bound parameters per statement. */
function idIn(ids: readonly number[]): SQL {
  return sql`${articles.id} in (select value from json_each(${JSON.stringify(ids)}))`;
}

function taggedWith(slug: string): SQL {
  return sql`${articles.id} in (
    select at.article_id from article_tags at join tags t on t.id = at.tag_id where t.slug = ${slug}
  )`;
}

/**
 * The list statement itself, exported so tests can EXPLAIN exactly what runs. Keyset paging
 * compares (sort key, id) as a row value, which SQLite seeks to in the index instead of
 * walking every newer row; an explicit id list is looked up by primary key instead.
 */
export function listPublishedArticlesQuery(db: Database, options: ListArticlesOptions) {
  const conditions: SQL[] = [
    isPublic(options.now, options.ids ? 'none' : options.after ? 'status' : 'status-and-time'),
  ];
  if (options.channelSlug) conditions.push(channelAndDescendants(options.channelSlug));
  if (options.tagSlug) conditions.push(taggedWith(options.tagSlug));
  if (options.ids) conditions.push(idIn(options.ids));
  if (options.publishedFrom) conditions.push(gte(articles.publishedAt, options.publishedFrom));
  if (options.publishedBefore) conditions.push(lt(articles.publishedAt, options.publishedBefore));

  const sortKey = options.sort === 'popular' ? articles.viewCount : articles.publishedAt;
  if (options.after) {
    const [key, id] = options.after;
    conditions.push(sql`(${sortKey}, ${articles.id}) < (${key}, ${id})`);
  }

  return db
    .select(summaryColumns)
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(and(...conditions))
    .orderBy(desc(sortKey), desc(articles.id))
    .limit(options.limit + 1);
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
  const query = listPublishedArticlesQuery(db, options);
  let rows: SummaryRow[];
  let channelFound = true;
  if (options.channelSlug) {
    const [listed, channel] = await db.batch([query, channelExistsQuery(db, options.channelSlug)]);
    rows = listed;
    channelFound = channel.length > 0;
  } else {
    rows = await query;
  }

  const items = wellFormed(rows.slice(0, options.limit), toSummary, 'articles');
  const last = items.at(-1);
  const next: [number, number] | null =
    rows.length > options.limit && last
      ? [options.sort === 'popular' ? last.views : last.publishedAt.getTime(), last.id]
      : null;
  return { items, next, channelFound };
}

/** Root-first chain of channels above (and including) the channel `start` selects, with depth. */
function channelChain(start: SQL): SQL {
  return sql`with recursive chain(id, slug, name, parent_id, depth) as (
      select c.id, c.slug, c.name, c.parent_id, 0 from channels c where c.id = (${start})
      union all
      select p.id, p.slug, p.name, p.parent_id, chain.depth + 1
      from channels p join chain on p.id = chain.parent_id
      where chain.depth < 32
    )
    select id, slug, name, depth from chain`;
}

/** The chain as a batchable select, root first. */
export function channelChainQuery(db: Database, start: SQL) {
  return db
    .select({ id: sql<number>`id`, slug: sql<string>`slug`, name: sql<string>`name` })
    .from(sql`(${channelChain(start)}) as crumbs`)
    .orderBy(sql`depth desc`);
}

export type ArticleKey = { id: number } | { slug: string };

/** The breadcrumb, root first: the same chain, started from the article's own channel. */
export const breadcrumbJson = sql<string>`(
  select coalesce(json_group_array(json_object('id', id, 'slug', slug, 'name', name)), '[]')
  from (${channelChain(sql`${articles.channelId}`)} order by depth desc)
)`.as('breadcrumb_json');

export const attachmentsJson = sql<string>`(
  select coalesce(json_group_array(json(attachment)), '[]') from (
    select json_object('name', f.name, 'url', f.url, 'size', f.size, 'contentType', f.content_type, 'mediaId', f.media_id)
      as attachment
    from attachments f where f.article_id = ${articles.id}
    order by f.position, f.id
  )
)`.as('attachments_json');

/**
 * The public article just before or after this one in its channel. The article's own position,
 * not "now", is the bound worth seeking to in the channel index, so the publish-time filter is
 * hidden from the planner (unary plus). The inner table is aliased, so the bare "articles"
 * columns refer to the outer row.
 */
function neighbourJson(direction: 'prev' | 'next') {
  const older = direction === 'prev';
  const comparison = older ? sql.raw('<') : sql.raw('>');
  const order = older ? sql.raw('desc') : sql.raw('asc');
  return sql<string | null>`(
    select json_object('id', n.id, 'slug', n.slug, 'title', n.title, 'publishedAt', n.published_at)
    from articles n
    where n.channel_id = ${articles.channelId} and n.status = 'published'
      and +n.published_at <= ${sql.placeholder('now')}
      and (n.published_at, n.id) ${comparison} (${articles.publishedAt}, ${articles.id})
    order by n.published_at ${order}, n.id ${order}
    limit 1
  )`.as(`${direction}_json`);
}

/**
 * Everything an article page or the API needs in one statement: the article with its channel,
 * tags, breadcrumb, attachments and both neighbours, the lists folded in as JSON. One statement
 * instead of a batch of five, since each statement has a fixed cost in D1. Exported so tests
 * can EXPLAIN exactly what runs.
 */
export function findArticleQuery(db: Database, by: 'id' | 'slug') {
  const key = sql.placeholder('key');
  return (
    db
      .select({
        ...summaryColumns,
        status: articles.status,
        body: articles.body,
        visitorCount: articles.visitorCount,
        indexNumber: articles.indexNumber,
        documentNumber: articles.documentNumber,
        dateWritten: articles.dateWritten,
        issuingBody: articles.issuingBody,
        breadcrumbJson,
        attachmentsJson,
        prevJson: neighbourJson('prev'),
        nextJson: neighbourJson('next'),
      })
      .from(articles)
      .innerJoin(channels, eq(channels.id, articles.channelId))
      // No LIMIT: the key is unique anyway, and a bound LIMIT makes SQLite recompile a statement
      // this size on every run (about 80 µs natively, measured).
      .where(by === 'id' ? eq(articles.id, key) : eq(articles.slug, key))
  );
}

const findArticleBy = {
  id: compileOnce<{ key: number; now: number }>((db) => findArticleQuery(db, 'id')),
  slug: compileOnce<{ key: string; now: number }>((db) => findArticleQuery(db, 'slug')),
};

/** The row as D1 returns it: column names, integers for instants. */
interface ArticleRow {
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
  status: string;
  body: string;
  visitor_count: number;
  index_number: string | null;
  document_number: string | null;
  date_written: string | null;
  issuing_body: string | null;
  breadcrumb_json: string;
  attachments_json: string;
  prev_json: string | null;
  next_json: string | null;
}

function toNeighbour(json: string | null): ArticleNeighbour | null {
  if (json === null) return null;
  const n = JSON.parse(json) as { id: number; slug: string; title: string; publishedAt: number };
  return { id: n.id, slug: n.slug, title: n.title, publishedAt: new Date(n.publishedAt) };
}

/** One article as the public may see it, in one D1 round trip. */
export async function findArticle(
  db: Database,
  key: ArticleKey,
  now: Date,
): Promise<ArticleLookup> {
  const statement =
    'id' in key
      ? findArticleBy.id(db, { key: key.id, now: now.getTime() })
      : findArticleBy.slug(db, { key: key.slug, now: now.getTime() });
  const row = await statement.first<ArticleRow>();

  if (!row) return { state: 'missing' };
  // Archived (withdrawn) and soft-deleted articles both answer 410 Gone publicly.
  if (row.status === 'archived' || row.status === 'deleted') {
    return { state: 'withdrawn', id: row.id, slug: row.slug, title: row.title };
  }
  if (row.status !== 'published' || row.published_at === null || row.published_at > now.getTime()) {
    return { state: 'missing' };
  }

  const hasDocumentFields =
    row.index_number || row.document_number || row.date_written || row.issuing_body;
  const article: ArticleDetail = {
    // The summary fields as the list queries map them (drizzle does that renaming for those).
    ...toSummary({
      ...row,
      coverImageUrl: row.cover_image_url,
      publishedAt: new Date(row.published_at),
      updatedAt: new Date(row.updated_at),
      viewCount: row.view_count,
      channelId: row.channel_ref_id,
      channelSlug: row.channel_ref_slug,
      channelName: row.channel_ref_name,
      tagsJson: row.tags_json,
    }),
    body: row.body,
    visitors: row.visitor_count,
    breadcrumb: JSON.parse(row.breadcrumb_json) as ChannelRef[],
    attachments: JSON.parse(row.attachments_json) as Attachment[],
    document: hasDocumentFields
      ? {
          indexNumber: row.index_number,
          documentNumber: row.document_number,
          dateWritten: row.date_written,
          issuingBody: row.issuing_body,
        }
      : null,
    prev: toNeighbour(row.prev_json),
    next: toNeighbour(row.next_json),
  };
  return { state: 'published', article };
}
