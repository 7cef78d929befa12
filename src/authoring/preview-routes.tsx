import { Hono } from 'hono';
import { html } from 'hono/html';
import { createDb } from '../db/client';
import { findDraftDetail } from '../articles/queries';
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
  // The same document publishing stores (src/articles/documents.ts), built live.
  const [draft, nav] = await Promise.all([findDraftDetail(db, id, nowDate()), listTopChannels(db)]);
  if (!draft || draft.status === 'deleted') return notFoundPage(c);
  const site = siteConfig(c.env);
  c.header('Content-Security-Policy', pageCsp(c.env));
  return c.html(
    html`<!DOCTYPE html>${(
        <ArticlePage
          site={site}
          labels={labelsFor(site.lang)}
          origin={new URL(c.req.url).origin}
          nav={nav}
          article={draft.article}
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
