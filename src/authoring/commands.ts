import { and, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Database } from '../db/client';
import {
  articleFormerSlugs,
  articleRevisions,
  articles,
  articleTags,
  attachments,
  channels,
  tags,
  type ArticleStatus,
  type RevisionReason,
} from '../db/schema';
import { nowDate } from '../lib/clock';
import { htmlToText, sanitizeArticleHtml, type SanitizePolicy } from '../lib/sanitize';
import { isValidSlug, slugify } from '../lib/slug';
import { zonedDay } from '../lib/time';
import type {
  Attachment,
  AttachmentInput,
  ChannelRef,
  PolicyDocument,
  TagRef,
} from '../articles/types';
import { documentRefreshStatements } from '../articles/documents';
import { legacyViewsStatement } from '../views/queries';
import { searchIndexStatements, searchRemovalStatements } from '../search/index-writer';
import { auditStatement, type Actor } from './audit';
import {
  findAdminArticle,
  loadArticleState,
  type AdminArticle,
  type ArticleExtras,
  type ArticleState,
  type ArticleText,
} from './queries';

/**
 * The one write path. The API, the cron, the seed and the tests all create and change content
 * through these functions, so the sanitizer, the slug rules, revisions and the audit log apply
 * to every write. Each write is one D1 batch, i.e. one transaction.
 */

export type Batch = BatchItem<'sqlite'>[];

/** A write that cannot be done in the article's current state (e.g. a slug already taken). */
export class WriteConflictError extends Error {}

/** The If-Match version is not the article's current one. */
export class StaleVersionError extends Error {
  constructor(readonly current: AdminArticle) {
    super(`article ${current.id} is at version ${current.version}`);
  }
}

/** Bad input the schema could not see (an unknown channel, an invalid slug): a 422. */
export class InvalidFieldError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface WriteContext {
  actor: Actor;
  requestId?: string | null;
  timeZone: string;
  /** Revisions kept per article; the oldest unpublished ones go first. */
  revisionCap?: number;
  /** The deployment's body policy, `sanitizePolicy(env)`; without it no iframe is kept. */
  sanitize?: SanitizePolicy;
}

export const defaultRevisionCap = 50;

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
  const at = nowDate();
  const [row] = await db
    .insert(channels)
    .values({
      slug: input.slug,
      name: input.name,
      parentId: parentId as unknown as number | null,
      position: input.position ?? 0,
      description: input.description ?? '',
      // On the app's clock, not SQLite's: a feed's Last-Modified compares it with article times.
      createdAt: at,
      updatedAt: at,
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
  /** The article's id in the CMS it was imported from (src/transfer); unique. */
  externalId?: string | null;
}

export function summarize(html: string, max = 120): string {
  const text = htmlToText(html);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Path segments that sit beside /api/v1/articles/{idOrSlug}; an article slug must not shadow them. */
const reservedSlugs = new Set(['popular']);

export function isUsableSlug(slug: string): boolean {
  return isValidSlug(slug) && !reservedSlugs.has(slug);
}

async function uniqueSlug(db: Database, base: string): Promise<string> {
  // base, or base followed by "-": a range on the unique index ("." sorts right after "-"),
  // where LIKE would scan the table. Former slugs stay taken: they still redirect.
  const range = (column: typeof articles.slug | typeof articleFormerSlugs.slug) =>
    or(eq(column, base), and(gte(column, `${base}-`), lt(column, `${base}.`)));
  const [taken, former] = await db.batch([
    db.select({ slug: articles.slug }).from(articles).where(range(articles.slug)),
    db
      .select({ slug: articleFormerSlugs.slug })
      .from(articleFormerSlugs)
      .where(range(articleFormerSlugs.slug)),
  ]);
  const used = new Set([
    ...reservedSlugs,
    ...taken.map((r) => r.slug),
    ...former.map((r) => r.slug),
  ]);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** The batch is one transaction, so a failed constraint left nothing behind; say which one. */
function explainWriteError(err: unknown, channelSlug: string, slug: string): unknown {
  const text = String((err as { cause?: unknown })?.cause ?? err) + String(err);
  if (/NOT NULL constraint failed: articles\.channel_id/.test(text)) {
    return new InvalidFieldError('channel', `unknown channel: ${channelSlug}`);
  }
  if (/UNIQUE constraint failed: articles\.slug/.test(text)) {
    return new WriteConflictError(`article slug already taken: ${slug}`, { cause: err });
  }
  return err;
}

/** The article's content as one revision keeps it (JSON in article_revisions.snapshot). */
export type ArticleSnapshot = ArticleText &
  ArticleExtras & {
    status: ArticleStatus;
    slug: string;
    channel: string;
    publishedAt: string | null;
  };

/** The fields an editor changes; a revision diff compares these. */
export const contentFields = [
  'slug',
  'channel',
  'title',
  'subtitle',
  'summary',
  'body',
  'source',
  'author',
  'lang',
  'coverImageUrl',
  'publishedAt',
  'tags',
  'attachments',
  'document',
  'status',
] as const satisfies readonly (keyof ArticleSnapshot)[];

export function snapshotOf(state: ArticleState): ArticleSnapshot {
  return {
    status: state.status,
    slug: state.slug,
    channel: state.channelSlug,
    title: state.title,
    subtitle: state.subtitle,
    summary: state.summary,
    body: state.body,
    source: state.source,
    author: state.author,
    lang: state.lang,
    coverImageUrl: state.coverImageUrl,
    publishedAt: state.publishedAt ? state.publishedAt.toISOString() : null,
    tags: state.tags,
    attachments: state.attachments,
    document: state.document,
  };
}

export function changedFields(a: ArticleSnapshot, b: ArticleSnapshot): string[] {
  return contentFields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
}

function normalizeDocument(doc: Partial<PolicyDocument> | null | undefined): PolicyDocument | null {
  if (!doc) return null;
  const full: PolicyDocument = {
    indexNumber: doc.indexNumber ?? null,
    documentNumber: doc.documentNumber ?? null,
    dateWritten: doc.dateWritten ?? null,
    issuingBody: doc.issuingBody ?? null,
  };
  return Object.values(full).some((v) => v !== null) ? full : null;
}

function normalizeAttachments(list: readonly Partial<AttachmentInput>[] | undefined): Attachment[] {
  return (list ?? []).map((a) => ({
    name: a.name!,
    url: a.url!,
    size: a.size ?? null,
    contentType: a.contentType ?? null,
    mediaId: a.mediaId ?? null,
  }));
}

/** Statements that give an article with no tags yet `list`, in order, creating missing tags. */
function tagStatements(db: Database, articleId: SQL | number, list: readonly TagRef[]) {
  const statements: Batch = [];
  if (!list.length) return statements;
  statements.push(
    db
      .insert(tags)
      .values([...list])
      .onConflictDoNothing(),
  );
  const slugs = list.map((t) => t.slug);
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
  return statements;
}

/** The search rows of the article as `s` has it. */
function snapshotSearchStatements(db: Database, id: SQL | number, s: ArticleSnapshot) {
  const { indexNumber, documentNumber, issuingBody } = s.document ?? {};
  return searchIndexStatements(db, { ...s, id, indexNumber, documentNumber, issuingBody });
}

function attachmentStatements(db: Database, articleId: SQL | number, list: readonly Attachment[]) {
  return list.map((a, position) =>
    db.insert(attachments).values({
      articleId: articleId as unknown as number,
      position,
      name: a.name,
      url: a.url,
      size: a.size,
      contentType: a.contentType,
      mediaId: a.mediaId,
    }),
  );
}

/**
 * Records the article as it now stands as revision n+1 and drops the oldest unpublished
 * revisions beyond the cap, in the write's own batch.
 */
function revisionStatements(
  db: Database,
  articleId: SQL | number,
  snapshot: ArticleSnapshot,
  reason: RevisionReason,
  actor: Actor,
  at: Date,
  cap: number,
) {
  return [
    db.insert(articleRevisions).select(
      db
        .select({
          id: sql<number>`null`.as('id'),
          articleId: sql<number>`${articleId}`.as('article_id'),
          number:
            sql<number>`coalesce((select max(r.number) from article_revisions r where r.article_id = ${articleId}), 0) + 1`.as(
              'number',
            ),
          reason: sql<string>`${reason}`.as('reason'),
          actorName: sql<string>`${actor.name}`.as('actor_name'),
          // The versions that went out (each publish) survive the cap; edits in between do not.
          published: sql<number>`${reason === 'publish' ? 1 : 0}`.as('published'),
          snapshot: sql<string>`${JSON.stringify(snapshot)}`.as('snapshot'),
          createdAt: sql<number>`${at.getTime()}`.as('created_at'),
        })
        .from(sql`(select 1)`),
    ),
    db
      .delete(articleRevisions)
      .where(
        and(
          sql`${articleRevisions.articleId} = ${articleId}`,
          eq(articleRevisions.published, false),
          sql`${articleRevisions.number} <= (select max(r.number) from article_revisions r where r.article_id = ${articleId}) - ${cap}`,
        ),
      ),
  ] satisfies Batch;
}

export interface CreateOptions {
  timeZone: string;
  /** The deployment's body policy, `sanitizePolicy(env)`; without it no iframe is kept. */
  sanitize?: SanitizePolicy;
  actor?: Actor;
  requestId?: string | null;
  /** Why the first revision exists: a new article, or one imported from elsewhere. */
  reason?: Extract<RevisionReason, 'create' | 'import'>;
  revisionCap?: number;
}

/** Checks and normalizes a new article; throws InvalidFieldError for what the schema cannot see. */
async function prepareNew(
  db: Database,
  input: NewArticle,
  timeZone: string,
  sanitize?: SanitizePolicy,
) {
  if ((input.status === 'published' || input.status === 'scheduled') && !input.publishedAt) {
    throw new InvalidFieldError('publishedAt', `a ${input.status} article needs publishedAt`);
  }
  if (input.slug !== undefined && !isUsableSlug(input.slug)) {
    throw new InvalidFieldError('slug', `invalid article slug: ${input.slug}`);
  }
  const day = input.publishedAt ? zonedDay(input.publishedAt, timeZone) : undefined;
  const slug = input.slug ?? (await uniqueSlug(db, slugify(input.title, day)));
  const body = sanitizeArticleHtml(input.body, sanitize);
  const snapshot: ArticleSnapshot = {
    status: input.status,
    slug,
    channel: input.channelSlug,
    title: input.title,
    subtitle: input.subtitle ?? '',
    summary: input.summary ?? summarize(body),
    body,
    source: input.source ?? '',
    author: input.author ?? '',
    lang: input.lang ?? 'zh-CN',
    coverImageUrl: input.coverImageUrl ?? null,
    publishedAt: input.publishedAt ? input.publishedAt.toISOString() : null,
    tags: [...(input.tags ?? [])],
    attachments: normalizeAttachments(input.attachments),
    document: normalizeDocument(input.document),
  };
  return snapshot;
}

/** The statements that create one article (row, tags, attachments, first revision, audit). */
function createStatements(
  db: Database,
  snapshot: ArticleSnapshot,
  viewBase: number,
  options: CreateOptions,
  at: Date,
  externalId: string | null = null,
) {
  const slug = snapshot.slug;
  const articleId = sql`(select id from articles where slug = ${slug})`;
  const statements: Batch = [
    db.insert(articles).values({
      slug,
      channelId:
        sql`(select id from channels where slug = ${snapshot.channel})` as unknown as number,
      title: snapshot.title,
      subtitle: snapshot.subtitle,
      summary: snapshot.summary,
      body: snapshot.body,
      source: snapshot.source,
      author: snapshot.author,
      coverImageUrl: snapshot.coverImageUrl,
      lang: snapshot.lang,
      status: snapshot.status,
      publishedAt: snapshot.publishedAt ? new Date(snapshot.publishedAt) : null,
      viewBase,
      viewCount: viewBase,
      indexNumber: snapshot.document?.indexNumber ?? null,
      documentNumber: snapshot.document?.documentNumber ?? null,
      dateWritten: snapshot.document?.dateWritten ?? null,
      issuingBody: snapshot.document?.issuingBody ?? null,
      externalId,
      createdAt: at,
      updatedAt: at,
    }),
    ...tagStatements(db, articleId, snapshot.tags),
    ...attachmentStatements(db, articleId, snapshot.attachments),
    // The search rows go in the same transaction: findable the moment the article is public.
    ...snapshotSearchStatements(db, articleId, snapshot),
  ];
  const actor = options.actor ?? { name: 'system', role: 'system' };
  statements.push(
    ...revisionStatements(
      db,
      articleId,
      snapshot,
      options.reason ?? 'create',
      actor,
      at,
      options.revisionCap ?? defaultRevisionCap,
    ),
  );
  if (options.actor) {
    statements.push(
      auditStatement(db, {
        actor: options.actor,
        requestId: options.requestId,
        at,
        action: options.reason === 'import' ? 'article.import' : 'article.create',
        targetType: 'article',
        // The id exists only inside the batch.
        targetId: sql`cast(${articleId} as text)`,
        changedFields: contentFields.filter((f) => f !== 'status'),
        outcome: 'ok',
      }),
    );
  }
  // Its public document, and its neighbours' (a new article is someone's 上一篇 or 下一篇).
  statements.push(...documentRefreshStatements(db, { article: articleId }));
  statements.push(db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)));
  return statements;
}

export async function createArticle(
  db: Database,
  input: NewArticle,
  options: CreateOptions,
): Promise<{ id: number; slug: string }> {
  const snapshot = await prepareNew(db, input, options.timeZone, options.sanitize);
  const at = nowDate();
  const statements = createStatements(db, snapshot, input.viewBase ?? 0, options, at);
  let results: unknown[];
  try {
    results = await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  } catch (err) {
    throw explainWriteError(err, input.channelSlug, snapshot.slug);
  }
  const created = (results.at(-1) as { id: number }[])[0];
  if (!created) throw new WriteConflictError(`article ${snapshot.slug} was not created`);
  return { id: created.id, slug: snapshot.slug };
}

/**
 * The statements that create one article, for a caller that batches several writes into one
 * transaction itself (an import chunk); the last statement answers the new article's id.
 */
export async function createArticleStatements(
  db: Database,
  input: NewArticle,
  options: CreateOptions,
  at: Date,
): Promise<{ slug: string; snapshot: ArticleSnapshot; statements: Batch }> {
  const snapshot = await prepareNew(db, input, options.timeZone, options.sanitize);
  const viewBase = input.viewBase ?? 0;
  const statements = createStatements(db, snapshot, viewBase, options, at, input.externalId);
  return { slug: snapshot.slug, snapshot, statements };
}

/**
 * Many articles in as few batches as D1 allows (the seed, an import): each article's
 * statements stay together in one batch, so an article is never half written.
 */
export async function createArticles(
  db: Database,
  inputs: readonly NewArticle[],
  options: CreateOptions & { articlesPerBatch?: number },
): Promise<{ id: number; slug: string }[]> {
  const out: { id: number; slug: string }[] = [];
  const per = options.articlesPerBatch ?? 25;
  const taken = new Set<string>();
  for (let i = 0; i < inputs.length; i += per) {
    const chunk = inputs.slice(i, i + per);
    const prepared: ArticleSnapshot[] = [];
    for (const input of chunk) {
      const snapshot = await prepareNew(db, input, options.timeZone, options.sanitize);
      if (taken.has(snapshot.slug)) throw new WriteConflictError(`duplicate slug ${snapshot.slug}`);
      taken.add(snapshot.slug);
      prepared.push(snapshot);
    }
    const at = nowDate();
    const statements: Batch = [];
    const ends: number[] = [];
    prepared.forEach((snapshot, j) => {
      statements.push(...createStatements(db, snapshot, chunk[j]!.viewBase ?? 0, options, at));
      ends.push(statements.length - 1);
    });
    let results: unknown[];
    try {
      results = await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    } catch (err) {
      throw explainWriteError(err, chunk[0]!.channelSlug, prepared[0]!.slug);
    }
    ends.forEach((end, j) => {
      const row = (results[end] as { id: number }[])[0];
      if (!row) throw new WriteConflictError(`article ${prepared[j]!.slug} was not created`);
      out.push({ id: row.id, slug: prepared[j]!.slug });
    });
  }
  return out;
}

/** What a write may change; absent fields stay as they are (a JSON merge patch, resolved). */
export interface ArticleChanges {
  slug?: string;
  channelSlug?: string;
  title?: string;
  subtitle?: string;
  summary?: string;
  body?: string;
  source?: string;
  author?: string;
  lang?: string;
  coverImageUrl?: string | null;
  publishedAt?: Date | null;
  tags?: TagRef[];
  attachments?: AttachmentInput[];
  document?: Partial<PolicyDocument> | null;
  status?: ArticleStatus;
  /** Legacy view count. */
  viewBase?: number;
}

export interface WriteResult {
  article: AdminArticle;
  previous: AdminArticle;
  changed: string[];
  /** False when the request changed nothing (no new version, no revision). */
  written: boolean;
}

export function applyChanges(
  current: ArticleSnapshot,
  changes: ArticleChanges,
  sanitize?: SanitizePolicy,
): ArticleSnapshot {
  const next: ArticleSnapshot = { ...current };
  if (changes.slug !== undefined) {
    if (!isUsableSlug(changes.slug)) {
      throw new InvalidFieldError('slug', `invalid article slug: ${changes.slug}`);
    }
    next.slug = changes.slug;
  }
  if (changes.channelSlug !== undefined) next.channel = changes.channelSlug;
  if (changes.title !== undefined) next.title = changes.title;
  if (changes.subtitle !== undefined) next.subtitle = changes.subtitle;
  if (changes.source !== undefined) next.source = changes.source;
  if (changes.author !== undefined) next.author = changes.author;
  if (changes.lang !== undefined) next.lang = changes.lang;
  if (changes.coverImageUrl !== undefined) next.coverImageUrl = changes.coverImageUrl;
  if (changes.publishedAt !== undefined) {
    next.publishedAt = changes.publishedAt ? changes.publishedAt.toISOString() : null;
  }
  if (changes.tags !== undefined) next.tags = [...changes.tags];
  if (changes.attachments !== undefined)
    next.attachments = normalizeAttachments(changes.attachments);
  if (changes.document !== undefined) {
    // Merge patch semantics for the nested object: given keys change, absent ones stay.
    next.document =
      changes.document === null
        ? null
        : normalizeDocument({ ...(current.document ?? {}), ...changes.document });
  }
  if (changes.body !== undefined) {
    next.body = sanitizeArticleHtml(changes.body, sanitize);
    // A summary that was derived from the old body follows the new one.
    if (changes.summary === undefined && current.summary === summarize(current.body)) {
      next.summary = summarize(next.body);
    }
  }
  if (changes.summary !== undefined) next.summary = changes.summary;
  if (changes.status !== undefined) next.status = changes.status;
  if ((next.status === 'published' || next.status === 'scheduled') && !next.publishedAt) {
    throw new InvalidFieldError('publishedAt', `a ${next.status} article needs publishedAt`);
  }
  return next;
}

/**
 * Turns D1's refusal of a stale write into the error the API answers 412 with: the guard
 * statement below fails the whole batch when the versioned update changed no row.
 */
const staleMarker = 'stale article version';

/**
 * Writes `changes` onto article `id` if it is still at `expectedVersion` (when given): the
 * article row (version + 1), tags, attachments, former slug, legacy views, a revision and the
 * audit row, all in one batch. A concurrent writer that got there first makes the whole batch
 * fail (nothing written) and this throws StaleVersionError with the current version.
 */
export async function writeArticle(
  db: Database,
  id: number,
  changes: ArticleChanges,
  ctx: WriteContext & {
    expectedVersion?: number;
    reason: RevisionReason;
    action: string;
    at?: Date;
    /**
     * Collect the write's statements here instead of running them (an import chunk runs many
     * writes as one batch); the result's `article` is then the state before the write.
     */
    collect?: Batch;
  },
): Promise<WriteResult | null> {
  const current = await loadArticleState(db, id);
  if (!current) return null;
  if (ctx.expectedVersion !== undefined && ctx.expectedVersion !== current.version) {
    throw new StaleVersionError((await findAdminArticle(db, id))!);
  }
  const before = snapshotOf(current);
  const next = applyChanges(before, changes, ctx.sanitize);
  const changed = changedFields(before, next);
  const viewsChanged = changes.viewBase !== undefined && changes.viewBase !== current.viewBase;
  const previous = (await findAdminArticle(db, id))!;
  if (!changed.length && !viewsChanged) {
    return { article: previous, previous, changed: [], written: false };
  }
  const at = ctx.at ?? nowDate();
  const statements: Batch = [
    db
      .update(articles)
      .set({
        slug: next.slug,
        channelId: sql`(select id from channels where slug = ${next.channel})` as unknown as number,
        title: next.title,
        subtitle: next.subtitle,
        summary: next.summary,
        body: next.body,
        source: next.source,
        author: next.author,
        lang: next.lang,
        coverImageUrl: next.coverImageUrl,
        status: next.status,
        publishedAt: next.publishedAt ? new Date(next.publishedAt) : null,
        indexNumber: next.document?.indexNumber ?? null,
        documentNumber: next.document?.documentNumber ?? null,
        dateWritten: next.document?.dateWritten ?? null,
        issuingBody: next.document?.issuingBody ?? null,
        version: current.version + 1,
        updatedAt: at,
      })
      .where(and(eq(articles.id, id), eq(articles.version, current.version))),
    // Fails the batch (json() of a non-JSON string) when the update above matched no row.
    db.select({ guard: sql`json(iif(changes() = 1, '0', ${staleMarker}))` }).from(sql`(select 1)`),
  ];
  if (next.slug !== before.slug) {
    statements.push(
      db.delete(articleFormerSlugs).where(eq(articleFormerSlugs.slug, next.slug)),
      db
        .insert(articleFormerSlugs)
        .values({ slug: before.slug, articleId: id, createdAt: at, updatedAt: at })
        .onConflictDoUpdate({
          target: articleFormerSlugs.slug,
          set: { articleId: id, updatedAt: at },
        }),
    );
  }
  if (changed.includes('tags')) {
    statements.push(
      db.delete(articleTags).where(eq(articleTags.articleId, id)),
      ...tagStatements(db, id, next.tags),
    );
  }
  if (changed.includes('attachments')) {
    statements.push(
      db.delete(attachments).where(eq(attachments.articleId, id)),
      ...attachmentStatements(db, id, next.attachments),
    );
  }
  if (viewsChanged) statements.push(legacyViewsStatement(db, id, changes.viewBase!));
  // Every content or status change rewrites the article's search rows in the same batch.
  if (changed.length) statements.push(...snapshotSearchStatements(db, id, next));
  // The public documents of the article and of the neighbours it leaves or joins (a title,
  // slug, channel, status or publish time shows in theirs).
  if (changed.length) statements.push(...documentRefreshStatements(db, { article: id }));
  statements.push(
    ...revisionStatements(
      db,
      id,
      next,
      ctx.reason,
      ctx.actor,
      at,
      ctx.revisionCap ?? defaultRevisionCap,
    ),
    auditStatement(db, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      at,
      action: ctx.action,
      targetType: 'article',
      targetId: id,
      changedFields: viewsChanged ? [...changed, 'views'] : changed,
      outcome: 'ok',
    }),
  );
  if (ctx.collect) {
    ctx.collect.push(...statements);
    return { article: previous, previous, changed, written: true };
  }
  try {
    await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  } catch (err) {
    const text = String(err) + String((err as { cause?: unknown })?.cause ?? '');
    if (/malformed JSON/i.test(text)) {
      throw new StaleVersionError((await findAdminArticle(db, id))!);
    }
    throw explainWriteError(err, next.channel, next.slug);
  }
  const article = (await findAdminArticle(db, id))!;
  return { article, previous, changed, written: true };
}

/** Transitions that each article status allows. */
const transitions: Record<string, readonly ArticleStatus[]> = {
  publish: ['draft', 'scheduled', 'published', 'archived'],
  unpublish: ['scheduled', 'published', 'archived'],
  archive: ['draft', 'scheduled', 'published'],
  delete: ['draft', 'scheduled', 'published', 'archived'],
};

export type Transition = 'publish' | 'unpublish' | 'archive' | 'delete';

/** The state `transition` leads to from `current`, or a WriteConflictError. */
export function transitionChanges(
  transition: Transition,
  current: { status: ArticleStatus; publishedAt: Date | null },
  options: { publishedAt?: Date; now: Date },
): { changes: ArticleChanges; reason: RevisionReason } {
  if (!transitions[transition]!.includes(current.status)) {
    throw new WriteConflictError(`cannot ${transition} an article that is ${current.status}`);
  }
  switch (transition) {
    case 'publish': {
      const at = options.publishedAt ?? current.publishedAt ?? options.now;
      const future = at.getTime() > options.now.getTime();
      return {
        changes: { status: future ? 'scheduled' : 'published', publishedAt: at },
        reason: future ? 'schedule' : 'publish',
      };
    }
    case 'unpublish':
      return { changes: { status: 'draft' }, reason: 'unpublish' };
    case 'archive':
      return { changes: { status: 'archived' }, reason: 'archive' };
    case 'delete':
      return { changes: { status: 'deleted' }, reason: 'delete' };
  }
}

/** publish / unpublish / archive / soft delete, with the same revision and audit as any write. */
export async function transitionArticle(
  db: Database,
  id: number,
  transition: Transition,
  ctx: WriteContext & {
    expectedVersion?: number;
    publishedAt?: Date;
    at?: Date;
    /** Do nothing (null) unless the article is in this status, e.g. the cron's 'scheduled'. */
    onlyIf?: ArticleStatus;
  },
): Promise<WriteResult | null> {
  const current = await loadArticleState(db, id);
  if (!current) return null;
  if (ctx.onlyIf && current.status !== ctx.onlyIf) return null;
  // The version read here guards the write: a change in between makes it fail, not overwrite.
  ctx = { ...ctx, expectedVersion: ctx.expectedVersion ?? current.version };
  const now = ctx.at ?? nowDate();
  const { changes, reason } = transitionChanges(transition, current, {
    publishedAt: ctx.publishedAt,
    now,
  });
  return writeArticle(db, id, changes, {
    ...ctx,
    at: now,
    reason,
    action: `article.${reason}`,
  });
}

/** Removes an article for good: its revisions, tags, attachments and counts go with it. */
export async function purgeArticle(
  db: Database,
  id: number,
  ctx: { actor: Actor; requestId?: string | null },
): Promise<AdminArticle | null> {
  const previous = await findAdminArticle(db, id);
  if (!previous) return null;
  await db.batch([
    db.delete(articles).where(eq(articles.id, id)),
    ...searchRemovalStatements(db, id),
    // Its own document goes with the row (cascade); the neighbours that linked it relink.
    ...documentRefreshStatements(db, { article: id }),
    auditStatement(db, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'article.purge',
      targetType: 'article',
      targetId: id,
      outcome: 'ok',
    }),
  ]);
  return previous;
}

/** Ids of scheduled articles whose time has come, oldest first. */
export async function dueArticleIds(db: Database, now: Date, limit = 100): Promise<number[]> {
  const rows = await db
    .select({ id: articles.id })
    .from(articles)
    .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now)))
    .orderBy(articles.publishedAt, articles.id)
    .limit(limit);
  return rows.map((r) => r.id);
}

/** Kept for tests and scripts that flip a status directly; goes through writeArticle. */
export async function setArticleStatus(
  db: Database,
  id: number,
  status: ArticleStatus,
  publishedAt?: Date,
): Promise<boolean> {
  const result = await writeArticle(
    db,
    id,
    { status, ...(publishedAt ? { publishedAt } : {}) },
    {
      actor: { name: 'system', role: 'system' },
      timeZone: 'UTC',
      reason: status === 'published' ? 'publish' : status === 'draft' ? 'unpublish' : 'save',
      action: `article.status.${status}`,
    },
  );
  return result !== null;
}

/** Tag names as an editor types them, as tags: existing ones by name, new ones get a slug. */
export async function resolveTagNames(db: Database, names: readonly string[]): Promise<TagRef[]> {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  if (!unique.length) return [];
  const existing = await db
    .select({ slug: tags.slug, name: tags.name })
    .from(tags)
    .where(sql`${tags.name} in (select value from json_each(${JSON.stringify(unique)}))`);
  const byName = new Map(existing.map((t) => [t.name, t]));
  return unique.map((name) => byName.get(name) ?? { slug: slugify(name), name });
}
