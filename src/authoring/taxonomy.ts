import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { articleTags, channels, tags } from '../db/schema';
import { nowDate } from '../lib/clock';
import { isValidSlug, slugify } from '../lib/slug';
import { documentRefreshStatements } from '../articles/documents';
import { auditStatement, type Actor } from './audit';
import { InvalidFieldError, WriteConflictError } from './commands';

/** Channel and tag commands: each one batch, with its audit row. */

export interface TaxonomyContext {
  actor: Actor;
  requestId?: string | null;
}

export type ChannelRow = typeof channels.$inferSelect & { parentSlug: string | null };

export async function findChannelRow(db: Database, slug: string): Promise<ChannelRow | null> {
  const [row] = await db
    .select({
      ...getTableColumns(channels),
      // Qualified by hand: drizzle leaves a single-table select's columns unqualified, and a
      // bare parent_id inside the subquery would be the inner row's.
      parentSlug: sql<
        string | null
      >`(select p.slug from channels p where p.id = "channels"."parent_id")`,
    })
    .from(channels)
    .where(eq(channels.slug, slug))
    .limit(1);
  return row ?? null;
}

/** Ids of the channel and every channel below it (the subtree a move must not enter). */
function subtreeIds(slug: string) {
  return sql`(
    with recursive subtree(id) as (
      select id from channels where slug = ${slug}
      union all
      select c.id from channels c join subtree on c.parent_id = subtree.id
    )
    select id from subtree
  )`;
}

function conflictOrRethrow(err: unknown, what: string): never {
  const text = String(err) + String((err as { cause?: unknown })?.cause ?? '');
  if (/UNIQUE constraint failed/.test(text)) throw new WriteConflictError(`${what} already exists`);
  throw err;
}

export interface NewChannel {
  slug: string;
  name: string;
  parent?: string | null;
  position?: number;
  description?: string;
}

/**
 * The statements that create a channel and record it, for callers that put them in a larger
 * batch (an import chunk creates the channels its articles need in the articles' own
 * transaction). With a parent, the row is inserted only if the parent exists when the
 * statement runs (it may be created earlier in the same batch); the audit row only if the
 * channel was.
 */
export function createChannelStatements(
  db: Database,
  input: NewChannel,
  ctx: TaxonomyContext,
  at: Date,
) {
  if (!isValidSlug(input.slug))
    throw new InvalidFieldError('slug', `invalid channel slug: ${input.slug}`);
  const values = {
    slug: input.slug,
    name: input.name,
    position: input.position ?? 0,
    description: input.description ?? '',
  };
  const insert = input.parent
    ? db.insert(channels).select(
        db
          .select({
            id: sql<number>`null`.as('id'),
            slug: sql<string>`${values.slug}`.as('slug'),
            name: sql<string>`${values.name}`.as('name'),
            parentId: channels.id,
            position: sql<number>`${values.position}`.as('position'),
            description: sql<string>`${values.description}`.as('description'),
            createdAt: sql<number>`${at.getTime()}`.as('created_at'),
            updatedAt: sql<number>`${at.getTime()}`.as('updated_at'),
          })
          .from(channels)
          .where(eq(channels.slug, input.parent)),
      )
    : db.insert(channels).values({ ...values, createdAt: at, updatedAt: at });
  return [
    insert,
    auditStatement(
      db,
      {
        ...ctx,
        at,
        action: 'channel.create',
        targetType: 'channel',
        targetId: input.slug,
        changedFields: Object.keys(input),
        outcome: 'ok',
      },
      sql`exists (select 1 from channels where slug = ${input.slug} and created_at = ${at.getTime()})`,
    ),
  ] as const;
}

export async function createChannelCommand(
  db: Database,
  input: NewChannel,
  ctx: TaxonomyContext,
): Promise<ChannelRow> {
  const statements = createChannelStatements(db, input, ctx, nowDate());
  try {
    await db.batch(statements);
  } catch (err) {
    conflictOrRethrow(err, `channel ${input.slug}`);
  }
  const row = await findChannelRow(db, input.slug);
  if (!row) throw new InvalidFieldError('parent', `unknown parent channel: ${input.parent}`);
  return row;
}

export async function patchChannel(
  db: Database,
  slug: string,
  input: { name?: string; parent?: string | null; position?: number; description?: string },
  ctx: TaxonomyContext,
): Promise<ChannelRow | null> {
  const current = await findChannelRow(db, slug);
  if (!current) return null;
  const set: Record<string, unknown> = { updatedAt: nowDate() };
  if (input.name !== undefined) set.name = input.name;
  if (input.position !== undefined) set.position = input.position;
  if (input.description !== undefined) set.description = input.description;
  let guard = sql`1`;
  if (input.parent !== undefined) {
    if (input.parent === null) {
      set.parentId = null;
    } else {
      const parent = await findChannelRow(db, input.parent);
      if (!parent) throw new InvalidFieldError('parent', `unknown parent channel: ${input.parent}`);
      set.parentId = sql`(select id from channels where slug = ${input.parent})`;
      // In the statement itself, so two concurrent moves cannot build a cycle between them.
      guard = sql`(select id from channels where slug = ${input.parent}) not in ${subtreeIds(slug)}`;
    }
  }
  const [updated] = await db.batch([
    db
      .update(channels)
      .set(set)
      .where(and(eq(channels.id, current.id), guard))
      .returning({ id: channels.id }),
    auditStatement(
      db,
      {
        ...ctx,
        action: input.parent !== undefined ? 'channel.move' : 'channel.update',
        targetType: 'channel',
        targetId: slug,
        changedFields: Object.keys(input),
        outcome: 'ok',
      },
      sql`changes() = 1`,
    ),
    // A new name or place shows in the breadcrumb of every article at or below the channel.
    ...(input.name !== undefined || input.parent !== undefined
      ? documentRefreshStatements(db, { channelSubtree: current.id })
      : []),
  ]);
  if (!updated.length) {
    throw new WriteConflictError(`moving ${slug} under ${input.parent} would make a cycle`);
  }
  return findChannelRow(db, slug);
}

export async function deleteChannel(
  db: Database,
  slug: string,
  ctx: TaxonomyContext,
): Promise<ChannelRow | null> {
  const current = await findChannelRow(db, slug);
  if (!current) return null;
  const [row] = await db
    .select({
      articles: sql<number>`(select count(*) from articles where channel_id = ${current.id})`,
      children: sql<number>`(select count(*) from channels where parent_id = ${current.id})`,
    })
    .from(sql`(select 1)`);
  if (row!.articles > 0 || row!.children > 0) {
    throw new WriteConflictError(
      `channel ${slug} still has ${row!.articles} article(s) (in any status, deleted ones until purged) and ${row!.children} child channel(s)`,
    );
  }
  try {
    await db.batch([
      db.delete(channels).where(eq(channels.id, current.id)),
      auditStatement(
        db,
        { ...ctx, action: 'channel.delete', targetType: 'channel', targetId: slug, outcome: 'ok' },
        sql`changes() = 1`,
      ),
    ]);
  } catch (err) {
    // An article or child added meanwhile: the foreign key refuses the delete.
    if (/FOREIGN KEY/.test(String(err) + String((err as { cause?: unknown })?.cause ?? ''))) {
      throw new WriteConflictError(`channel ${slug} is still in use`);
    }
    throw err;
  }
  return current;
}

export type TagRow = typeof tags.$inferSelect;

export async function findTag(db: Database, slug: string): Promise<TagRow | null> {
  const [row] = await db.select().from(tags).where(eq(tags.slug, slug)).limit(1);
  return row ?? null;
}

export async function createTag(
  db: Database,
  input: { name: string; slug?: string },
  ctx: TaxonomyContext,
): Promise<TagRow> {
  const slug = input.slug ?? slugify(input.name);
  try {
    await db.batch([
      db.insert(tags).values({ slug, name: input.name }),
      auditStatement(db, {
        ...ctx,
        action: 'tag.create',
        targetType: 'tag',
        targetId: slug,
        outcome: 'ok',
      }),
    ]);
  } catch (err) {
    conflictOrRethrow(err, `tag ${slug}`);
  }
  return (await findTag(db, slug))!;
}

export async function renameTag(
  db: Database,
  slug: string,
  name: string,
  ctx: TaxonomyContext,
): Promise<TagRow | null> {
  const [rows] = await db.batch([
    db.update(tags).set({ name }).where(eq(tags.slug, slug)).returning(),
    auditStatement(
      db,
      {
        ...ctx,
        action: 'tag.rename',
        targetType: 'tag',
        targetId: slug,
        changedFields: ['name'],
        outcome: 'ok',
      },
      sql`changes() = 1`,
    ),
    ...documentRefreshStatements(db, { tag: sql`(select id from tags where slug = ${slug})` }),
  ]);
  return rows[0] ?? null;
}

/** Moves every article of `from` onto `into` (keeping each article's tag order) and drops `from`. */
export async function mergeTags(
  db: Database,
  from: string,
  into: string,
  ctx: TaxonomyContext,
): Promise<TagRow | null> {
  if (from === into) throw new WriteConflictError('a tag cannot be merged into itself');
  const [source, target] = await Promise.all([findTag(db, from), findTag(db, into)]);
  if (!source || !target) return null;
  await db.batch([
    db
      .insert(articleTags)
      .select(
        db
          .select({
            articleId: articleTags.articleId,
            tagId: sql<number>`${target.id}`.as('tag_id'),
            position: articleTags.position,
          })
          .from(articleTags)
          .where(eq(articleTags.tagId, source.id)),
      )
      .onConflictDoNothing(),
    db.delete(articleTags).where(eq(articleTags.tagId, source.id)),
    db.delete(tags).where(eq(tags.id, source.id)),
    // Every article that had the merged tag has the target now.
    ...documentRefreshStatements(db, { tag: target.id }),
    auditStatement(db, {
      ...ctx,
      action: 'tag.merge',
      targetType: 'tag',
      targetId: `${from}->${into}`,
      outcome: 'ok',
    }),
  ]);
  return target;
}
