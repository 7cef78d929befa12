import { eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { AttachmentInput, TagRef } from '../articles/types';
import {
  applyChanges,
  changedFields,
  createArticleStatements,
  InvalidFieldError,
  resolveTagNames,
  snapshotOf,
  summarize,
  writeArticle,
  WriteConflictError,
  type ArticleChanges,
  type Batch,
  type WriteContext,
} from '../authoring/commands';
import { afterTaxonomyWrite, type EffectContext } from '../authoring/effects';
import { findAdminArticlesByExternalId, type AdminArticle } from '../authoring/queries';
import {
  createChannelCommand,
  createChannelStatements,
  createTag,
  findChannelRow,
  findTag,
  patchChannel,
  renameTag,
} from '../authoring/taxonomy';
import type { Database } from '../db/client';
import { articleRevisions, articles, channels, type ArticleStatus } from '../db/schema';
import { nowDate } from '../lib/clock';
import { fnv1a } from '../lib/hash';
import { sanitizeArticleHtml } from '../lib/sanitize';
import { isValidSlug, slugify } from '../lib/slug';
import { findMediaByPath, recordMedia, resolveMediaAttachments } from '../media/queries';
import { mediaKey } from '../media/store';
import type { RawLine } from './ndjson';
import {
  articleLine,
  channelLine,
  mediaLine,
  metaLine,
  tagLine,
  type ArticleLine,
  type ChannelLine,
  type ImportReport,
  type MediaLine,
  type Rejection,
  type TagLine,
} from './schemas';

/**
 * Site import (issue 15). Every write goes through the authoring commands: the sanitizer, the
 * slug rules, a revision with reason `import`, the search rows and the audit row, exactly as
 * POST /api/v1/admin/articles. Articles are written in chunks, each one D1 batch (one
 * transaction, within D1's limits); a chunk that fails as a whole is retried line by line, so
 * only the offending line is rejected and every good one still lands.
 */

/** A line longer than this is rejected unread (an article body is at most 500,000 characters). */
export const maxLineBytes = 1024 * 1024;
/** Articles per chunk (one D1 batch): about ten statements each, well within D1's limits. */
export const articlesPerChunk = 20;

export type Entry =
  | { n: number; kind: 'article'; line: ArticleLine }
  | { n: number; kind: 'channel'; line: ChannelLine }
  | { n: number; kind: 'tag'; line: TagLine }
  | { n: number; kind: 'media'; line: MediaLine };

export interface ImportContext extends WriteContext {
  /** The instant the import writes at (default: now). */
  at?: Date;
  /** The R2 bucket media lines are checked against. */
  media?: R2Bucket;
  /** Purges this colo's lists and channel pages after each chunk; none when absent. */
  effects?: EffectContext;
}

export function reject(report: ImportReport, r: Rejection): void {
  report.rejected += 1;
  report.rejections.push(r);
}

function describeIssues(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}) {
  return error.issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : 'line'}: ${i.message}`)
    .join('; ');
}

const lineSchemas = {
  article: articleLine,
  channel: channelLine,
  tag: tagLine,
  media: mediaLine,
  meta: metaLine,
};
const builtSchemas = new Map<string, ReturnType<(typeof lineSchemas)[keyof typeof lineSchemas]>>();

/** Built once per isolate: a zod schema costs more to build than a line costs to check. */
function lineSchema(type: string) {
  let schema = builtSchemas.get(type);
  if (!schema) {
    schema = lineSchemas[type as keyof typeof lineSchemas]();
    builtSchemas.set(type, schema);
  }
  return schema;
}

/**
 * Checks one line on its own (size, UTF-8, JSON, shape) and against the lines before it
 * (`seen`: externalId → line number). Returns the entry, a rejection, or null for a blank or
 * meta line.
 */
export function parseLine(raw: RawLine, seen: Map<string, number>): Entry | Rejection | null {
  const n = raw.n;
  if ('error' in raw) {
    return {
      line: n,
      externalId: null,
      reason:
        raw.error === 'too_long'
          ? `the line is ${raw.bytes} bytes; a line may be at most ${maxLineBytes} bytes`
          : 'the line is not valid UTF-8',
    };
  }
  if (raw.text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch {
    return { line: n, externalId: null, reason: 'the line is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line: n, externalId: null, reason: 'the line is not a JSON object' };
  }
  const type = (value as { type?: unknown }).type ?? 'article';
  const rawId = (value as { externalId?: unknown }).externalId;
  const idOf = typeof rawId === 'string' ? rawId.trim() || null : null;
  const schema =
    typeof type === 'string' && Object.hasOwn(lineSchemas, type) ? lineSchema(type) : null;
  if (!schema) {
    return {
      line: n,
      externalId: idOf,
      reason: `unknown type ${JSON.stringify(type)}; use article, channel, tag or media`,
    };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { line: n, externalId: idOf, reason: describeIssues(parsed.error) };
  if (type === 'meta') return null;
  if (type === 'article') {
    const line = parsed.data as ArticleLine;
    const first = seen.get(line.externalId);
    if (first !== undefined) {
      return {
        line: n,
        externalId: line.externalId,
        reason: `externalId ${line.externalId} appears again (first on line ${first}); the earlier line is imported`,
      };
    }
    seen.set(line.externalId, n);
    return { n, kind: 'article', line };
  }
  return { n, kind: type, line: parsed.data } as Entry;
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Plain-text paragraphs as the body HTML (escaped: they are text, not markup). */
export function paragraphsHtml(paragraphs: readonly string[]): string {
  return paragraphs
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('');
}

interface ChannelNode {
  id: number;
  slug: string;
  name: string;
  parentId: number | null;
}

/** A channel a path needs that the chunk's batch will create. */
interface PlannedChannel {
  slug: string;
  name: string;
  parent: string | null;
}

/**
 * The site's channels, to resolve paths by name without a query per line. Channels a path
 * needs are planned here first (with a stand-in negative id) and created by the chunk's own
 * batch, so a chunk that fails leaves no channel behind: `settle` keeps the ones written and
 * forgets the rest.
 */
class ChannelIndex {
  bySlug = new Map<string, ChannelNode>();
  private byParentName = new Map<string, ChannelNode>();
  private planned = new Map<string, PlannedChannel>();
  private nextStandIn = -1;

  constructor(rows: ChannelNode[]) {
    for (const r of rows) this.add(r);
  }

  add(r: ChannelNode) {
    this.bySlug.set(r.slug, r);
    const key = `${r.parentId ?? 0}/${r.name}`;
    // Two siblings of one name: the first (lowest id) is the one a path means.
    if (!this.byParentName.has(key)) this.byParentName.set(key, r);
  }

  child(parentId: number | null, name: string) {
    return this.byParentName.get(`${parentId ?? 0}/${name}`);
  }

  plan(slug: string, name: string, parent: ChannelNode | null): ChannelNode {
    const node = { id: this.nextStandIn--, slug, name, parentId: parent?.id ?? null };
    this.add(node);
    this.planned.set(slug, { slug, name, parent: parent?.slug ?? null });
    return node;
  }

  isPlanned(slug: string) {
    return this.planned.has(slug);
  }

  /** The planned channels among `needed`, parents first (the order they were planned in). */
  plannedAmong(needed: ReadonlySet<string>): PlannedChannel[] {
    return [...this.planned.values()].filter((ch) => needed.has(ch.slug));
  }

  /** After the batch: the `written` channels are real now; every other planned one is dropped. */
  settle(written: ReadonlySet<string>) {
    for (const slug of this.planned.keys()) {
      if (written.has(slug)) continue;
      const node = this.bySlug.get(slug)!;
      this.bySlug.delete(slug);
      const key = `${node.parentId ?? 0}/${node.name}`;
      if (this.byParentName.get(key) === node) this.byParentName.delete(key);
    }
    this.planned.clear();
  }
}

async function loadChannels(db: Database): Promise<ChannelIndex> {
  const rows = await db
    .select({
      id: channels.id,
      slug: channels.slug,
      name: channels.name,
      parentId: channels.parentId,
    })
    .from(channels)
    .orderBy(channels.id);
  return new ChannelIndex(rows);
}

/** A slug for a channel a path creates: its Latin words, or `c-` and a hash of the path. */
function channelSlugFor(path: readonly string[], index: ChannelIndex): string {
  const name = path.at(-1)!;
  const latin = slugify(name);
  const base = /^a-/.test(latin) ? `c-${fnv1a(path.join('/')).toString(36)}` : latin.slice(0, 60);
  let slug = base;
  for (let k = 2; index.bySlug.has(slug); k++) slug = `${base}-${k}`;
  return slug;
}

/**
 * The channel a path names; missing ones (parents first) are planned for the chunk's batch,
 * and their slugs added to `needs`.
 */
function resolvePath(path: readonly string[], index: ChannelIndex, needs: string[]): string {
  const names = new Set<string>();
  for (const name of path) {
    if (names.has(name)) {
      throw new InvalidFieldError(
        'channelPath',
        `channelPath names ${name} twice: a path cannot pass through a channel twice`,
      );
    }
    names.add(name);
  }
  let parent: ChannelNode | null = null;
  for (let depth = 0; depth < path.length; depth++) {
    const name = path[depth]!;
    let node = index.child(parent?.id ?? null, name);
    if (!node) {
      const slug = channelSlugFor(path.slice(0, depth + 1), index);
      if (!isValidSlug(slug)) throw new InvalidFieldError('channelPath', `no slug for ${name}`);
      node = index.plan(slug, name, parent);
    }
    if (index.isPlanned(node.slug)) needs.push(node.slug);
    parent = node;
  }
  return parent!.slug;
}

const mediaUrl = /^\/media\/([0-9a-f]{64})\/([^/?#]+)$/;

/** Attachments as stored: uploads by media id or by their /media/ URL, links as they are. */
async function resolveAttachmentList(
  db: Database,
  list: NonNullable<ArticleLine['attachments']>,
): Promise<AttachmentInput[]> {
  const out: AttachmentInput[] = [];
  for (const a of list) {
    if ('mediaId' in a) {
      const { attachments, missing } = await resolveMediaAttachments(db, [a]);
      if (missing.length) {
        throw new InvalidFieldError('attachments', `unknown media id: ${missing.join(', ')}`);
      }
      out.push(attachments[0]!);
      continue;
    }
    const local = mediaUrl.exec(a.url.replace(/^https?:\/\/[^/]+/, ''));
    let name: string | null = null;
    if (local) {
      try {
        name = decodeURIComponent(local[2]!).normalize('NFC');
      } catch {
        name = null;
      }
    }
    const m = local && name ? await findMediaByPath(db, local[1]!, name) : null;
    if (m) {
      out.push({
        name: a.name ?? m.name,
        url: a.url,
        size: m.size,
        contentType: m.type,
        mediaId: m.id,
      });
      continue;
    }
    const fallbackName = decodeURIComponent(a.url.split(/[?#]/)[0]!.split('/').at(-1) || 'file');
    out.push({
      name: a.name ?? fallbackName,
      url: a.url,
      size: a.size ?? null,
      contentType: a.contentType ?? null,
    });
  }
  return out;
}

/** An article line as the commands take it (everything the line says, defaults for the rest). */
interface Prepared {
  entry: Extract<Entry, { kind: 'article' }>;
  channelSlug: string;
  /** Channels its path needs that the chunk's batch creates. */
  newChannels: string[];
  body: string;
  tags: TagRef[];
  attachments: AttachmentInput[];
  status: ArticleStatus;
  publishedAt: Date | null;
}

function statusOf(line: ArticleLine, publishedAt: Date | null, now: Date): ArticleStatus {
  const status = line.status ?? (publishedAt ? 'published' : 'draft');
  // An old CMS may list a future article as published: it goes out at its time, as scheduled.
  if (status === 'published' && publishedAt && publishedAt.getTime() > now.getTime()) {
    return 'scheduled';
  }
  return status;
}

function fullChanges(p: Prepared): ArticleChanges {
  const l = p.entry.line;
  const d = l.document;
  return {
    title: l.title,
    body: p.body,
    channelSlug: p.channelSlug,
    ...(l.slug ? { slug: l.slug } : {}),
    subtitle: l.subtitle ?? '',
    source: l.source ?? '',
    author: l.author ?? '',
    lang: l.lang ?? 'zh-CN',
    coverImageUrl: l.coverImageUrl ?? null,
    publishedAt: p.publishedAt,
    tags: p.tags,
    attachments: p.attachments,
    document: d
      ? {
          indexNumber: d.indexNumber ?? null,
          documentNumber: d.documentNumber ?? null,
          dateWritten: d.dateWritten ?? null,
          issuingBody: d.issuingBody ?? null,
        }
      : null,
    status: p.status,
  };
}

type Planned =
  | { kind: 'create'; p: Prepared; statements: Batch; slug: string }
  | { kind: 'update'; p: Prepared; statements: Batch; id: number }
  | { kind: 'unchanged'; p: Prepared };

/** Why a D1 batch failed, in words for the report. */
function failureReason(err: unknown): string {
  const text = String((err as { cause?: unknown })?.cause ?? '') + String(err);
  if (/UNIQUE constraint failed: articles\.slug/.test(text)) return 'the slug is already taken';
  if (/UNIQUE constraint failed: articles\.external_id/.test(text)) {
    return 'another article has this externalId';
  }
  if (/NOT NULL constraint failed: articles\.channel_id/.test(text)) return 'unknown channel';
  if (/malformed JSON/i.test(text))
    return 'the article changed while it was imported; import again';
  if (err instanceof InvalidFieldError || err instanceof WriteConflictError) return err.message;
  if (err instanceof RangeError) return err.message;
  return 'the write failed';
}

/** Whether an error is the line's fault (reported) rather than the platform's (retried). */
function isLineError(err: unknown): boolean {
  return (
    err instanceof InvalidFieldError ||
    err instanceof WriteConflictError ||
    err instanceof RangeError
  );
}

/**
 * One chunk of article lines in one batch. Lines whose problem shows before the batch (an
 * unknown channel, a bad path, an unknown media id) are rejected and the rest go on; when the
 * batch itself fails, each line is tried alone, so the report names the one at fault.
 */
async function importArticleChunk(
  db: Database,
  entries: Extract<Entry, { kind: 'article' }>[],
  ctx: ImportContext,
  report: ImportReport,
  index: ChannelIndex,
): Promise<number> {
  const now = ctx.at ?? nowDate();
  const prepared: Prepared[] = [];
  const allTags = await resolveTagNames(
    db,
    entries.flatMap((e) => e.line.tags ?? []),
  );
  const tagByName = new Map(allTags.map((t) => [t.name, t]));
  for (const entry of entries) {
    const l = entry.line;
    try {
      let channelSlug: string;
      const newChannels: string[] = [];
      if (l.channel) {
        if (!index.bySlug.has(l.channel)) {
          throw new InvalidFieldError('channel', `unknown channel: ${l.channel}`);
        }
        channelSlug = l.channel;
      } else {
        channelSlug = resolvePath(l.channelPath!, index, newChannels);
      }
      const publishedAt = l.publishedAt ? new Date(l.publishedAt) : null;
      const status = statusOf(l, publishedAt, now);
      if ((status === 'published' || status === 'scheduled') && !publishedAt) {
        throw new InvalidFieldError('publishedAt', `a ${status} article needs publishedAt`);
      }
      const names = [...new Set((l.tags ?? []).map((n) => n.trim()).filter(Boolean))];
      prepared.push({
        entry,
        channelSlug,
        newChannels,
        body: l.body ?? paragraphsHtml(l.paragraphs ?? []),
        tags: names.map((n) => tagByName.get(n) ?? { slug: slugify(n), name: n }),
        attachments: await resolveAttachmentList(db, l.attachments ?? []),
        status,
        publishedAt,
      });
    } catch (err) {
      if (!isLineError(err)) throw err;
      reject(report, { line: entry.n, externalId: l.externalId, reason: failureReason(err) });
      report.processed += 1;
    }
  }
  const existing = await findAdminArticlesByExternalId(
    db,
    prepared.map((p) => p.entry.line.externalId),
  );
  const plans: Planned[] = [];
  const deferred: Extract<Entry, { kind: 'article' }>[] = [];
  const slugs = new Set<string>();
  const options = { ...ctx, reason: 'import' as const, at: now };
  for (const p of prepared) {
    const l = p.entry.line;
    try {
      const current = existing.get(l.externalId);
      if (current) {
        const plan = await planUpdate(db, current, p, ctx, now);
        plans.push(plan);
        continue;
      }
      const full = fullChanges(p);
      const created = await createArticleStatements(
        db,
        {
          title: l.title,
          body: p.body,
          channelSlug: p.channelSlug,
          slug: l.slug,
          subtitle: full.subtitle,
          summary: l.summary,
          source: full.source,
          author: full.author,
          lang: full.lang,
          coverImageUrl: full.coverImageUrl,
          status: p.status,
          publishedAt: p.publishedAt,
          tags: p.tags,
          attachments: p.attachments,
          document: full.document,
          viewBase: l.views ?? 0,
          externalId: l.externalId,
        },
        options,
        now,
      );
      // Two new lines whose titles give the same slug on the same day: the second waits for
      // the first to be written, then gets the next free slug.
      if (slugs.has(created.slug)) {
        deferred.push(p.entry);
        continue;
      }
      slugs.add(created.slug);
      plans.push({
        kind: 'create',
        p,
        slug: created.slug,
        statements: [...created.statements, ...historyStatements(db, created.slug, l)],
      });
    } catch (err) {
      if (!isLineError(err)) throw err;
      reject(report, { line: p.entry.n, externalId: l.externalId, reason: failureReason(err) });
      report.processed += 1;
    }
  }
  const writes = plans.filter((p) => p.kind !== 'unchanged');
  // The channels the written lines need go first in the same batch: all or nothing.
  const needed = new Set(writes.flatMap((w) => w.p.newChannels));
  const taxonomy = { actor: ctx.actor, requestId: ctx.requestId };
  const channelStatements = index
    .plannedAmong(needed)
    .flatMap((ch) => createChannelStatements(db, ch, taxonomy, now));
  let statementCount = 0;
  if (writes.length) {
    const batch = [...channelStatements, ...writes.flatMap((w) => w.statements)];
    statementCount = batch.length;
    try {
      await db.batch(batch as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    } catch (err) {
      index.settle(new Set());
      if (writes.length === 1) {
        const w = writes[0]!;
        reject(report, {
          line: w.p.entry.n,
          externalId: w.p.entry.line.externalId,
          reason: failureReason(err),
        });
        report.processed += 1;
      } else {
        // Nothing of this chunk was written: each line again on its own.
        for (const w of writes) {
          statementCount += await importArticleChunk(db, [w.p.entry], ctx, report, index);
        }
      }
      for (const plan of plans) {
        if (plan.kind === 'unchanged') {
          report.unchanged += 1;
          report.processed += 1;
        }
      }
      for (const e of deferred)
        statementCount += await importArticleChunk(db, [e], ctx, report, index);
      return statementCount;
    }
  }
  index.settle(writes.length ? needed : new Set());
  report.channelsCreated += writes.length ? needed.size : 0;
  for (const plan of plans) {
    report.processed += 1;
    if (plan.kind === 'create') report.created += 1;
    else if (plan.kind === 'update') report.updated += 1;
    else report.unchanged += 1;
  }
  if (writes.length && ctx.effects) {
    await afterTaxonomyWrite(ctx.effects, {
      channels: [...new Set(writes.map((w) => w.p.channelSlug))],
    });
  }
  for (const e of deferred) statementCount += await importArticleChunk(db, [e], ctx, report, index);
  return statementCount;
}

/**
 * The change an existing article needs, worked out from the state already read: a line that
 * says what the article already says is `unchanged` (no write, no revision).
 */
async function planUpdate(
  db: Database,
  current: AdminArticle,
  p: Prepared,
  ctx: ImportContext,
  now: Date,
): Promise<Planned> {
  const l = p.entry.line;
  const changes: ArticleChanges = {
    ...fullChanges(p),
    // A summary the line leaves out is derived from the body, as on create.
    summary: l.summary ?? summarize(sanitizeArticleHtml(p.body, ctx.sanitize)),
  };
  const before = snapshotOf(current);
  const next = applyChanges(before, changes, ctx.sanitize);
  const changed = changedFields(before, next);
  const counted = current.views - current.viewBase;
  const viewBase =
    l.views !== undefined && l.views !== current.views ? Math.max(0, l.views - counted) : undefined;
  if (!changed.length && (viewBase === undefined || viewBase === current.viewBase)) {
    return { kind: 'unchanged', p };
  }
  const statements: Batch = [];
  await writeArticle(
    db,
    current.id,
    { ...changes, ...(viewBase !== undefined ? { viewBase } : {}) },
    {
      ...ctx,
      expectedVersion: current.version,
      reason: 'import',
      action: 'article.import',
      at: now,
      collect: statements,
    },
  );
  return { kind: 'update', p, statements, id: current.id };
}

/** A new article's exported history and times, in place of the revision the import made. */
function historyStatements(db: Database, slug: string, line: ArticleLine): Batch {
  const id = sql`(select id from articles where slug = ${slug})`;
  const out: Batch = [];
  if (line.revisions?.length) {
    out.push(db.delete(articleRevisions).where(sql`${articleRevisions.articleId} = ${id}`));
    for (const r of line.revisions) {
      out.push(
        db.insert(articleRevisions).values({
          articleId: id as unknown as number,
          number: r.number,
          reason: r.reason,
          actorName: r.actor,
          published: r.published,
          snapshot: JSON.stringify(r.snapshot),
          createdAt: new Date(r.createdAt),
        }),
      );
    }
  }
  if (line.createdAt || line.updatedAt) {
    out.push(
      db
        .update(articles)
        .set({
          ...(line.createdAt ? { createdAt: new Date(line.createdAt) } : {}),
          ...(line.updatedAt ? { updatedAt: new Date(line.updatedAt) } : {}),
        })
        .where(eq(articles.slug, slug)),
    );
  }
  return out;
}

async function importChannel(
  db: Database,
  entry: Extract<Entry, { kind: 'channel' }>,
  ctx: ImportContext,
  report: ImportReport,
) {
  const l = entry.line;
  const taxonomy = { actor: ctx.actor, requestId: ctx.requestId };
  const current = await findChannelRow(db, l.slug);
  if (!current) {
    await createChannelCommand(db, { ...l, parent: l.parent ?? null }, taxonomy);
    report.channelsCreated += 1;
    return;
  }
  const wanted = {
    name: l.name,
    parent: l.parent ?? null,
    position: l.position ?? 0,
    description: l.description ?? '',
  };
  if (
    current.name !== wanted.name ||
    current.parentSlug !== wanted.parent ||
    current.position !== wanted.position ||
    current.description !== wanted.description
  ) {
    await patchChannel(db, l.slug, wanted, taxonomy);
  }
}

async function importTag(
  db: Database,
  entry: Extract<Entry, { kind: 'tag' }>,
  ctx: ImportContext,
  report: ImportReport,
) {
  const taxonomy = { actor: ctx.actor, requestId: ctx.requestId };
  const current = await findTag(db, entry.line.slug);
  if (!current) {
    await createTag(db, { name: entry.line.name, slug: entry.line.slug }, taxonomy);
    report.tagsCreated += 1;
  } else if (current.name !== entry.line.name) {
    await renameTag(db, entry.line.slug, entry.line.name, taxonomy);
  }
}

/** A media row for bytes already in R2 (restored there first); attachments then link to it. */
async function importMedia(
  db: Database,
  entry: Extract<Entry, { kind: 'media' }>,
  ctx: ImportContext,
) {
  const l = entry.line;
  if (await findMediaByPath(db, l.hash, l.name)) return;
  const object = ctx.media ? await ctx.media.head(mediaKey(l.hash)) : null;
  if (!object) {
    throw new InvalidFieldError(
      'hash',
      `the file ${l.hash} is not in storage; restore the R2 objects before the import`,
    );
  }
  if (object.size !== l.size) {
    throw new InvalidFieldError('size', `the stored file has ${object.size} bytes, not ${l.size}`);
  }
  await recordMedia(
    db,
    {
      hash: l.hash,
      name: l.name,
      size: l.size,
      type: l.contentType,
      createdBy: ctx.actor.name,
    },
    l.createdAt ? new Date(l.createdAt) : undefined,
  );
}

/**
 * Imports entries in file order: channel, tag and media lines one by one, runs of article
 * lines in chunks. Returns the D1 statements it ran (the caller budgets its invocation).
 */
export async function importEntries(
  db: Database,
  entries: readonly Entry[],
  ctx: ImportContext,
  report: ImportReport,
): Promise<number> {
  let statements = 0;
  let index: ChannelIndex | null = null;
  let run: Extract<Entry, { kind: 'article' }>[] = [];
  const flush = async () => {
    if (!run.length) return;
    index ??= await loadChannels(db);
    statements += await importArticleChunk(db, run, ctx, report, index);
    run = [];
  };
  for (const entry of entries) {
    if (entry.kind === 'article') {
      run.push(entry);
      if (run.length >= articlesPerChunk) await flush();
      continue;
    }
    await flush();
    index = null;
    try {
      if (entry.kind === 'channel') await importChannel(db, entry, ctx, report);
      else if (entry.kind === 'tag') await importTag(db, entry, ctx, report);
      else await importMedia(db, entry, ctx);
    } catch (err) {
      if (!isLineError(err)) throw err;
      reject(report, { line: entry.n, externalId: null, reason: failureReason(err) });
    }
    report.processed += 1;
    statements += 2;
  }
  await flush();
  return statements;
}
