import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { channelTreeQuery, nestChannels, type Channel } from '../channels/queries';
import type { Database } from '../db/client';
import { articles, tags } from '../db/schema';

/** What the admin's channel and tag pages show: the public shapes plus counts of articles. */

export interface AdminChannel extends Channel {
  /** Articles filed directly in the channel, in any status but deleted. */
  articles: number;
}

export interface AdminChannelNode extends AdminChannel {
  children: AdminChannelNode[];
}

/** The whole tree in sibling order, each channel with its article count, in one round trip. */
export async function listAdminChannelTree(db: Database): Promise<AdminChannelNode[]> {
  const [rows, counts] = await db.batch([
    channelTreeQuery(db),
    // Grouped on the channel index, rather than a subquery per channel.
    db
      .select({ id: articles.channelId, n: sql<number>`count(*)`.as('n') })
      .from(articles)
      .where(sql`${articles.status} <> 'deleted'`)
      .groupBy(articles.channelId),
  ]);
  const byId = new Map(counts.map((c) => [c.id, c.n]));
  return nestChannels(rows.map((r) => ({ ...r, articles: byId.get(r.id) ?? 0 })));
}

export interface AdminTag {
  slug: string;
  name: string;
  /** Articles with the tag, in any status but deleted. */
  articles: number;
}

/** Most used first; `query` matches part of the name or slug (case-insensitive for Latin). */
export async function listAdminTags(
  db: Database,
  options: { query?: string; limit: number },
): Promise<AdminTag[]> {
  // Qualified by hand: drizzle leaves a single-table select's columns unqualified, and a bare
  // id inside the subquery would be the article's.
  const count = sql<number>`(
    select count(*) from article_tags x join articles a on a.id = x.article_id
    where x.tag_id = "tags"."id" and a.status <> 'deleted'
  )`;
  const q = options.query?.toLowerCase();
  return db
    .select({ slug: tags.slug, name: tags.name, articles: count.as('article_count') })
    .from(tags)
    .where(
      q ? sql`(instr(lower(${tags.name}), ${q}) > 0 or instr(${tags.slug}, ${q}) > 0)` : undefined,
    )
    .orderBy(desc(sql`article_count`), asc(tags.name))
    .limit(options.limit);
}

/** How many article pages a taxonomy change purges at once (6 URLs each); see afterTaxonomyWrite. */
export const purgedArticlesPerChange = 50;

/**
 * The most recently published articles a channel or tag change shows on: in the channel or
 * below it, with the tag, or among `ids`. Their pages are the ones to purge.
 */
export async function recentArticlesOf(
  db: Database,
  scope: { channelSubtree: string } | { tag: string } | { ids: readonly number[] },
  limit = purgedArticlesPerChange,
): Promise<{ id: number; slug: string }[]> {
  const within =
    'channelSubtree' in scope
      ? sql`${articles.channelId} in (
          with recursive subtree(id) as (
            select id from channels where slug = ${scope.channelSubtree}
            union all
            select c.id from channels c join subtree on c.parent_id = subtree.id
          )
          select id from subtree
        )`
      : 'tag' in scope
        ? sql`${articles.id} in (
            select x.article_id from article_tags x join tags t on t.id = x.tag_id
            where t.slug = ${scope.tag}
          )`
        : sql`${articles.id} in (select value from json_each(${JSON.stringify(scope.ids)}))`;
  return db
    .select({ id: articles.id, slug: articles.slug })
    .from(articles)
    .where(and(eq(articles.status, 'published'), within))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(limit);
}
