import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { channelChainQuery } from '../articles/queries';
import type { Database } from '../db/client';
import { channels } from '../db/schema';

export interface Channel {
  id: number;
  slug: string;
  name: string;
  description: string;
  position: number;
  parentSlug: string | null;
}

export interface ChannelNode extends Channel {
  children: ChannelNode[];
}

export interface ChannelDetail extends Channel {
  breadcrumb: Pick<Channel, 'id' | 'slug' | 'name'>[];
  children: Channel[];
}

const parent = alias(channels, 'parent');

const columns = {
  id: channels.id,
  slug: channels.slug,
  name: channels.name,
  description: channels.description,
  position: channels.position,
  // Aliased: D1 batches return rows as objects, so a second "slug" would overwrite the first.
  parentSlug: sql<string | null>`${parent.slug}`.as('parent_slug'),
};

function selectChannels(db: Database) {
  return db.select(columns).from(channels).leftJoin(parent, eq(parent.id, channels.parentId));
}

/**
 * Every channel, in the order of the (parent_id, position) index: siblings come out in their
 * display order, and SQLite reads the index instead of sorting the table.
 */
export function channelTreeQuery(db: Database) {
  return selectChannels(db).orderBy(
    asc(channels.parentId),
    asc(channels.position),
    asc(channels.id),
  );
}

export async function listChannelTree(db: Database): Promise<ChannelNode[]> {
  return nestChannels(await channelTreeQuery(db));
}

export type Nested<T> = T & { children: Nested<T>[] };

/** Rows in sibling order (as channelTreeQuery gives them) nested under their parents. */
export function nestChannels<T extends Channel>(rows: T[]): Nested<T>[] {
  type Node = Nested<T>;
  const nodes = new Map<string, Node>(rows.map((r) => [r.slug, { ...r, children: [] }]));
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentSlug ? nodes.get(node.parentSlug) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The statements of one findChannel batch, exported so tests can EXPLAIN exactly what runs. */
export function findChannelStatements(db: Database, slug: string) {
  return [
    selectChannels(db).where(eq(channels.slug, slug)).limit(1),
    channelChainQuery(db, sql`select id from channels where slug = ${slug}`),
    selectChannels(db)
      .where(eq(parent.slug, slug))
      .orderBy(asc(channels.position), asc(channels.id)),
  ] as const;
}

/** One channel with its breadcrumb and children, in one D1 round trip. */
export async function findChannel(db: Database, slug: string): Promise<ChannelDetail | null> {
  const [found, chain, children] = await db.batch(findChannelStatements(db, slug));
  const channel = found[0];
  if (!channel) return null;
  return { ...channel, breadcrumb: chain, children };
}
