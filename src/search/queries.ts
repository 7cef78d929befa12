import { sql, type Query, type SQL } from 'drizzle-orm';
import { channelAndDescendants, channelExistsQuery, isPublic } from '../articles/queries';
import type { ChannelRef, PolicyDocument } from '../articles/types';
import type { Database } from '../db/client';
import type { articles } from '../db/schema';
import type { ParsedQuery, SearchIndex, SearchTerm } from './query';
import { wellFormed } from '../lib/rows';

export type SearchSort = 'relevance' | 'latest';

/** Hits are counted exactly up to this many; past it the total reads "more than N". */
export const totalCap = 1000;

/**
 * bm25 column weights, in the tables' column order (title, subtitle, summary, body, meta):
 * a word in the title counts ten times one in the body, the summary and the policy fields
 * (文号, 发布机构, source) in between.
 */
const weights = '10.0, 6.0, 4.0, 1.0, 3.0';

export interface SearchOptions {
  query: ParsedQuery;
  now: Date;
  channelSlug?: string;
  /** Inclusive lower bound on the publish instant. */
  publishedFrom?: Date;
  /** Exclusive upper bound on the publish instant. */
  publishedBefore?: Date;
  /** Only policy documents (文件): articles with a 索引号, 文号 or 发布机构. */
  policyOnly?: boolean;
  sort: SearchSort;
  offset: number;
  limit: number;
}

/** What a hit shows of the article's own columns (`body` is the sanitized HTML, for the snippet). */
type HitText = Pick<
  typeof articles.$inferSelect,
  'id' | 'slug' | 'title' | 'subtitle' | 'summary' | 'body' | 'source' | 'lang'
>;

export interface SearchHit extends HitText {
  publishedAt: Date;
  channel: ChannelRef;
  document: Pick<PolicyDocument, 'indexNumber' | 'documentNumber' | 'issuingBody'> | null;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Exact when `totalExact`; otherwise the cap, and there are more. */
  total: number;
  totalExact: boolean;
  hasMore: boolean;
  /** False when a channel filter names no channel at all. */
  channelFound: boolean;
}

const tableOf: Record<SearchIndex, SQL> = {
  trigram: sql.raw('search_trigram'),
  unigram: sql.raw('search_unigram'),
};

function termsOn(terms: SearchTerm[], index: SearchIndex): SearchTerm[] {
  return terms.filter((t) => t.index === index);
}

/** One FTS5 expression of quoted phrases: the parser made each one, nothing else gets in. */
function expression(terms: SearchTerm[], operator: 'AND' | 'OR'): string {
  return terms.map((t) => t.match).join(` ${operator} `);
}

/**
 * WITH, FROM and WHERE shared by the page and the count. The first index's match drives the
 * query (CROSS JOIN keeps SQLite from starting at articles and probing the index row by row).
 * A query with terms for both indexes materializes the second match once and joins it on the
 * id: probing it per row re-reads the doclists of its (often very common) characters for every
 * row: 1.7 s a query on 10,000 articles (scripts/search-measure.ts) before this.
 */
function searchBody(options: SearchOptions): { with: SQL; from: SQL; where: SQL; score: SQL } {
  const matches = (['trigram', 'unigram'] as const)
    .map((index) => ({ index, terms: termsOn(options.query.include, index) }))
    .filter((m) => m.terms.length > 0);
  const parts: SQL[] = [];
  const ctes: SQL[] = [];
  const scores: SQL[] = [];
  matches.forEach(({ index, terms }, i) => {
    const alias = sql.raw(`m${i}`);
    const table = tableOf[index];
    const source = sql`(select rowid as id, bm25(${table}, ${sql.raw(weights)}) as score from ${table} where ${table} match ${expression(terms, 'AND')})`;
    if (i === 0) {
      parts.push(sql`${source} as ${alias}`);
    } else {
      ctes.push(sql`${alias} as materialized ${source}`);
      parts.push(sql`cross join ${alias} on ${alias}.id = m0.id`);
    }
    scores.push(sql`${alias}.score`);
  });

  const conditions: SQL[] = [isPublic(options.now, 'none')];
  for (const index of ['trigram', 'unigram'] as const) {
    const excluded = termsOn(options.query.exclude, index);
    if (!excluded.length) continue;
    const table = tableOf[index];
    conditions.push(
      sql`articles.id not in (select rowid from ${table} where ${table} match ${expression(excluded, 'OR')})`,
    );
  }
  if (options.channelSlug) conditions.push(channelAndDescendants(options.channelSlug));
  if (options.publishedFrom) {
    conditions.push(sql`articles.published_at >= ${options.publishedFrom.getTime()}`);
  }
  if (options.publishedBefore) {
    conditions.push(sql`articles.published_at < ${options.publishedBefore.getTime()}`);
  }
  if (options.policyOnly) {
    conditions.push(
      sql`(coalesce(articles.index_number, '') || coalesce(articles.document_number, '') || coalesce(articles.issuing_body, '')) <> ''`,
    );
  }
  return {
    with: ctes.length ? sql`with ${sql.join(ctes, sql`, `)} ` : sql``,
    from: sql`${sql.join(parts, sql` `)} cross join articles on articles.id = m0.id`,
    where: sql.join(conditions, sql` and `),
    score: sql.join(scores, sql` + `),
  };
}

interface HitRow extends HitText {
  published_at: number;
  index_number: string | null;
  document_number: string | null;
  issuing_body: string | null;
  channel_ref_id: number;
  channel_ref_slug: string;
  channel_ref_name: string;
}

/** The statements of one search, exported so tests can EXPLAIN exactly what runs. */
export function searchStatements(db: Database, options: SearchOptions) {
  const { with: ctes, from, where, score } = searchBody(options);
  const order =
    options.sort === 'latest'
      ? sql`articles.published_at desc, articles.id desc`
      : sql`${score}, articles.published_at desc, articles.id desc`;
  const page = sql`${ctes}
    select articles.id, articles.slug, articles.title, articles.subtitle, articles.summary,
      articles.body, articles.source, articles.lang, articles.published_at,
      articles.index_number, articles.document_number, articles.issuing_body,
      channels.id as channel_ref_id, channels.slug as channel_ref_slug,
      channels.name as channel_ref_name
    from ${from} join channels on channels.id = articles.channel_id
    where ${where}
    order by ${order}
    limit ${options.limit + 1} offset ${options.offset}`;
  // Counting stops at the cap: a one-character query may match most of the site.
  const count = sql`${ctes}select count(*) as n from (select 1 from ${from} where ${where} limit ${totalCap + 1})`;
  return { page: db.all(page).getQuery(), count: db.all(count).getQuery() };
}

function toHit(row: HitRow): SearchHit {
  const hasDocument = row.index_number || row.document_number || row.issuing_body;
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    summary: row.summary,
    body: row.body,
    source: row.source,
    lang: row.lang,
    publishedAt: new Date(row.published_at),
    channel: { id: row.channel_ref_id, slug: row.channel_ref_slug, name: row.channel_ref_name },
    document: hasDocument
      ? {
          indexNumber: row.index_number,
          documentNumber: row.document_number,
          issuingBody: row.issuing_body,
        }
      : null,
  };
}

/** One page of public search hits and the (capped) total, in one D1 round trip. */
export async function searchArticles(db: Database, options: SearchOptions): Promise<SearchPage> {
  const { page, count } = searchStatements(db, options);
  // Straight to D1: drizzle cannot batch raw statements that have bound values.
  const statements: Query[] = [page, count];
  if (options.channelSlug) statements.push(channelExistsQuery(db, options.channelSlug).toSQL());
  const [listed, counted, channel] = await db.$client.batch(
    statements.map((q) => db.$client.prepare(q.sql).bind(...q.params)),
  );
  const rows = (listed?.results ?? []) as HitRow[];
  const n = ((counted?.results ?? []) as { n: number }[])[0]?.n ?? 0;
  const channelFound = !options.channelSlug || (channel?.results.length ?? 0) > 0;
  return {
    hits: wellFormed(rows.slice(0, options.limit), toHit, 'search'),
    total: Math.min(n, totalCap),
    totalExact: n <= totalCap,
    hasMore: rows.length > options.limit,
    channelFound,
  };
}
