import { and, desc, eq, gt, gte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client';
import {
  articleFormerSlugs,
  articleRevisions,
  articles,
  channels,
  type ArticleStatus,
} from '../db/schema';
import {
  attachmentsJson,
  breadcrumbJson,
  channelAndDescendants,
  summaryColumns,
  type SummaryRow,
} from '../articles/queries';
import type { Attachment, ChannelRef, PolicyDocument, TagRef } from '../articles/types';

/** Reads for the admin API and the write path: every status, the version, the raw fields. */

/** The article's own words and their language, as the schema declares them. */
export type ArticleText = Pick<
  typeof articles.$inferSelect,
  'title' | 'subtitle' | 'summary' | 'body' | 'source' | 'author' | 'lang' | 'coverImageUrl'
>;

/** Just an article's own words, in the order the admin API and the export write them. */
export function articleText(a: ArticleText): ArticleText {
  const { title, subtitle, summary, body, source, author, lang, coverImageUrl } = a;
  return { title, subtitle, summary, body, source, author, lang, coverImageUrl };
}

/** What an article holds besides its own columns: its tags, attachments and policy document. */
export interface ArticleExtras {
  tags: TagRef[];
  attachments: Attachment[];
  document: PolicyDocument | null;
}

export type ArticleState = ArticleText &
  ArticleExtras &
  Pick<
    typeof articles.$inferSelect,
    'id' | 'slug' | 'version' | 'status' | 'publishedAt' | 'viewBase'
  > & {
    channelSlug: string;
  };

export interface AdminArticle extends ArticleState {
  channel: ChannelRef;
  breadcrumb: ChannelRef[];
  views: number;
  visitors: number;
  createdAt: Date;
  updatedAt: Date;
}

const adminColumns = {
  ...summaryColumns,
  status: articles.status,
  version: articles.version,
  body: articles.body,
  viewBase: articles.viewBase,
  visitorCount: articles.visitorCount,
  createdAt: articles.createdAt,
  indexNumber: articles.indexNumber,
  documentNumber: articles.documentNumber,
  dateWritten: articles.dateWritten,
  issuingBody: articles.issuingBody,
  breadcrumbJson,
  attachmentsJson,
};

type AdminRow = SummaryRow & {
  status: ArticleStatus;
  version: number;
  body: string;
  viewBase: number;
  visitorCount: number;
  createdAt: Date;
  indexNumber: string | null;
  documentNumber: string | null;
  dateWritten: string | null;
  issuingBody: string | null;
  breadcrumbJson: string;
  attachmentsJson: string;
};

function toAdminArticle(row: AdminRow): AdminArticle {
  const hasDocument = row.indexNumber || row.documentNumber || row.dateWritten || row.issuingBody;
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    slug: row.slug,
    channelSlug: row.channelSlug,
    channel: { id: row.channelId, slug: row.channelSlug, name: row.channelName },
    title: row.title,
    subtitle: row.subtitle,
    summary: row.summary,
    body: row.body,
    source: row.source,
    author: row.author,
    lang: row.lang,
    coverImageUrl: row.coverImageUrl,
    publishedAt: row.publishedAt,
    viewBase: row.viewBase,
    tags: JSON.parse(row.tagsJson) as TagRef[],
    attachments: JSON.parse(row.attachmentsJson) as Attachment[],
    document: hasDocument
      ? {
          indexNumber: row.indexNumber,
          documentNumber: row.documentNumber,
          dateWritten: row.dateWritten,
          issuingBody: row.issuingBody,
        }
      : null,
    breadcrumb: JSON.parse(row.breadcrumbJson) as ChannelRef[],
    views: row.viewCount,
    visitors: row.visitorCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function adminSelect(db: Database) {
  return db
    .select(adminColumns)
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId));
}

/** One article in any status, with everything the admin view shows, in one statement. */
export async function findAdminArticle(db: Database, id: number): Promise<AdminArticle | null> {
  const [row] = await adminSelect(db).where(eq(articles.id, id));
  return row ? toAdminArticle(row as AdminRow) : null;
}

/**
 * The articles an import's lines name, by external id, in one statement. An article made
 * here (no external id) is exported as `gazette:<id>`, so that name finds it too.
 */
export async function findAdminArticlesByExternalId(
  db: Database,
  externalIds: readonly string[],
): Promise<Map<string, AdminArticle>> {
  if (!externalIds.length) return new Map();
  const ids = JSON.stringify(externalIds);
  const local = JSON.stringify(
    externalIds.flatMap((e) => (/^gazette:[1-9][0-9]{0,15}$/.test(e) ? [Number(e.slice(8))] : [])),
  );
  const rows = await db
    .select({ ...adminColumns, externalId: articles.externalId })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(
      local === '[]'
        ? sql`${articles.externalId} in (select value from json_each(${ids}))`
        : sql`${articles.externalId} in (select value from json_each(${ids})) or (${articles.externalId} is null and ${articles.id} in (select value from json_each(${local})))`,
    );
  return new Map(
    rows.map((r) => [r.externalId ?? `gazette:${r.id}`, toAdminArticle(r as unknown as AdminRow)]),
  );
}

/** Every article after `afterId` in id order, with its external id (the site export's pages). */
export async function listAdminArticlesAfter(
  db: Database,
  afterId: number,
  limit: number,
): Promise<(AdminArticle & { externalId: string | null })[]> {
  const rows = await db
    .select({ ...adminColumns, externalId: articles.externalId })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(gt(articles.id, afterId))
    .orderBy(articles.id)
    .limit(limit);
  return rows.map((r) => ({
    ...toAdminArticle(r as unknown as AdminRow),
    externalId: r.externalId,
  }));
}

/** The state a write starts from; the same read as the admin view. */
export async function loadArticleState(db: Database, id: number): Promise<ArticleState | null> {
  return findAdminArticle(db, id);
}

export const adminListSorts = ['updated', 'published', 'views'] as const;
export type AdminListSort = (typeof adminListSorts)[number];

export interface AdminListOptions {
  status?: ArticleStatus;
  channelSlug?: string;
  author?: string;
  updatedSince?: Date;
  /** Part of the title, matched anywhere (case-insensitive for Latin letters). */
  title?: string;
  /** Newest change first (the default), newest publication first, or most viewed first. */
  sort?: AdminListSort;
  /** Keyset: [sort key, id] of the last row already returned (ms for times, views for views). */
  after?: readonly [number, number];
  limit: number;
}

/**
 * Every status, keyset-paginated like the public list. Unpublished articles (no publish
 * time) come last when sorted by publication, as 0.
 */
export async function listAdminArticles(
  db: Database,
  options: AdminListOptions,
): Promise<{ items: AdminArticle[]; next: [number, number] | null }> {
  const sort = options.sort ?? 'updated';
  const key =
    sort === 'views'
      ? sql`${articles.viewCount}`
      : sort === 'published'
        ? sql`coalesce(${articles.publishedAt}, 0)`
        : sql`${articles.updatedAt}`;
  const conditions: SQL[] = [];
  if (options.status) conditions.push(eq(articles.status, options.status));
  if (options.channelSlug) conditions.push(channelAndDescendants(options.channelSlug));
  if (options.author) conditions.push(eq(articles.author, options.author));
  if (options.updatedSince) conditions.push(gte(articles.updatedAt, options.updatedSince));
  if (options.title) {
    conditions.push(sql`instr(lower(${articles.title}), lower(${options.title})) > 0`);
  }
  if (options.after) {
    const [k, id] = options.after;
    conditions.push(sql`(${key}, ${articles.id}) < (${k}, ${id})`);
  }
  const rows = await adminSelect(db)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(key), desc(articles.id))
    .limit(options.limit + 1);
  const items = rows.slice(0, options.limit).map((r) => toAdminArticle(r as AdminRow));
  const last = items.at(-1);
  const keyOf = (a: AdminArticle) =>
    sort === 'views'
      ? a.views
      : sort === 'published'
        ? (a.publishedAt?.getTime() ?? 0)
        : a.updatedAt.getTime();
  return {
    items,
    next: rows.length > options.limit && last ? [keyOf(last), last.id] : null,
  };
}

/** The article a former slug now belongs to, for the short link's 301. */
export async function findByFormerSlug(
  db: Database,
  slug: string,
): Promise<{ id: number; slug: string } | null> {
  const [row] = await db
    .select({ id: articles.id, slug: articles.slug })
    .from(articleFormerSlugs)
    .innerJoin(articles, eq(articles.id, articleFormerSlugs.articleId))
    .where(eq(articleFormerSlugs.slug, slug))
    .limit(1);
  return row ?? null;
}

export type RevisionRow = typeof articleRevisions.$inferSelect;

export async function listRevisions(db: Database, articleId: number): Promise<RevisionRow[]> {
  return db
    .select()
    .from(articleRevisions)
    .where(eq(articleRevisions.articleId, articleId))
    .orderBy(desc(articleRevisions.number));
}

export async function findRevision(
  db: Database,
  articleId: number,
  number: number,
): Promise<RevisionRow | null> {
  const [row] = await db
    .select()
    .from(articleRevisions)
    .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)))
    .limit(1);
  return row ?? null;
}
