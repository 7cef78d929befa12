import { fileFormat, humanFileSize } from '../lib/files';
import { homeLabel } from '../lib/labels';
import type { SiteConfig } from '../lib/site';
import { toZonedIso } from '../lib/time';
import type { ArticleDetail, ArticleNeighbour, ArticleSummary, Attachment } from './types';

/** Reader-facing URLs; the slug is decoration, the id is what resolves. */
export function articlePath(article: { id: number; slug: string }): string {
  return `/articles/${article.id}/${article.slug}`;
}

export function channelPath(slug: string): string {
  return `/channels/${slug}`;
}

export function presentSummary(a: ArticleSummary, site: SiteConfig, origin: string) {
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
    publishedAt: toZonedIso(a.publishedAt, site.timeZone),
    updatedAt: toZonedIso(a.updatedAt, site.timeZone),
    views: a.views,
    url: origin + articlePath(a),
  };
}

function presentNeighbour(n: ArticleNeighbour | null, site: SiteConfig, origin: string) {
  if (!n) return null;
  return {
    id: n.id,
    slug: n.slug,
    title: n.title,
    publishedAt: toZonedIso(n.publishedAt, site.timeZone),
    url: origin + articlePath(n),
  };
}

export function presentBreadcrumb(
  chain: { slug: string; name: string }[],
  site: SiteConfig,
  origin: string,
) {
  return [
    { name: homeLabel[site.lang], slug: null, url: `${origin}/` },
    ...chain.map((c) => ({ name: c.name, slug: c.slug, url: origin + channelPath(c.slug) })),
  ];
}

/** Uploaded files are stored by path; the API gives every URL absolute. */
export function presentAttachment(f: Attachment, origin: string) {
  return {
    ...f,
    url: f.url.startsWith('/') && !f.url.startsWith('//') ? origin + f.url : f.url,
    format: fileFormat(f.name, f.contentType),
    sizeText: f.size === null ? null : humanFileSize(f.size),
  };
}

export function presentArticle(a: ArticleDetail, site: SiteConfig, origin: string) {
  return {
    ...presentSummary(a, site, origin),
    body: a.body,
    visitors: a.visitors,
    breadcrumb: presentBreadcrumb(a.breadcrumb, site, origin),
    attachments: a.attachments.map((f) => presentAttachment(f, origin)),
    document: a.document,
    prev: presentNeighbour(a.prev, site, origin),
    next: presentNeighbour(a.next, site, origin),
  };
}
