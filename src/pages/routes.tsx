import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import { articlePath } from '../articles/present';
import { findArticle } from '../articles/queries';
import { findByFormerSlug } from '../authoring/queries';
import { findChannel } from '../channels/queries';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { publicGet, taggedBody } from '../lib/http';
import { idOrSlugParam, idParam, slugParam } from '../lib/params';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig } from '../lib/site';
import { addDays, zonedDay } from '../lib/time';
import { listPopularArticles } from '../views/queries';
import { ArticlePage } from './article-page';
import { labelsFor } from '../lib/labels';
import { ChannelPage, ErrorPage, HomePage } from './list-pages';
import {
  listChannelPage,
  listTopChannels,
  loadArticlePage,
  loadHomeContent,
  mergeRanked,
} from './queries';
import { pageCsp } from './safety';
import { nowDate } from '../lib/clock';

const perPage = 20;
const popularSize = 10;
/** The home page's popular list ranks by views over this many days. */
const popularDays = 7;
const maxPage = 100_000;
const redirectCacheControl = 'public, max-age=300';
// Built once: building a zod schema per request showed in the article page's profile.
const slugSchema = slugParam();
const idOrSlugSchema = idOrSlugParam();
const idSchema = idParam();
const favicon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b3a75"/><path d="M9 9h14v3H9zm0 5.5h14v3H9zM9 20h9v3H9z" fill="#fff"/></svg>';

/** A reader page: cached like any public GET, and its errors render as pages (app.ts). */
const cached = publicGet();
export const readerPage: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('page', true);
  await cached(c, next);
};

export async function renderPage(
  c: Context<AppEnv>,
  element: Child,
  status: 200 | 400 | 404 | 410 | 500 | 503,
) {
  c.header('Content-Security-Policy', pageCsp(c.env));
  const page = await html`<!DOCTYPE html>${element}`;
  // A reader page is a public GET: hashed here rather than re-read by hono/etag (src/lib/http.ts).
  return status === 200 ? taggedBody(c, page, 'text/html; charset=UTF-8') : c.html(page, status);
}

/** The reader's error page, in the site's language, for the problem a page request ran into. */
export function renderErrorPage(c: Context<AppEnv>, problem: AppError) {
  const site = siteConfig(c.env);
  const labels = labelsFor(site.lang);
  const status =
    problem.status === 404 || problem.status === 410 || problem.status === 503
      ? problem.status
      : problem.status === 400
        ? 400
        : 500;
  // Retry-After on a 503 tells readers' browsers and crawlers when to come back.
  for (const [name, value] of Object.entries(problem.headers ?? {})) c.header(name, value);
  const param = status === 400 ? problem.invalidParams?.[0]?.name : undefined;
  // A missing or withdrawn page may come back, but not within a minute; client errors and
  // failures must not be cached at all.
  c.header('Cache-Control', status === 404 || status === 410 ? 'public, max-age=60' : 'no-store');
  return renderPage(
    c,
    <ErrorPage
      site={site}
      labels={labels}
      status={status}
      detail={param ? labels.invalidParameter(param) : undefined}
    />,
    status,
  );
}

function notFound(): never {
  throw new AppError('not_found');
}

function parsePage(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^[1-9][0-9]{0,5}$/.test(value) || Number(value) > maxPage) {
    throw AppError.invalidParameter('page', 'query', `must be a whole number from 1 to ${maxPage}`);
  }
  return Number(value);
}

function permanentRedirect(c: Context<AppEnv>, path: string) {
  c.header('Cache-Control', redirectCacheControl);
  return c.redirect(path + new URL(c.req.url).search, 301);
}

export const pagesRoutes = new Hono<AppEnv>()
  .get('/', readerPage, async (c) => {
    const site = siteConfig(c.env);
    const db = readDb(c);
    const now = nowDate();
    const [nav, trending] = await Promise.all([
      listTopChannels(db),
      listPopularArticles(db, {
        now,
        fromDay: addDays(zonedDay(now, site.timeZone), -(popularDays - 1)),
        limit: popularSize,
      }),
    ]);
    const content = await loadHomeContent(db, {
      now,
      channels: nav,
      perChannel: 8,
      popular: popularSize,
    });
    content.popular = mergeRanked(trending, content.popular, popularSize);
    return renderPage(
      c,
      <HomePage
        site={site}
        labels={labelsFor(site.lang)}
        origin={requestOrigin(c)}
        nav={nav}
        {...content}
      />,
      200,
    );
  })
  .get('/channels/:slug', readerPage, async (c) => {
    const slug = slugSchema.safeParse(c.req.param('slug'));
    if (!slug.success) notFound();
    const page = parsePage(c.req.query('page'));
    const site = siteConfig(c.env);
    const db = readDb(c);
    const [channel, list, nav] = await Promise.all([
      findChannel(db, slug.data),
      listChannelPage(db, { now: nowDate(), channelSlug: slug.data, page, perPage }),
      listTopChannels(db),
    ]);
    const pages = Math.max(1, Math.ceil(list.total / perPage));
    if (!channel || page > pages) notFound();
    return renderPage(
      c,
      <ChannelPage
        site={site}
        labels={labelsFor(site.lang)}
        origin={requestOrigin(c)}
        nav={nav}
        channel={channel}
        items={list.items}
        total={list.total}
        page={page}
        pages={pages}
      />,
      200,
    );
  })
  .get('/articles/:key', readerPage, async (c) => {
    // Short links (/articles/123, /articles/some-slug) resolve to the one canonical URL.
    const key = idOrSlugSchema.safeParse(c.req.param('key'));
    if (!key.success) notFound();
    const found = await findArticle(readDb(c), key.data, nowDate());
    if (found.state === 'withdrawn') throw new AppError('gone');
    if (found.state === 'missing') {
      // A slug the article had before an editor changed it keeps working.
      const moved =
        'slug' in key.data && key.data.slug
          ? await findByFormerSlug(readDb(c), key.data.slug)
          : null;
      if (moved) return permanentRedirect(c, `/articles/${moved.id}`);
      notFound();
    }
    return permanentRedirect(c, articlePath(found.article));
  })
  .get('/articles/:id/:slug', readerPage, async (c) => {
    const id = idSchema.safeParse(c.req.param('id'));
    if (!id.success) notFound();
    const site = siteConfig(c.env);
    const db = readDb(c);
    const { found, nav } = await loadArticlePage(db, id.data, nowDate());
    if (found.state === 'withdrawn') throw new AppError('gone');
    if (found.state === 'missing') notFound();
    const article = found.article;
    if (c.req.param('slug') !== article.slug) return permanentRedirect(c, articlePath(article));
    return renderPage(
      c,
      <ArticlePage
        site={site}
        labels={labelsFor(site.lang)}
        origin={requestOrigin(c)}
        nav={nav}
        article={article}
      />,
      200,
    );
  })
  .get('/favicon.svg', (c) =>
    c.body(favicon, 200, {
      'Content-Type': 'image/svg+xml',
      'Cache-Control': 'public, max-age=86400',
    }),
  )
  .get('/favicon.ico', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.redirect('/favicon.svg', 301);
  });
