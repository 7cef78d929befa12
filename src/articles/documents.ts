import { sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Database } from '../db/client';
import { articleDocuments, articles, channelListings, channels } from '../db/schema';
import type { ArticleDetail, ArticleNeighbour, ArticleSummary } from './types';

/**
 * The per-article public document (issue 20): everything the article API and page show of an
 * article but its live counts, built in SQL from the tables when a write changes any of it,
 * in the write's own batch. The public read is then one key lookup (findArticle).
 *
 * What is stored does not depend on "now": a neighbour is the nearest *published* article in
 * the channel, whatever its publish time, and the read drops it while it is still in the
 * future. That is exact, not approximate: the article being read is public, so every older
 * neighbour is too, and if the nearest newer one is not yet public, no newer one is.
 */

type Batch = BatchItem<'sqlite'>[];

/** The document as stored: ArticleDetail without the counts, instants as epoch ms. */
export interface StoredDocument extends Omit<
  ArticleDetail,
  'publishedAt' | 'updatedAt' | 'views' | 'visitors' | 'prev' | 'next'
> {
  /** Set on every stored document; null only in one built live for an unpublished article. */
  publishedAt: number | null;
  updatedAt: number;
  prev: StoredNeighbour | null;
  next: StoredNeighbour | null;
}

interface StoredNeighbour {
  id: number;
  slug: string;
  title: string;
  publishedAt: number;
}

/** The article's tags as a JSON array, in their order. */
export const tagsSql = sql<string>`(
  select coalesce(json_group_array(json(tag_json)), '[]') from (
    select json_object('slug', t.slug, 'name', t.name) as tag_json
    from article_tags at join tags t on t.id = at.tag_id
    where at.article_id = ${articles.id}
    order by at.position, t.slug
  )
)`;

/** Root-first chain of channels above (and including) the channel `start` selects, with depth. */
export function channelChain(start: SQL): SQL {
  return sql`with recursive chain(id, slug, name, parent_id, depth) as (
      select c.id, c.slug, c.name, c.parent_id, 0 from channels c where c.id = (${start})
      union all
      select p.id, p.slug, p.name, p.parent_id, chain.depth + 1
      from channels p join chain on p.id = chain.parent_id
      where chain.depth < 32
    )
    select id, slug, name, depth from chain`;
}

/** The breadcrumb, root first: the chain started from the article's own channel. */
export const breadcrumbSql = sql<string>`(
  select coalesce(json_group_array(json_object('id', id, 'slug', slug, 'name', name)), '[]')
  from (${channelChain(sql`${articles.channelId}`)} order by depth desc)
)`;

export const attachmentsSql = sql<string>`(
  select coalesce(json_group_array(json(attachment)), '[]') from (
    select json_object('name', f.name, 'url', f.url, 'size', f.size, 'contentType', f.content_type, 'mediaId', f.media_id)
      as attachment
    from attachments f where f.article_id = ${articles.id}
    order by f.position, f.id
  )
)`;

/**
 * The nearest published article before or after the outer `articles` row in its channel, by
 * (published_at, id): a seek on the channel index. The inner table is aliased, so the bare
 * "articles" columns refer to the outer row.
 */
function neighbourSql(direction: 'prev' | 'next'): SQL {
  const older = direction === 'prev';
  const comparison = older ? sql.raw('<') : sql.raw('>');
  const order = older ? sql.raw('desc') : sql.raw('asc');
  return sql`(
    select json_object('id', n.id, 'slug', n.slug, 'title', n.title, 'publishedAt', n.published_at)
    from articles n
    where n.channel_id = ${articles.channelId} and n.status = 'published'
      and (n.published_at, n.id) ${comparison} (${articles.publishedAt}, ${articles.id})
    order by n.published_at ${order}, n.id ${order}
    limit 1
  )`;
}

/** 索引号, 文号, 成文日期, 发布机构: present only when one of them is filled in. */
const policyDocumentSql = sql`case when coalesce(nullif(${articles.indexNumber}, ''),
    nullif(${articles.documentNumber}, ''), nullif(${articles.dateWritten}, ''),
    nullif(${articles.issuingBody}, '')) is not null
  then json_object('indexNumber', ${articles.indexNumber}, 'documentNumber', ${articles.documentNumber},
    'dateWritten', ${articles.dateWritten}, 'issuingBody', ${articles.issuingBody})
  end`;

/**
 * The StoredDocument of the `articles` row joined with its channel, as one JSON value. The one
 * declaration of the document: the refresh below stores it, the preview and a read that finds
 * no stored document compute it live.
 */
export const documentSql = sql<string>`json_object(
  'id', ${articles.id}, 'slug', ${articles.slug}, 'title', ${articles.title},
  'subtitle', ${articles.subtitle}, 'summary', ${articles.summary}, 'source', ${articles.source},
  'author', ${articles.author}, 'coverImageUrl', ${articles.coverImageUrl}, 'lang', ${articles.lang},
  'channel', json_object('id', ${channels.id}, 'slug', ${channels.slug}, 'name', ${channels.name}),
  'tags', json(${tagsSql}),
  'publishedAt', ${articles.publishedAt}, 'updatedAt', ${articles.updatedAt},
  'body', ${articles.body},
  'breadcrumb', json(${breadcrumbSql}),
  'attachments', json(${attachmentsSql}),
  'document', json(${policyDocumentSql}),
  'prev', json(${neighbourSql('prev')}),
  'next', json(${neighbourSql('next')})
)`;

/**
 * The ArticleSummary of the `articles` row joined with its channel, without its publish time,
 * edit time and views (read live from `articles`, so a list shows what the row says now):
 * what channel_listings stores for lists and feeds. Tags are sorted here, once per write.
 */
export const listingSummarySql = sql<string>`json_object(
  'id', ${articles.id}, 'slug', ${articles.slug}, 'title', ${articles.title},
  'subtitle', ${articles.subtitle}, 'summary', ${articles.summary}, 'source', ${articles.source},
  'author', ${articles.author}, 'coverImageUrl', ${articles.coverImageUrl}, 'lang', ${articles.lang},
  'channel', json_object('id', ${channels.id}, 'slug', ${channels.slug}, 'name', ${channels.name}),
  'tags', json(${tagsSql})
)`;

/** A listing's stored summary as the public sees it, with the live row's times and views. */
export type StoredSummary = Omit<ArticleSummary, 'publishedAt' | 'updatedAt' | 'views'>;

/** The site-wide list's channel_id in channel_listings: no channel has id 0. */
export const siteListing = 0;

/** Which documents a write touches. */
export type DocumentScope =
  /** An article (by id, or a subquery yielding it) and the neighbours it leaves and joins. */
  | { article: number | SQL }
  /** Every article in the channel or below it: a rename or move changes their breadcrumbs. */
  | { channelSubtree: number | SQL }
  /** Every article with the tag. */
  | { tag: number | SQL }
  /** Articles with an id in [from, to]. */
  | { idRange: [number, number] }
  /** These articles (one bound parameter however many: a JSON array read with json_each). */
  | { ids: readonly number[] };

/**
 * The article `x`, every document that links it now (the neighbours it may be leaving) and
 * its neighbours as it now stands (the ones it joins): the documents whose content a write to
 * `x` can change. A union, so each part is its own index lookup.
 */
function articleAndNeighbours(x: number | SQL): SQL {
  const near = (direction: 'prev' | 'next') => {
    const older = direction === 'prev';
    const comparison = older ? sql.raw('<') : sql.raw('>');
    const order = older ? sql.raw('desc') : sql.raw('asc');
    return sql`select * from (select n.id from articles n join articles x on x.id = ${x}
      where x.status = 'published' and n.channel_id = x.channel_id and n.status = 'published'
        and (n.published_at, n.id) ${comparison} (x.published_at, x.id)
      order by n.published_at ${order}, n.id ${order} limit 1)`;
  };
  return sql`${articles.id} in (
    select ${x}
    union select article_id from article_documents where prev_id = ${x}
    union select article_id from article_documents where next_id = ${x}
    union ${near('prev')}
    union ${near('next')}
  )`;
}

function scopeCondition(scope: DocumentScope): SQL {
  if ('article' in scope) return articleAndNeighbours(scope.article);
  if ('channelSubtree' in scope) {
    return sql`${articles.channelId} in (
      with recursive subtree(id) as (
        select id from channels where id = ${scope.channelSubtree}
        union all
        select c.id from channels c join subtree on c.parent_id = subtree.id
      )
      select id from subtree
    )`;
  }
  if ('tag' in scope) {
    return sql`${articles.id} in (select article_id from article_tags where tag_id = ${scope.tag})`;
  }
  if ('ids' in scope) {
    return sql`${articles.id} in (select value from json_each(${JSON.stringify(scope.ids)}))`;
  }
  return sql`${articles.id} between ${scope.idRange[0]} and ${scope.idRange[1]}`;
}

/**
 * The articles whose listings a write in `scope` changes: for one article only itself (its
 * neighbours' summaries do not mention it), otherwise the scope's articles.
 */
function listingCondition(scope: DocumentScope): SQL {
  if ('article' in scope) return sql`${articles.id} in (select ${scope.article})`;
  return scopeCondition(scope);
}

/** The listings of the published articles `condition` selects, as channel_listings rows. */
function listingsSql(condition: SQL): SQL {
  // The unary plus keeps the planner on the scope's own index, as in the documents' refresh.
  return sql`with recursive up(article_id, channel_id, depth) as (
      select ${articles.id}, ${articles.channelId}, 0 from ${articles}
      where +${articles.status} = 'published' and ${articles.publishedAt} is not null
        and ${condition}
      union all
      select up.article_id, c.parent_id, up.depth + 1
      from up join channels c on c.id = up.channel_id
      where c.parent_id is not null and up.depth < 32
    ),
    places(article_id, channel_id) as (
      select article_id, channel_id from up
      union select article_id, ${sql.raw(String(siteListing))} from up
    )
    -- CROSS JOIN keeps places outermost: the planner may otherwise scan every article.
    select places.channel_id as channel_id, ${articles.publishedAt} as published_at,
      ${articles.id} as article_id, ${listingSummarySql} as summary
    from places cross join ${articles} on ${articles.id} = places.article_id
      join ${channels} on ${channels.id} = ${articles.channelId}`;
}

/**
 * Replaces the listings of the articles `condition` selects: one per channel on a published
 * article's chain, root included, and one under siteListing. Statements for a write's batch.
 */
function listingRefreshStatements(db: Database, condition: SQL): Batch {
  return [
    db
      .delete(channelListings)
      .where(
        sql`${channelListings.articleId} in (select ${articles.id} from ${articles} where ${condition})`,
      ),
    db
      .insert(channelListings)
      .select(
        db
          .select({
            channelId: sql<number>`channel_id`.as('channel_id'),
            publishedAt: sql<number>`published_at`.as('published_at'),
            articleId: sql<number>`article_id`.as('article_id'),
            summary: sql<string>`summary`.as('summary'),
          })
          .from(sql`(${listingsSql(condition)}) as listed`)
          // SQLite needs a WHERE to tell the upsert's ON CONFLICT from a join constraint.
          .where(sql`true`),
      )
      .onConflictDoNothing(),
  ];
}

/**
 * The statements that bring the documents in `scope` up to date with the tables, to append to
 * a write's batch after its own statements (so they see the write): drop the documents of
 * articles that are no longer published, then rebuild the others, and the same for their
 * listings (channel_listings). Idempotent.
 */
export function documentRefreshStatements(db: Database, scope: DocumentScope): Batch {
  const condition = scopeCondition(scope);
  // The unary plus keeps the planner on the scope's own index: the status index would walk
  // every published article.
  const built = sql`(
    select ${articles.id} as id, ${documentSql} as document
    from ${articles} join ${channels} on ${channels.id} = ${articles.channelId}
    where +${articles.status} = 'published' and ${condition}
  )`;
  return [
    db
      .delete(articleDocuments)
      .where(
        sql`${articleDocuments.articleId} in (select ${articles.id} from ${articles} where ${condition} and ${articles.status} <> 'published')`,
      ),
    db
      .insert(articleDocuments)
      .select(
        db
          .select({
            articleId: sql<number>`id`.as('article_id'),
            prevId: sql<number | null>`json_extract(document, '$.prev.id')`.as('prev_id'),
            nextId: sql<number | null>`json_extract(document, '$.next.id')`.as('next_id'),
            document: sql<string>`document`.as('document'),
          })
          .from(sql`${built} as built`)
          // SQLite needs a WHERE to tell the upsert's ON CONFLICT from a join constraint.
          .where(sql`true`),
      )
      .onConflictDoUpdate({
        target: articleDocuments.articleId,
        set: {
          prevId: sql`excluded.prev_id`,
          nextId: sql`excluded.next_id`,
          document: sql`excluded.document`,
        },
      }),
    ...listingRefreshStatements(db, listingCondition(scope)),
  ];
}

/** Statements for a purged article: its own document went with it (cascade); its neighbours'. */
export function documentRemovalStatements(db: Database, id: number): Batch {
  return documentRefreshStatements(db, { article: id });
}

/** Articles per refresh statement in a rebuild: a few hundred documents stay well within D1's limits. */
const rebuildStep = 500;

/**
 * Rebuilds every document (and listing) from the tables, e.g. for data written before documents existed or
 * by raw SQL (a restore, the benchmark's seed). Safe to run again; reads keep working while it
 * runs (each step replaces documents in place). Returns how many documents exist afterwards.
 */
export async function rebuildArticleDocuments(
  db: Database,
  options: { onProgress?: (done: number, of: number) => void } = {},
): Promise<number> {
  const [bounds] = await db.select({ max: sql<number | null>`max(${articles.id})` }).from(articles);
  const max = bounds?.max ?? 0;
  // Documents of purged articles would already have cascaded; these are left by raw deletes.
  await db.run(
    sql`delete from ${articleDocuments} where article_id not in (select id from ${articles})`,
  );
  await db.run(
    sql`delete from ${channelListings} where article_id not in (select id from ${articles})`,
  );
  for (let from = 1; from <= max; from += rebuildStep) {
    const to = Math.min(max, from + rebuildStep - 1);
    await db.batch(
      documentRefreshStatements(db, { idRange: [from, to] }) as [Batch[number], ...Batch],
    );
    options.onProgress?.(to, max);
  }
  const [count] = await db.select({ n: sql<number>`count(*)` }).from(articleDocuments);
  return count?.n ?? 0;
}

function neighbourAt(n: StoredNeighbour | null, now: number): ArticleNeighbour | null {
  if (!n || n.publishedAt > now) return null;
  return { id: n.id, slug: n.slug, title: n.title, publishedAt: new Date(n.publishedAt) };
}

/** A stored (or live-built) document as the public sees it at `now`, with the live counts. */
export function documentToDetail(
  json: string,
  counts: { views: number; visitors: number },
  now: number,
  /** For a document built live for an article that has no publish time yet (a preview). */
  fallback: { publishedAt?: Date } = {},
): ArticleDetail {
  const doc = JSON.parse(json) as StoredDocument;
  return {
    ...doc,
    publishedAt:
      doc.publishedAt === null ? (fallback.publishedAt ?? new Date(0)) : new Date(doc.publishedAt),
    updatedAt: new Date(doc.updatedAt),
    views: counts.views,
    visitors: counts.visitors,
    prev: neighbourAt(doc.prev, now),
    next: neighbourAt(doc.next, now),
  };
}
