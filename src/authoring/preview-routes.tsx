import { Hono } from 'hono';
import { html } from 'hono/html';
import { createDb } from '../db/client';
import type { ArticleDetail } from '../articles/types';
import type { AppEnv } from '../env';
import { now, nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { siteConfig } from '../lib/site';
import { ArticlePage } from '../pages/article-page';
import { labelsFor } from '../lib/labels';
import { listTopChannels } from '../pages/queries';
import { renderErrorPage } from '../pages/routes';
import { pageCsp } from '../pages/safety';
import { previewSecret, verifyPreview } from './preview';
import { findAdminArticle, type AdminArticle } from './queries';

/** The draft as the article page will show it once published. */
function asDetail(a: AdminArticle): ArticleDetail {
  return {
    id: a.id,
    slug: a.slug,
    title: a.title,
    subtitle: a.subtitle,
    summary: a.summary,
    source: a.source,
    author: a.author,
    coverImageUrl: a.coverImageUrl,
    lang: a.lang,
    channel: a.channel,
    tags: a.tags,
    publishedAt: a.publishedAt ?? nowDate(),
    updatedAt: a.updatedAt,
    views: a.views,
    body: a.body,
    visitors: a.visitors,
    breadcrumb: a.breadcrumb,
    attachments: a.attachments,
    document: a.document,
    prev: null,
    next: null,
  };
}

/**
 * GET /preview/articles/{id}?exp&sig: a signed, expiring view of an article in any status but
 * deleted. Never cached (no-store), never indexed (noindex, X-Robots-Tag), never counted (no
 * view beacon on the page).
 */
export const previewRoutes = new Hono<AppEnv>().get('/preview/articles/:id', async (c) => {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('Referrer-Policy', 'no-referrer');
  const id = /^[1-9][0-9]{0,15}$/.test(c.req.param('id')) ? Number(c.req.param('id')) : null;
  const exp = Number(c.req.query('exp'));
  const sig = c.req.query('sig') ?? '';
  const valid =
    id !== null &&
    (await verifyPreview(previewSecret(c.env, c.req.url), id, exp, sig, Math.floor(now() / 1000)));
  // A bad or expired link says no more than "not found".
  if (!valid) return notFoundPage(c);
  // The primary: an editor previews what they saved a moment ago.
  const db = createDb(c.env.DB.withSession('first-primary'));
  const [article, nav] = await Promise.all([findAdminArticle(db, id), listTopChannels(db)]);
  if (!article || article.status === 'deleted') return notFoundPage(c);
  const site = siteConfig(c.env);
  c.header('Content-Security-Policy', pageCsp(c.env));
  return c.html(
    html`<!DOCTYPE html>${(
        <ArticlePage
          site={site}
          labels={labelsFor(site.lang)}
          origin={new URL(c.req.url).origin}
          nav={nav}
          article={asDetail(article)}
          preview
        />
      )}`,
    200,
  );
});

/** A preview link that does not (or no longer) work: the not-found page, never cached. */
async function notFoundPage(c: Parameters<typeof renderErrorPage>[0]) {
  const res = await renderErrorPage(c, new AppError('not_found'));
  res.headers.set('Cache-Control', 'no-store');
  return res;
}
