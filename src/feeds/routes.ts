import { Hono, type Context } from 'hono';
import { articlePath, channelPath } from '../articles/present';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { cacheControlValue, notModified, publicGet, type CachePolicy } from '../lib/http';
import { slugParam } from '../lib/params';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig } from '../lib/site';
import { toZonedIso } from '../lib/time';
import { labelsFor } from '../lib/labels';
import { safeHref } from '../pages/safety';
import {
  newsLanguage,
  renderAtom,
  renderJsonFeed,
  renderNewsSitemap,
  renderRss,
  renderSitemapIndex,
  renderUrlset,
  type FeedModel,
  type SitemapUrl,
} from './formats';
import {
  listNewsArticles,
  listSitemapArticles,
  listSitemapChannels,
  listSitemapPages,
  loadFeed,
  type FeedContent,
  type SitemapChannel,
} from './queries';
import { nowDate } from '../lib/clock';

export interface FeedsOptions {
  /** Articles per feed. */
  feedSize: number;
  /** URLs per child sitemap; more public articles than this turn /sitemap.xml into an index. */
  sitemapPageSize: number;
  /** Google News wants the last two days only, at most 1,000 URLs. */
  newsWindowHours: number;
  newsLimit: number;
}

const defaults: FeedsOptions = {
  feedSize: 30,
  sitemapPageSize: 5000,
  newsWindowHours: 48,
  newsLimit: 1000,
};

/** Feed readers poll; five minutes fresh and an hour of stale-while-revalidate is plenty. */
const feedPolicy: CachePolicy = { maxAge: 300, staleWhileRevalidate: 3600 };

type Format = 'rss' | 'atom' | 'json';

const formats: Record<Format, { file: string; contentType: string }> = {
  rss: { file: 'feed.xml', contentType: 'application/rss+xml; charset=utf-8' },
  atom: { file: 'atom.xml', contentType: 'application/atom+xml; charset=utf-8' },
  json: { file: 'feed.json', contentType: 'application/feed+json; charset=utf-8' },
};

const xmlType = 'application/xml; charset=utf-8';

/**
 * A feed or sitemap response with both validators. If-None-Match is answered by publicGet()
 * from the ETag set here; If-Modified-Since only counts when no If-None-Match came (RFC 9110).
 */
async function conditional(
  c: Context<AppEnv>,
  body: string,
  contentType: string,
  lastModified: Date | null,
): Promise<Response> {
  // Encoded once, for the hash and the body alike: a feed carries 30 full articles, and
  // c.body(string) encoded it a second time. With xmlText's fast path (./xml.ts), RSS A/B in
  // alternating rounds (12 × 2 s, 2026-12-01): 4,738 → 4,222 µs CPU per request (a loaded
  // machine), median per-round ratio 0.914.
  const bytes = new TextEncoder().encode(body) as Uint8Array<ArrayBuffer>;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  c.header('ETag', `"${hex}"`);
  c.header('Cache-Control', cacheControlValue(feedPolicy));
  // Feeds are public and credential-free, so web-based readers may fetch them directly.
  c.header('Access-Control-Allow-Origin', '*');
  if (lastModified) {
    c.header('Last-Modified', lastModified.toUTCString());
    const since = Date.parse(c.req.header('If-Modified-Since') ?? '');
    const modifiedSecond = Math.floor(lastModified.getTime() / 1000) * 1000;
    if (!c.req.header('If-None-Match') && !Number.isNaN(since) && modifiedSecond <= since) {
      c.header('Vary', 'Accept-Encoding');
      return notModified(c.body(null, 200));
    }
  }
  c.header('Content-Type', contentType);
  return c.body(bytes, 200);
}

function feedModel(c: Context<AppEnv>, content: FeedContent, format: Format): FeedModel {
  const site = siteConfig(c.env);
  const labels = labelsFor(site.lang);
  const origin = requestOrigin(c);
  const channel = content.channel;
  const base = channel ? channelPath(channel.slug) : '';
  const updated = content.lastModified ?? channel?.updatedAt ?? new Date(0);
  return {
    title: labels.feedTitle(site.name, channel?.name),
    description: channel?.description || labels.feedDescription(site.name, channel?.name),
    homeUrl: origin + (base || '/'),
    selfUrl: `${origin}${base}/${formats[format].file}`,
    language: labels.langTag,
    siteName: site.name,
    updated: toZonedIso(updated, site.timeZone),
    updatedRfc822: updated.toUTCString(),
    items: content.items.map((a) => {
      const modified = a.updatedAt > a.publishedAt ? a.updatedAt : a.publishedAt;
      return {
        id: `${origin}/articles/${a.id}`,
        url: origin + articlePath(a),
        title: a.title,
        summary: a.summary,
        contentHtml: a.body,
        published: toZonedIso(a.publishedAt, site.timeZone),
        publishedRfc822: a.publishedAt.toUTCString(),
        updated: toZonedIso(modified, site.timeZone),
        author: a.author || a.source,
        categories: a.tags.map((t) => ({ term: t.slug, label: t.name })),
        language: a.lang,
        image: safeHref(a.coverImageUrl, origin),
      };
    }),
  };
}

function homeAndChannels(origin: string, channels: SitemapChannel[], timeZone: string) {
  return [
    { loc: `${origin}/` },
    ...channels.map((ch) => ({
      loc: origin + channelPath(ch.slug),
      lastmod: toZonedIso(ch.updatedAt, timeZone),
    })),
  ];
}

export function createFeedsRoutes(overrides: Partial<FeedsOptions> = {}) {
  const options = { ...defaults, ...overrides };
  const cached = publicGet(feedPolicy);

  async function serveFeed(c: Context<AppEnv>, format: Format, channelSlug?: string) {
    if (channelSlug !== undefined && !slugParam().safeParse(channelSlug).success) {
      throw new AppError('not_found', { detail: `No channel '${channelSlug}'` });
    }
    const content = await loadFeed(readDb(c), {
      now: nowDate(),
      channelSlug,
      limit: options.feedSize,
    });
    if (!content) throw new AppError('not_found', { detail: `No channel '${channelSlug}'` });
    const model = feedModel(c, content, format);
    const body =
      format === 'rss'
        ? await renderRss(model)
        : format === 'atom'
          ? await renderAtom(model)
          : renderJsonFeed(model);
    return conditional(c, body, formats[format].contentType, content.lastModified);
  }

  const app = new Hono<AppEnv>();
  for (const format of Object.keys(formats) as Format[]) {
    const file = formats[format].file;
    app.get(`/${file}`, cached, (c) => serveFeed(c, format));
    app.get(`/channels/:slug/${file}`, cached, (c) => serveFeed(c, format, c.req.param('slug')));
  }

  return app
    .get('/sitemap.xml', cached, async (c) => {
      const db = readDb(c);
      const now = nowDate();
      const origin = requestOrigin(c);
      const { timeZone } = siteConfig(c.env);
      const [pages, channels] = await Promise.all([
        listSitemapPages(db, { now, pageSize: options.sitemapPageSize }),
        listSitemapChannels(db),
      ]);
      const total = pages.reduce((sum, p) => sum + p.count, 0);
      if (total <= options.sitemapPageSize) {
        const articles = await listSitemapArticles(db, { now, pageSize: options.sitemapPageSize });
        const urls: SitemapUrl[] = [
          ...homeAndChannels(origin, channels, timeZone),
          ...articles.map((a) => ({
            loc: origin + articlePath(a),
            lastmod: toZonedIso(a.updatedAt, timeZone),
          })),
        ];
        return conditional(c, await renderUrlset(urls), xmlType, null);
      }
      const newestChannel = channels.reduce<Date | null>(
        (max, ch) => (!max || ch.updatedAt > max ? ch.updatedAt : max),
        null,
      );
      const sitemaps: SitemapUrl[] = [
        {
          loc: `${origin}/sitemaps/channels.xml`,
          lastmod: newestChannel ? toZonedIso(newestChannel, timeZone) : undefined,
        },
        ...pages.map((p) => ({
          loc: `${origin}/sitemaps/articles-${p.page}.xml`,
          lastmod: toZonedIso(p.lastModified, timeZone),
        })),
        { loc: `${origin}/sitemap-news.xml` },
      ];
      return conditional(c, await renderSitemapIndex(sitemaps), xmlType, null);
    })
    .get('/sitemaps/:file', cached, async (c) => {
      const db = readDb(c);
      const origin = requestOrigin(c);
      const { timeZone } = siteConfig(c.env);
      const file = c.req.param('file');
      if (file === 'channels.xml') {
        const channels = await listSitemapChannels(db);
        return conditional(
          c,
          await renderUrlset(homeAndChannels(origin, channels, timeZone)),
          xmlType,
          null,
        );
      }
      const match = /^articles-([1-9][0-9]{0,8})\.xml$/.exec(file);
      if (!match) throw new AppError('not_found', { detail: `No sitemap '${file}'` });
      const articles = await listSitemapArticles(db, {
        now: nowDate(),
        page: Number(match[1]),
        pageSize: options.sitemapPageSize,
      });
      // An empty <urlset> is not valid, and a crawler should drop a page that emptied out.
      if (!articles.length) throw new AppError('not_found', { detail: `No sitemap '${file}'` });
      const urls = articles.map((a) => ({
        loc: origin + articlePath(a),
        lastmod: toZonedIso(a.updatedAt, timeZone),
      }));
      return conditional(c, await renderUrlset(urls), xmlType, null);
    })
    .get('/sitemap-news.xml', cached, async (c) => {
      const now = nowDate();
      const site = siteConfig(c.env);
      const origin = requestOrigin(c);
      const articles = await listNewsArticles(readDb(c), {
        now,
        since: new Date(now.getTime() - options.newsWindowHours * 3_600_000),
        limit: options.newsLimit,
      });
      const body = await renderNewsSitemap(
        site.name,
        articles.map((a) => ({
          loc: origin + articlePath(a),
          title: a.title,
          language: newsLanguage(a.lang),
          publicationDate: toZonedIso(a.publishedAt, site.timeZone),
        })),
      );
      return conditional(c, body, xmlType, null);
    })
    .get('/robots.txt', (c) => {
      const origin = requestOrigin(c);
      const body = [
        'User-agent: *',
        'Allow: /',
        // The JSON API and the view beacon are for programs, not for search results.
        'Disallow: /api/',
        '',
        `Sitemap: ${origin}/sitemap.xml`,
        `Sitemap: ${origin}/sitemap-news.xml`,
        '',
      ].join('\n');
      return c.text(body, 200, { 'Cache-Control': 'public, max-age=86400' });
    });
}

export const feedsRoutes = createFeedsRoutes();
