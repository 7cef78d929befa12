import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { articles, attachments, media } from '../db/schema';
import { nowDate } from '../lib/clock';

export type Media = typeof media.$inferSelect;
export type NewMedia = Pick<Media, 'hash' | 'size' | 'type' | 'name' | 'createdBy'>;

/** Where a media row is served: its hash and its original name, percent-encoded. */
export function mediaPath(m: Pick<Media, 'hash' | 'name'>): string {
  return `/media/${m.hash}/${encodeURIComponent(m.name)}`;
}

export async function findMediaById(db: Database, id: number): Promise<Media | null> {
  const [row] = await db.select().from(media).where(eq(media.id, id)).limit(1);
  return row ?? null;
}

/** The row a URL names; another name for the same bytes is another row, or nothing. */
export async function findMediaByPath(
  db: Database,
  hash: string,
  name: string,
): Promise<Media | null> {
  const [row] = await db
    .select()
    .from(media)
    .where(and(eq(media.hash, hash), eq(media.name, name)))
    .limit(1);
  return row ?? null;
}

/**
 * Records an upload. The same bytes under the same name are one row: a repeated upload gets
 * the existing row back (`created: false`), whoever made it.
 */
export async function recordMedia(
  db: Database,
  input: NewMedia,
  /** When it was uploaded: now, or the original time for a row an import brings back. */
  at: Date = nowDate(),
): Promise<{ media: Media; created: boolean }> {
  const [inserted] = await db
    .insert(media)
    .values({ ...input, createdAt: at })
    .onConflictDoNothing({ target: [media.hash, media.name] })
    .returning();
  if (inserted) return { media: inserted, created: true };
  const existing = await findMediaByPath(db, input.hash, input.name);
  if (!existing) throw new Error(`media ${input.hash}/${input.name} neither inserted nor found`);
  return { media: existing, created: false };
}

/** Whether any media row still points at these bytes (then the R2 object must stay). */
export async function hashInUse(db: Database, hash: string): Promise<boolean> {
  const [row] = await db.select({ id: media.id }).from(media).where(eq(media.hash, hash)).limit(1);
  return row !== undefined;
}

export interface MediaUsage {
  /** Articles that list it as an attachment. */
  attachedTo: number[];
  /** Articles whose body or cover image links to its bytes. */
  linkedFrom: number[];
}

/**
 * A body image or cover links to `/media/<hash>/<name>`; any link to the bytes counts, since a
 * body may carry the name percent-encoded or not. Deleting media is rare, so scanning the
 * article bodies here is acceptable; the attachment check uses its index.
 */
function linksTo(hash: string) {
  const needle = `/media/${hash}/`;
  return sql`(instr(${articles.body}, ${needle}) > 0 or instr(coalesce(${articles.coverImageUrl}, ''), ${needle}) > 0)`;
}

export async function mediaUsage(db: Database, m: Pick<Media, 'id' | 'hash'>): Promise<MediaUsage> {
  const [attached, linked] = await db.batch([
    db
      .selectDistinct({ id: attachments.articleId })
      .from(attachments)
      .where(eq(attachments.mediaId, m.id))
      .limit(20),
    db.select({ id: articles.id }).from(articles).where(linksTo(m.hash)).limit(20),
  ]);
  return { attachedTo: attached.map((r) => r.id), linkedFrom: linked.map((r) => r.id) };
}

/**
 * Deletes a media row unless an article uses it, in one statement so an attachment added
 * meanwhile cannot slip between the check and the delete (the foreign key backs this up).
 * Returns the deleted row, or null when it was missing or in use.
 */
export async function deleteUnusedMedia(db: Database, id: number): Promise<Media | null> {
  const [row] = await db
    .delete(media)
    .where(
      and(
        eq(media.id, id),
        sql`not exists (select 1 from ${attachments} where ${attachments.mediaId} = ${media.id})`,
        sql`not exists (select 1 from ${articles} where instr(${articles.body}, '/media/' || ${media.hash} || '/') > 0 or instr(coalesce(${articles.coverImageUrl}, ''), '/media/' || ${media.hash} || '/') > 0)`,
      ),
    )
    .returning();
  return row ?? null;
}

export interface MediaAttachment {
  name: string;
  url: string;
  size: number;
  contentType: string;
  mediaId: number;
}

/**
 * What an article's `attachments` entry `{ mediaId, name? }` stores: the media's URL, size and
 * type, under the name the editor gave (the original name by default). Unknown ids are listed
 * in `missing` so the write path can refuse them all at once.
 */
export async function resolveMediaAttachments(
  db: Database,
  refs: readonly { mediaId: number; name?: string }[],
): Promise<{ attachments: MediaAttachment[]; missing: number[] }> {
  if (!refs.length) return { attachments: [], missing: [] };
  const ids = [...new Set(refs.map((r) => r.mediaId))];
  const rows = await db.select().from(media).where(inArray(media.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  const resolved = refs.flatMap((ref) => {
    const m = byId.get(ref.mediaId);
    if (!m) return [];
    return [
      {
        name: ref.name ?? m.name,
        url: mediaPath(m),
        size: m.size,
        contentType: m.type,
        mediaId: m.id,
      },
    ];
  });
  return { attachments: resolved, missing };
}
