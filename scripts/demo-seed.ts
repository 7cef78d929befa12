import { createArticles, createChannel } from '../src/authoring/commands';
import type { Database } from '../src/db/client';
import { demoChannels, type DemoArticle, type DemoChannel } from './demo-content';

/**
 * The demo portal, written through the authoring commands (the sanitizer, the slug rules,
 * revisions): clears all content, then creates the channels and the articles in as few D1
 * batches as the limits allow. Works with any drizzle database: the local D1 through
 * wrangler's platform proxy (npm run db:seed), Miniflare's (the bench) or a test's.
 */
export async function seedDemo(
  db: Database,
  articles: DemoArticle[],
  options: { timeZone?: string; channels?: DemoChannel[] } = {},
): Promise<{ id: number; slug: string }[]> {
  const channels = options.channels ?? demoChannels;
  const d1 = db.$client as D1Database;
  await d1.batch(
    [
      'DELETE FROM view_rejections_daily',
      'DELETE FROM article_views_daily',
      'DELETE FROM article_revisions',
      'DELETE FROM article_former_slugs',
      'DELETE FROM attachments',
      'DELETE FROM article_tags',
      'DELETE FROM tags',
      'DELETE FROM articles',
      // parent_id is ON DELETE RESTRICT, checked row by row: detach the tree first, or a parent
      // deleted before its children fails the whole seed on a database that has content.
      'UPDATE channels SET parent_id = NULL',
      'DELETE FROM channels',
      "DELETE FROM sqlite_sequence WHERE name IN ('articles', 'channels', 'tags', 'attachments', 'article_revisions')",
    ].map((statement) => d1.prepare(statement)),
  );
  // Parents first: demoChannels lists every parent before its children.
  for (const c of channels) await createChannel(db, c);
  return createArticles(
    db,
    articles.map((a) => ({
      slug: a.slug,
      channelSlug: a.channelSlug,
      title: a.title,
      subtitle: a.subtitle,
      summary: a.summary,
      body: a.body,
      source: a.source,
      author: a.author,
      lang: a.lang,
      status: a.status,
      publishedAt: new Date(a.publishedAt),
      viewBase: a.viewBase,
      tags: a.tags,
      attachments: a.attachments,
      document: a.document,
    })),
    {
      timeZone: options.timeZone ?? 'Asia/Shanghai',
      actor: { name: 'seed', role: 'system' },
      reason: 'import',
    },
  );
}
