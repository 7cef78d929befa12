import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import { findArticle, listPublishedArticles } from '../articles/queries';
import { assetManifest } from '../asset-manifest.gen';
import { findChannel } from '../channels/queries';
import type { AppEnv } from '../env';
import { AppError, clientProblem } from '../lib/errors';
import { publicGet } from '../lib/http';
import { createRoute } from '@hono/zod-openapi';
import { zValidator } from '@hono/zod-validator';
import {
  createApi,
  defaultHook,
  jsonContent,
  problemResponses,
  publicAccess,
} from '../lib/openapi';
import { readDb, requestOrigin } from '../lib/request';
import type { Lang } from '../lib/labels';
import { siteConfig } from '../lib/site';
import { cspHash, cspHeader } from './csp';
import {
  ArticleFrame,
  ChannelFrame,
  FrameError,
  frameCss,
  resizeScript,
  type FrameTheme,
} from './frame-pages';
import { embedLabels } from '../lib/labels';
import { defaultFrameSize, fitFrame, resolveEmbedTarget } from './oembed';
import { copyScript, OwnerPage, ownerCss } from './owner-page';
import {
  channelFrameQuery,
  articleFrameParams,
  frameQuery,
  channelFrameParams,
  oembedQuery,
  oembedResponse,
  ownerQuery,
} from './schemas';
import { iframeHtml } from './snippets';
import { nowDate } from '../lib/clock';
import { sanitizePolicy, videoFrameSources } from '../lib/video-hosts';

const oembedCacheAge = 3600;

/** The only pages any site may frame; everything else keeps frame-ancestors 'none'. */
async function frameCsp(css: string, env: Env): Promise<string> {
  const frames = videoFrameSources(sanitizePolicy(env));
  return cspHeader({
    'default-src': "'none'",
    'style-src': await cspHash(css),
    'script-src': await cspHash(resizeScript),
    'img-src': "'self' https: http: data:",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': '*',
    ...(frames ? { 'frame-src': frames } : {}),
  });
}

type FrameStatus = 200 | 400 | 404 | 410 | 503;

async function renderFrame(
  c: Context<AppEnv>,
  css: string,
  page: Child,
  status: FrameStatus,
): Promise<Response> {
  c.header('Content-Security-Policy', await frameCsp(css, c.env));
  // A framed error is still shown inside someone's page, so it gets the same frameable policy;
  // a missing or withdrawn article may come back, a malformed address will not.
  if (status !== 200) {
    c.header('Cache-Control', status === 400 || status === 503 ? 'no-store' : 'public, max-age=60');
  }
  return c.html(html`<!DOCTYPE html>${page}`, status);
}

function frameOptions(c: Context<AppEnv>) {
  const site = siteConfig(c.env);
  const query = frameQuery.safeParse(c.req.query());
  const lang: Lang = (query.success && query.data.lang) || site.lang;
  const theme: FrameTheme = query.success ? query.data.theme : undefined;
  // `frame` is what every frame component takes.
  return {
    frame: { site, lang, css: frameCss(theme), origin: requestOrigin(c) },
    valid: query.success,
  };
}

function frameError(
  c: Context<AppEnv>,
  status: Exclude<FrameStatus, 200>,
  pick: 'badAddress' | 'articleMissing' | 'articleGone' | 'channelMissing' | 'unavailable',
) {
  const o = frameOptions(c);
  return renderFrame(
    c,
    o.frame.css,
    <FrameError {...o.frame} message={embedLabels[o.frame.lang][pick]} />,
    status,
  );
}

export const embedRoutes = createApi();

// oEmbed consumers are often browser scripts on other sites; the answer is public and credential-free.
embedRoutes.use(
  '/oembed',
  cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD', 'OPTIONS'],
    maxAge: 86400,
    credentials: false,
  }),
);
embedRoutes.use('/oembed', publicGet({ maxAge: 300, staleWhileRevalidate: 3600 }));
// One caching middleware per request: '/embed/*' also matches '/embed', so the owner page and
// the frames share one registration that picks the policy (two would both run, and Vary repeat).
const ownerPageCache = publicGet({ maxAge: 300, staleWhileRevalidate: 3600 });
const frameCache = publicGet();
embedRoutes.use('/embed/*', (c, next) =>
  (c.req.path === '/embed' ? ownerPageCache : frameCache)(c, next),
);
// A frame whose storage failed (and that had no stale copy) is still shown inside someone's
// page: a framed 503 with Retry-After, not a problem document the reader would see as text.
embedRoutes.use('/embed/*', async (c, next) => {
  await next();
  const problem = c.error ? clientProblem(c.error) : null;
  if (c.req.path === '/embed' || problem?.status !== 503) return;
  // Dropped first: assigning c.res merges the problem document's headers into the frame.
  c.res = undefined;
  c.finalized = false;
  for (const [name, value] of Object.entries(problem.headers ?? {})) c.header(name, value);
  c.header('X-Request-Id', c.get('requestId'));
  c.res = await frameError(c, 503, 'unavailable');
});

const oembed = createRoute({
  method: 'get',
  path: '/oembed',
  operationId: 'getOEmbed',
  tags: ['Embed'],
  summary: 'oEmbed provider for article and channel URLs',
  description:
    'Implements https://oembed.com for reader pages on this host. The answer is type rich, with an iframe of the embed page as html; width and height never exceed maxwidth/maxheight.',
  ...publicAccess,
  request: { query: oembedQuery },
  responses: {
    200: jsonContent(oembedResponse, 'The oEmbed response'),
    ...problemResponses(400, 404, 501),
  },
});

embedRoutes.openapi(oembed, async (c) => {
  const query = c.req.valid('query');
  // An empty format= is read as no format at all, which the spec defaults to json.
  if (query.format && query.format !== 'json') {
    throw new AppError('not_implemented', {
      detail: `oEmbed format '${query.format}' is not supported; use format=json`,
    });
  }
  let url: URL;
  try {
    url = new URL(query.url);
  } catch {
    throw AppError.invalidParameter('url', 'query', 'must be an absolute http(s) URL');
  }
  const requestUrl = new URL(c.req.url);
  const target = resolveEmbedTarget(url, requestUrl.host);
  const notOurs = () =>
    new AppError('not_found', {
      detail: 'The url is not a published article or a channel on this site',
    });
  if (!target) throw notOurs();

  const site = siteConfig(c.env);
  const origin = requestOrigin(c);
  const db = readDb(c);
  const size = fitFrame(defaultFrameSize[target.kind], query.maxwidth, query.maxheight);
  let title: string;
  let src: string;
  let author: string | undefined;
  if (target.kind === 'article') {
    const found = await findArticle(db, target.key, nowDate());
    if (found.state !== 'published') throw notOurs();
    title = found.article.title;
    author = found.article.source || found.article.author || undefined;
    src = `${origin}/embed/articles/${found.article.id}`;
  } else {
    const channel = await findChannel(db, target.slug);
    if (!channel) throw notOurs();
    title = channel.name;
    src = `${origin}/embed/channels/${channel.slug}`;
  }
  return c.json(
    {
      version: '1.0' as const,
      type: 'rich' as const,
      title,
      ...(author ? { author_name: author } : {}),
      provider_name: site.name,
      provider_url: `${origin}/`,
      cache_age: oembedCacheAge,
      html: iframeHtml({ src, title, ...size }),
      width: size.width,
      height: size.height,
    },
    200,
  );
});

embedRoutes.get('/embed/articles/:id', async (c) => {
  const id = articleFrameParams.safeParse(c.req.param());
  const o = frameOptions(c);
  if (!id.success || !o.valid) return frameError(c, 400, 'badAddress');
  const found = await findArticle(readDb(c), id.data, nowDate());
  if (found.state === 'withdrawn') return frameError(c, 410, 'articleGone');
  if (found.state === 'missing') return frameError(c, 404, 'articleMissing');
  return renderFrame(c, o.frame.css, <ArticleFrame {...o.frame} article={found.article} />, 200);
});

embedRoutes.get('/embed/channels/:slug', async (c) => {
  const path = channelFrameParams.safeParse(c.req.param());
  const query = channelFrameQuery.safeParse(c.req.query());
  const o = frameOptions(c);
  if (!path.success || !query.success) return frameError(c, 400, 'badAddress');
  const { slug } = path.data;
  const db = readDb(c);
  const [channel, page] = await Promise.all([
    findChannel(db, slug),
    listPublishedArticles(db, {
      now: nowDate(),
      channelSlug: slug,
      sort: 'latest',
      limit: query.data.limit,
    }),
  ]);
  if (!channel) return frameError(c, 404, 'channelMissing');
  return renderFrame(
    c,
    o.frame.css,
    <ChannelFrame {...o.frame} channel={channel} items={page.items} />,
    200,
  );
});

// Validated by the API's own machinery (defaultHook): the same problem for the same mistake.
embedRoutes.get('/embed', zValidator('query', ownerQuery, defaultHook), async (c) => {
  const query = { data: c.req.valid('query') };
  const site = siteConfig(c.env);
  let articleId = query.data.article ?? null;
  let channelSlug = query.data.channel ?? null;
  if (articleId === null || channelSlug === null) {
    // Preview something real: the newest article and its channel.
    const latest = await listPublishedArticles(readDb(c), {
      now: nowDate(),
      sort: 'latest',
      limit: 1,
    });
    const newest = latest.items[0];
    articleId ??= newest?.id ?? null;
    channelSlug ??= newest?.channel.slug ?? null;
  }
  c.header(
    'Content-Security-Policy',
    cspHeader({
      'default-src': "'none'",
      // Our own embed.js drives the live previews; the copy buttons are the one inline script.
      'script-src': `'self' ${await cspHash(copyScript)}`,
      'style-src': await cspHash(ownerCss),
      'img-src': "'self' https: http: data:",
      'connect-src': "'self'",
      'frame-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
    }),
  );
  return c.html(
    html`<!DOCTYPE html>${(
        <OwnerPage
          site={site}
          lang={query.data.lang ?? site.lang}
          origin={requestOrigin(c)}
          versionedScript={assetManifest['/embed.js'] ?? null}
          articleId={articleId}
          channelSlug={channelSlug}
          css={ownerCss}
        />
      )}`,
    200,
  );
});
