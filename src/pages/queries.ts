import { and, asc, count, desc, isNull } from 'drizzle-orm';
import type { Database } from '../db/client';
import { articles, channels } from '../db/schema';
import { channelAndDescendants, isPublic } from '../articles/queries';
import type { ListItem } from '../articles/types';
import { wellFormed } from '../lib/rows';

export type { ListItem };

export interface NavChannel {
  id: number;
  slug: string;
  name: string;
}

export interface ChannelSection {
  channel: NavChannel;
  items: ListItem[];
}

const listColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  lang: articles.lang,
  publishedAt: articles.publishedAt,
  views: articles.viewCount,
};

type ListRow = Omit<ListItem, 'publishedAt'> & { publishedAt: Date | null };

const toItem = (row: ListRow): ListItem => ({
  ...row,
  publishedAt: row.publishedAt ?? new Date(0),
});

/** Newest first, on (channel_id, status, published_at, id) per channel of the subtree. */
function latestInSubtree(
  db: Database,
  root: string | { id: number },
  now: Date,
  limit: number,
  offset = 0,
) {
  return db
    .select(listColumns)
    .from(articles)
    .where(and(isPublic(now), channelAndDescendants(root)))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(limit)
    .offset(offset);
}

/** Top-level channels in menu order: the site's main navigation. */
export async function listTopChannels(db: Database): Promise<NavChannel[]> {
  return db
    .select({ id: channels.id, slug: channels.slug, name: channels.name })
    .from(channels)
    .where(isNull(channels.parentId))
    .orderBy(asc(channels.position), asc(channels.id));
}

export interface HomeContent {
  sections: ChannelSection[];
  popular: ListItem[];
}

/**
 * The home page in one round trip: the latest articles of each given top-level channel
 * (its sub-channels included) and the most-viewed articles by last flushed count.
 */
export async function loadHomeContent(
  db: Database,
  options: { now: Date; channels: NavChannel[]; perChannel: number; popular: number },
): Promise<HomeContent> {
  // Unary plus keeps the planner off the published_at range so it walks (status, view_count, id)
  // in order and stops after `popular` rows, instead of sorting every public article.
  const popularQuery = db
    .select(listColumns)
    .from(articles)
    .where(isPublic(options.now, 'status'))
    .orderBy(desc(articles.viewCount), desc(articles.id))
    .limit(options.popular);
  const sectionQueries = options.channels.map((channel) =>
    latestInSubtree(db, { id: channel.id }, options.now, options.perChannel),
  );
  const [popularRows, ...sectionRows] = await db.batch([popularQuery, ...sectionQueries]);
  return {
    popular: wellFormed(popularRows, toItem, 'home'),
    sections: options.channels.map((channel, i) => ({
      channel,
      items: wellFormed(sectionRows[i] ?? [], toItem, 'home'),
    })),
  };
}

export interface ChannelListPage {
  items: ListItem[];
  /** Public articles in the channel and its sub-channels. */
  total: number;
}

/** One numbered page of a channel's list, with the total that the page links need. */
export async function listChannelPage(
  db: Database,
  options: { now: Date; channelSlug: string; page: number; perPage: number },
): Promise<ChannelListPage> {
  const root = options.channelSlug;
  const [totalRows, rows] = await db.batch([
    db
      .select({ total: count() })
      .from(articles)
      .where(and(isPublic(options.now), channelAndDescendants(root))),
    latestInSubtree(db, root, options.now, options.perPage, (options.page - 1) * options.perPage),
  ]);
  return { items: wellFormed(rows, toItem, 'channel page'), total: totalRows[0]?.total ?? 0 };
}

/**
 * The popular list: recent popularity first (views in the last days, from the daily rollups),
 * topped up from the all-time counts when the window has too few, e.g. on a quiet site.
 */
export function mergeRanked(primary: ListItem[], fallback: ListItem[], limit: number): ListItem[] {
  const seen = new Set<number>();
  const out: ListItem[] = [];
  for (const item of [...primary, ...fallback]) {
    if (out.length >= limit) break;
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    out.push(item);
  }
  return out;
}
