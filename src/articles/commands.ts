import { and, eq, gte, inArray, lt, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Database } from '../db/client';
import {
  articles,
  articleTags,
  attachments,
  channels,
  tags,
  type ArticleStatus,
} from '../db/schema';
import { htmlToText, sanitizeArticleHtml } from '../lib/sanitize';
import { isValidSlug, slugify } from '../lib/slug';
import { zonedDay } from '../lib/time';
import type { AttachmentInput, ChannelRef, PolicyDocument, TagRef } from './types';

/**
 * Write-side functions. They live apart from the read queries so the public worker's bundle
 * does not carry the HTML sanitizer, and every write is one D1 batch, i.e. one transaction.
 */

export class WriteConflictError extends Error {}

export interface NewChannel {
  slug: string;
  name: string;
  parentSlug?: string | null;
  position?: number;
  description?: string;
}

export async function createChannel(db: Database, input: NewChannel): Promise<ChannelRef> {
  if (!isValidSlug(input.slug)) throw new RangeError(`invalid channel slug: ${input.slug}`);
  const parentId = input.parentSlug
    ? sql`(select id from channels where slug = ${input.parentSlug})`
    : null;
  const [row] = await db
    .insert(channels)
    .values({
      slug: input.slug,
      name: input.name,
      parentId: parentId as unknown as number | null,
      position: input.position ?? 0,
      description: input.description ?? '',
    })
    .returning({
      id: channels.id,
      slug: channels.slug,
      name: channels.name,
      parentId: channels.parentId,
    });
  if (!row) throw new WriteConflictError(`channel ${input.slug} was not created`);
  if (input.parentSlug && row.parentId === null) {
    await db.delete(channels).where(eq(channels.id, row.id));
    throw new RangeError(`unknown parent channel: ${input.parentSlug}`);
  }
  return { id: row.id, slug: row.slug, name: row.name };
}

export interface NewArticle {
  slug?: string;
  channelSlug: string;
  title: string;
  subtitle?: string;
  summary?: string;
  /** HTML; sanitized here, before it is stored. */
  body: string;
  source?: string;
  author?: string;
  coverImageUrl?: string | null;
  lang?: string;
  status: ArticleStatus;
  publishedAt?: Date | null;
  tags?: TagRef[];
  attachments?: AttachmentInput[];
  document?: Partial<PolicyDocument> | null;
  /** A count carried over from an older site, e.g. 712. */
  viewBase?: number;
}

function summarize(html: string, max = 120): string {
  const text = htmlToText(html);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Path segments that sit beside /api/v1/articles/{idOrSlug}; an article slug must not shadow them. */
const reservedSlugs = new Set(['popular']);

async function uniqueSlug(db: Database, base: string): Promise<string> {
  // base, or base followed by "-": a range on the unique index ("." sorts right after "-"),
  // where LIKE would scan the table.
  const taken = await db
    .select({ slug: articles.slug })
    .from(articles)
    .where(
      or(
        eq(articles.slug, base),
        and(gte(articles.slug, `${base}-`), lt(articles.slug, `${base}.`)),
      ),
    );
  const used = new Set([...reservedSlugs, ...taken.map((r) => r.slug)]);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** The batch is one transaction, so a failed constraint left nothing behind; say which one. */
function explainWriteError(err: unknown, channelSlug: string, slug: string): unknown {
  const text = String((err as { cause?: unknown })?.cause ?? err);
  if (/NOT NULL constraint failed: articles\.channel_id/.test(text)) {
    return new RangeError(`unknown channel: ${channelSlug}`, { cause: err });
  }
  if (/UNIQUE constraint failed: articles\.slug/.test(text)) {
    return new WriteConflictError(`article slug already taken: ${slug}`, { cause: err });
  }
  return err;
}

export async function createArticle(
  db: Database,
  input: NewArticle,
  options: { timeZone: string },
): Promise<{ id: number; slug: string }> {
  if (input.status !== 'draft' && !input.publishedAt) {
    throw new RangeError('a published or archived article needs publishedAt');
  }
  if (input.slug !== undefined && (!isValidSlug(input.slug) || reservedSlugs.has(input.slug))) {
    throw new RangeError(`invalid article slug: ${input.slug}`);
  }
  const day = input.publishedAt ? zonedDay(input.publishedAt, options.timeZone) : undefined;
  const slug = input.slug ?? (await uniqueSlug(db, slugify(input.title, day)));
  const body = sanitizeArticleHtml(input.body);
  const articleId = sql`(select id from articles where slug = ${slug})`;
  const tagList = input.tags ?? [];
  const attachmentList = input.attachments ?? [];

  const statements: BatchItem<'sqlite'>[] = [
    db.insert(articles).values({
      slug,
      channelId:
        sql`(select id from channels where slug = ${input.channelSlug})` as unknown as number,
      title: input.title,
      subtitle: input.subtitle ?? '',
      summary: input.summary ?? summarize(body),
      body,
      source: input.source ?? '',
      author: input.author ?? '',
      coverImageUrl: input.coverImageUrl ?? null,
      lang: input.lang ?? 'zh-CN',
      status: input.status,
      publishedAt: input.publishedAt ?? null,
      viewBase: input.viewBase ?? 0,
      viewCount: input.viewBase ?? 0,
      indexNumber: input.document?.indexNumber ?? null,
      documentNumber: input.document?.documentNumber ?? null,
      dateWritten: input.document?.dateWritten ?? null,
      issuingBody: input.document?.issuingBody ?? null,
    }),
  ];
  if (tagList.length) {
    statements.push(db.insert(tags).values(tagList).onConflictDoNothing());
    const slugs = tagList.map((t) => t.slug);
    const position = sql<number>`(case ${tags.slug} ${sql.join(
      slugs.map((slug, i) => sql`when ${slug} then ${i}`),
      sql` `,
    )} end)`;
    statements.push(
      db.insert(articleTags).select(
        db
          .select({
            articleId: sql<number>`${articleId}`.as('article_id'),
            tagId: tags.id,
            position: position.as('position'),
          })
          .from(tags)
          .where(inArray(tags.slug, slugs)),
      ),
    );
  }
  attachmentList.forEach((a, position) => {
    statements.push(
      db.insert(attachments).values({
        articleId: articleId as unknown as number,
        position,
        name: a.name,
        url: a.url,
        size: a.size,
        contentType: a.contentType,
        mediaId: a.mediaId ?? null,
      }),
    );
  });
  statements.push(db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)));

  let results: unknown[];
  try {
    results = await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  } catch (err) {
    throw explainWriteError(err, input.channelSlug, slug);
  }
  const created = (results.at(-1) as { id: number }[])[0];
  if (!created) throw new WriteConflictError(`article ${slug} was not created`);
  return { id: created.id, slug };
}

export async function setArticleStatus(
  db: Database,
  id: number,
  status: ArticleStatus,
  publishedAt?: Date,
): Promise<boolean> {
  const rows = await db
    .update(articles)
    .set({
      status,
      ...(publishedAt ? { publishedAt } : {}),
      updatedAt: new Date(),
    })
    .where(eq(articles.id, id))
    .returning({ id: articles.id });
  return rows.length === 1;
}
