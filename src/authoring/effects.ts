import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { purgeUrls } from '../lib/cache-purge';
import { createLogger, describeError } from '../lib/logger';
import { enqueueWebhookEvent } from '../webhooks/client';
import type { WebhookEventType } from '../webhooks/events';
import type { AdminArticle } from './queries';

/**
 * Everything that follows an article write, in one place: the API routes, the cron and any
 * later import call `afterArticleWrite` once per write: it purges this colo's cache and queues
 * the webhooks. (The search index is not an effect: its rows are part of the write's own batch.)
 */

export type ArticleEventType =
  | 'article.created'
  | 'article.updated'
  | 'article.published'
  | 'article.scheduled'
  | 'article.unpublished'
  | 'article.archived'
  | 'article.deleted'
  | 'article.purged';

export interface ArticleEvent {
  type: ArticleEventType;
  /** The article after the write (for a purge: as it was before). */
  article: AdminArticle;
  /** The article before the write, when it existed. */
  previous?: AdminArticle | null;
}

export interface EffectContext {
  env: Env;
  /** The public origin whose cached URLs to purge; null when unknown (then nothing is purged). */
  origin: string | null;
  waitUntil(promise: Promise<unknown>): void;
}

export function effectContext(c: Context<AppEnv>): EffectContext {
  return {
    env: c.env,
    origin: c.env.PUBLIC_ORIGIN || new URL(c.req.url).origin,
    waitUntil: (promise) => {
      try {
        c.executionCtx.waitUntil(promise);
      } catch {
        void promise;
      }
    },
  };
}

const feedFiles = ['feed.xml', 'atom.xml', 'feed.json'];

/**
 * The public URLs whose cached answer may show this article (before or after the write), as
 * publicGet() keys them: the plain URL, no query beyond the canonical ones. Lists with other
 * filters or cursors, and sitemap pages past the first, expire within their cache lifetime.
 */
export function affectedPaths(event: ArticleEvent): string[] {
  const paths = new Set<string>([
    '/',
    '/api/v1/articles',
    '/api/v1/articles/popular',
    '/api/v1/channels',
    '/sitemap.xml',
    '/sitemap-news.xml',
    '/sitemaps/channels.xml',
    '/sitemaps/articles-1.xml',
    '/embed',
    ...feedFiles.map((f) => `/${f}`),
  ]);
  for (const a of [event.article, event.previous]) {
    if (!a) continue;
    paths.add(`/api/v1/articles/${a.id}`);
    paths.add(`/api/v1/articles/${a.slug}`);
    paths.add(`/api/v1/articles/${a.id}/views`);
    paths.add(`/articles/${a.id}`);
    paths.add(`/articles/${a.slug}`);
    paths.add(`/articles/${a.id}/${a.slug}`);
    paths.add(`/embed/articles/${a.id}`);
    paths.add(`/embed?article=${a.id}`);
    for (const ch of a.breadcrumb.length ? a.breadcrumb : [a.channel]) {
      paths.add(`/api/v1/articles?channel=${ch.slug}`);
      paths.add(`/api/v1/channels/${ch.slug}`);
      paths.add(`/channels/${ch.slug}`);
      paths.add(`/embed/channels/${ch.slug}`);
      for (const f of feedFiles) paths.add(`/channels/${ch.slug}/${f}`);
    }
  }
  return [...paths];
}

function oembedPaths(origin: string, event: ArticleEvent): string[] {
  const out: string[] = [];
  for (const a of [event.article, event.previous]) {
    if (!a) continue;
    for (const page of [`/articles/${a.id}/${a.slug}`, `/articles/${a.id}`]) {
      out.push(`/oembed?url=${encodeURIComponent(origin + page)}`);
      out.push(`/oembed?url=${encodeURIComponent(origin + page)}&format=json`);
    }
  }
  return out;
}

/**
 * Deletes this colo's cached copies of the affected URLs (through the readers' worker, which
 * stored them: src/lib/cache-purge.ts); returns how many were there.
 */
export async function purgeColoCache(
  env: Env,
  origin: string,
  event: ArticleEvent,
): Promise<number> {
  const paths = [...affectedPaths(event), ...oembedPaths(origin, event)];
  return purgeUrls(
    env,
    paths.map((path) => origin + path),
  );
}

/**
 * Runs the effects of one article write. The purge is awaited, so the response to the write
 * leaves this colo already showing the new content.
 */
export async function afterArticleWrite(ctx: EffectContext, event: ArticleEvent): Promise<void> {
  if (ctx.origin) await purgeColoCache(ctx.env, ctx.origin, event);
  const type = webhookType(event);
  if (!type) return;
  const { article } = event;
  const path = `/articles/${article.id}/${article.slug}`;
  // Queued after the response: the delivery objects persist it and retry on their own.
  ctx.waitUntil(
    enqueueWebhookEvent(ctx.env, {
      type,
      article: {
        id: article.id,
        slug: article.slug,
        title: article.title,
        url: ctx.origin ? ctx.origin + path : path,
        status: article.status,
        publishedAt: article.publishedAt,
      },
      occurredAt: article.updatedAt,
    }).catch((err) =>
      createLogger(ctx.env.LOG_LEVEL).error('webhook enqueue failed', {
        articleId: article.id,
        type,
        ...describeError(err),
      }),
    ),
  );
}

/**
 * What subscribers hear of a write. Their contract is the public lifecycle: a draft's saves
 * and a scheduling say nothing yet; the cron's publish later says `article.published`.
 */
export function webhookType(event: ArticleEvent): WebhookEventType | null {
  const wasPublic = event.previous?.status === 'published';
  switch (event.type) {
    case 'article.created':
      return event.article.status === 'published' ? 'article.published' : null;
    case 'article.published':
      return wasPublic ? 'article.updated' : 'article.published';
    case 'article.updated':
      return event.article.status === 'published' ? 'article.updated' : null;
    case 'article.unpublished':
    case 'article.archived':
      return wasPublic ? 'article.unpublished' : null;
    case 'article.deleted':
    case 'article.purged':
      return 'article.deleted';
    default:
      return null;
  }
}

/**
 * After a channel or tag change: this colo's home page, channel lists, channel pages and
 * feeds, and the pages of the `articles` whose breadcrumb or tags changed (the caller names
 * the most recent few: they are the ones being read; older ones and other colos follow
 * within their cache lifetime).
 */
export async function afterTaxonomyWrite(
  ctx: EffectContext,
  change: { channels: readonly string[]; articles?: readonly { id: number; slug: string }[] },
): Promise<void> {
  if (!ctx.origin) return;
  const paths = [
    '/',
    '/api/v1/channels',
    '/api/v1/articles',
    '/sitemaps/channels.xml',
    '/sitemap.xml',
  ];
  for (const slug of change.channels) {
    paths.push(`/api/v1/channels/${slug}`, `/channels/${slug}`, `/api/v1/articles?channel=${slug}`);
    for (const f of feedFiles) paths.push(`/channels/${slug}/${f}`);
  }
  for (const a of change.articles ?? []) {
    paths.push(
      `/articles/${a.id}`,
      `/articles/${a.slug}`,
      `/articles/${a.id}/${a.slug}`,
      `/api/v1/articles/${a.id}`,
      `/api/v1/articles/${a.slug}`,
      `/embed/articles/${a.id}`,
    );
  }
  await purgeUrls(
    ctx.env,
    paths.map((p) => ctx.origin + p),
  );
}
