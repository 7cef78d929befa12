import { sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

export const articleStatuses = ['draft', 'scheduled', 'published', 'archived', 'deleted'] as const;
export type ArticleStatus = (typeof articleStatuses)[number];

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`),
};

export const channels = sqliteTable(
  'channels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    parentId: integer('parent_id').references((): AnySQLiteColumn => channels.id, {
      onDelete: 'restrict',
    }),
    position: integer('position').notNull().default(0),
    description: text('description').notNull().default(''),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('channels_slug_unique').on(t.slug),
    index('channels_parent_position_idx').on(t.parentId, t.position),
  ],
);

export const articles = sqliteTable(
  'articles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull(),
    channelId: integer('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    subtitle: text('subtitle').notNull().default(''),
    summary: text('summary').notNull().default(''),
    body: text('body').notNull().default(''),
    source: text('source').notNull().default(''),
    author: text('author').notNull().default(''),
    coverImageUrl: text('cover_image_url'),
    lang: text('lang').notNull().default('zh-CN'),
    status: text('status', { enum: articleStatuses }).notNull().default('draft'),
    publishedAt: integer('published_at', { mode: 'timestamp_ms' }),
    // Flushed from the view counters; viewBase carries counts migrated from an older site.
    viewCount: integer('view_count').notNull().default(0),
    visitorCount: integer('visitor_count').notNull().default(0),
    viewBase: integer('view_base').notNull().default(0),
    // The operator's floor; the counters raise viewLayout (a power of two) by themselves when an
    // article runs hot, and it never shrinks (src/views/counter.ts).
    viewShards: integer('view_shards').notNull().default(1),
    viewLayout: integer('view_layout').notNull().default(1),
    viewLayoutAt: integer('view_layout_at', { mode: 'timestamp_ms' }),
    indexNumber: text('index_number'),
    documentNumber: text('document_number'),
    dateWritten: text('date_written'),
    issuingBody: text('issuing_body'),
    // Bumped by every write; the admin API's ETag, so two editors cannot overwrite each other.
    version: integer('version').notNull().default(1),
    // The article's id in the CMS it was imported from (src/transfer): re-imports update by it.
    externalId: text('external_id'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('articles_slug_unique').on(t.slug),
    uniqueIndex('articles_external_id_unique').on(t.externalId),
    index('articles_status_published_idx').on(t.status, t.publishedAt, t.id),
    index('articles_channel_status_published_idx').on(t.channelId, t.status, t.publishedAt, t.id),
    index('articles_status_views_idx').on(t.status, t.viewCount, t.id),
    index('articles_updated_idx').on(t.updatedAt, t.id),
    check(
      'articles_status_check',
      sql`${t.status} in ('draft', 'scheduled', 'published', 'archived', 'deleted')`,
    ),
    check(
      'articles_published_at_check',
      sql`${t.status} not in ('scheduled', 'published') or ${t.publishedAt} is not null`,
    ),
    check('articles_view_shards_check', sql`${t.viewShards} between 1 and 16`),
  ],
);

export const tags = sqliteTable(
  'tags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('tags_slug_unique').on(t.slug)],
);

export const articleTags = sqliteTable(
  'article_tags',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.tagId] }),
    index('article_tags_tag_article_idx').on(t.tagId, t.articleId),
  ],
);

/**
 * One uploaded file. The bytes live in R2 under their SHA-256 (`media/<hash>`), so the same
 * content uploaded under two names is stored once and has two rows; a row is what a URL
 * (`/media/<hash>/<name>`) and an attachment point at.
 */
export const media = sqliteTable(
  'media',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    hash: text('hash').notNull(),
    size: integer('size').notNull(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    createdAt: timestamps.createdAt,
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('media_hash_name_unique').on(t.hash, t.name),
    check('media_hash_check', sql`length(${t.hash}) = 64`),
    check('media_size_check', sql`${t.size} > 0`),
  ],
);

export const attachments = sqliteTable(
  'attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    name: text('name').notNull(),
    url: text('url').notNull(),
    size: integer('size'),
    contentType: text('content_type'),
    // Set for uploaded files; a media row in use cannot be deleted (the API answers 409 first).
    mediaId: integer('media_id').references(() => media.id, { onDelete: 'restrict' }),
  },
  (t) => [
    index('attachments_article_position_idx').on(t.articleId, t.position),
    index('attachments_media_idx').on(t.mediaId),
  ],
);

/**
 * Absolute per-day totals written by each counter shard. A flush overwrites its own rows,
 * so running it twice changes nothing; rankings sum the shards.
 */
export const articleViewsDaily = sqliteTable(
  'article_views_daily',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    shard: integer('shard').notNull(),
    views: integer('views').notNull().default(0),
    visitors: integer('visitors').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.day, t.shard] }),
    // Windows of days (rankings, stats) start here. Not covering on purpose: an index holding
    // views and visitors is rewritten by every flush, one more D1 row per flush (4 -> 3 rows,
    // $0.10 per million views at 10 views per flush); the window's rows are read from the table.
    index('article_views_daily_day_idx').on(t.day, t.articleId),
  ],
);

/** Hits the counters refused, by reason, so an operator can audit the filtering. */
export const viewRejectionsDaily = sqliteTable(
  'view_rejections_daily',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    shard: integer('shard').notNull(),
    reason: text('reason').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.day, t.shard, t.reason] }),
    index('view_rejections_daily_day_idx').on(t.day),
  ],
);

/**
 * What the public read of one article answers, built when the article or anything it shows
 * changes (src/articles/documents.ts), so the read is one key lookup. Only published articles
 * have one; the live status, publish time and counts still come from `articles` at read time.
 * prev_id and next_id are the neighbours the document links, indexed so that a write to an
 * article finds the documents that link it. They are plain integers, not foreign keys: after a
 * purge the refresh must still find who linked the purged id.
 */
export const articleDocuments = sqliteTable(
  'article_documents',
  {
    articleId: integer('article_id')
      .primaryKey()
      .references(() => articles.id, { onDelete: 'cascade' }),
    prevId: integer('prev_id'),
    nextId: integer('next_id'),
    /** JSON: the ArticleDetail without views and visitors, instants as epoch ms. */
    document: text('document').notNull(),
  },
  (t) => [
    index('article_documents_prev_idx').on(t.prevId),
    index('article_documents_next_idx').on(t.nextId),
  ],
);

/**
 * Where a published article lists (issue 20: lists done at write time, like article_documents):
 * one row per channel on its channel chain (an article in 盘锦要闻 lists under 要闻动态 too) and
 * one under channel 0, the site-wide list, each with the summary a list shows but its live
 * times and counts. Kept current in the same batches as the documents
 * (src/articles/documents.ts), so a channel list or the feed is one range scan of the primary
 * key, newest first, plus a key lookup per row in `articles`. channel_id is a plain integer,
 * not a foreign key: 0 is no channel, and a channel with articles cannot be deleted.
 */
export const channelListings = sqliteTable(
  'channel_listings',
  {
    channelId: integer('channel_id').notNull(),
    publishedAt: integer('published_at').notNull(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    /** JSON: the ArticleSummary without publishedAt, updatedAt and views (read live). */
    summary: text('summary').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.publishedAt, t.articleId] }),
    index('channel_listings_article_idx').on(t.articleId),
  ],
);

/** A slug an article had before; its short link keeps redirecting to the article (301). */
export const articleFormerSlugs = sqliteTable(
  'article_former_slugs',
  {
    slug: text('slug').primaryKey(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    ...timestamps,
  },
  (t) => [index('article_former_slugs_article_idx').on(t.articleId)],
);

export const revisionReasons = [
  'create',
  'save',
  'publish',
  'schedule',
  'unpublish',
  'archive',
  'delete',
  'restore',
  'import',
] as const;
export type RevisionReason = (typeof revisionReasons)[number];

/** The article as it stood after each write: who, when, why, and the content itself (JSON). */
export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    reason: text('reason', { enum: revisionReasons }).notNull(),
    actorName: text('actor_name').notNull(),
    /** Set on the revision each publish made: those survive the per-article cap. */
    published: integer('published', { mode: 'boolean' }).notNull().default(false),
    snapshot: text('snapshot').notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [uniqueIndex('article_revisions_article_number_unique').on(t.articleId, t.number)],
);

export const tokenRoles = ['admin', 'editor', 'reader-preview'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** API tokens: only the SHA-256 of the secret is kept, never the secret itself. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    role: text('role', { enum: tokenRoles }).notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    createdAt: timestamps.createdAt,
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_unique').on(t.tokenHash),
    check('api_tokens_role_check', sql`${t.role} in ('admin', 'editor', 'reader-preview')`),
  ],
);

export const auditOutcomes = ['ok', 'forbidden', 'failed'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** Every write, done or refused, with who asked for it. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorName: text('actor_name').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    requestId: text('request_id'),
    /** JSON array of the field names a content change touched. */
    changedFields: text('changed_fields'),
    outcome: text('outcome', { enum: auditOutcomes }).notNull(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at, t.id),
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.at),
  ],
);

/** What a webhook can subscribe to (src/webhooks). */
export const webhookEventTypes = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * Webhook subscriptions. The signing secret is stored as is: every delivery is signed with
 * it, so unlike an API token it cannot be kept only as a hash. It is shown once, on create.
 */
export const webhooks = sqliteTable(
  'webhooks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** JSON array of WebhookEventType. */
    events: text('events').notNull(),
    secret: text('secret').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('webhooks_active_idx').on(t.active, t.id)],
);

/**
 * People who sign in to the web admin (src/admin). The password is kept only as a
 * PBKDF2-SHA256 derivation with its own salt and iteration count (src/auth/passwords.ts), so
 * the count can rise later without locking anyone out. The TOTP secret is stored as is: every
 * code is checked against it, so like a webhook secret it cannot be kept only as a hash.
 */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: tokenRoles }).notNull(),
    passwordHash: text('password_hash').notNull(),
    passwordSalt: text('password_salt').notNull(),
    passwordIterations: integer('password_iterations').notNull(),
    /** Set for an initial or reset password: the person must choose their own first. */
    mustChangePassword: integer('must_change_password', { mode: 'boolean' })
      .notNull()
      .default(true),
    totpSecret: text('totp_secret'),
    /** The time step of the last TOTP code accepted: a code works once. */
    totpLastStep: integer('totp_last_step'),
    disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
    lastSignInAt: integer('last_sign_in_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_username_unique').on(t.username),
    check('users_role_check', sql`${t.role} in ('admin', 'editor', 'reader-preview')`),
  ],
);

/** Signed-in browser sessions; only the SHA-256 of the cookie's secret is stored. */
export const userSessions = sqliteTable(
  'user_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('user_sessions_token_hash_unique').on(t.tokenHash),
    index('user_sessions_user_idx').on(t.userId, t.expiresAt),
  ],
);
