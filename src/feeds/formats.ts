import { cdata, xml, xmlDeclaration, xmlText } from './xml';

/** One feed, independent of format; each renderer below writes it in its own spec's terms. */
export interface FeedModel {
  title: string;
  description: string;
  /** The HTML page the feed mirrors (home or channel page). */
  homeUrl: string;
  /** The URL of this very document (rel="self"). */
  selfUrl: string;
  /** BCP 47, e.g. zh-CN. */
  language: string;
  siteName: string;
  /** RFC 3339 in the site's zone. */
  updated: string;
  /** RFC 822, for RSS. */
  updatedRfc822: string;
  items: FeedItem[];
}

export interface FeedItem {
  /** Stable across slug changes: the id-only article URL, which redirects to the page. */
  id: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  published: string;
  publishedRfc822: string;
  updated: string;
  author: string;
  categories: { term: string; label: string }[];
  language: string;
  image: string | null;
}

const generator = 'Gazette';

async function text(doc: string | Promise<string>): Promise<string> {
  return String(await doc);
}

/** RSS 2.0 with content:encoded for the full body and atom:link for self-discovery. */
export function renderRss(feed: FeedModel): Promise<string> {
  const items = feed.items.map(
    (item) => xml`
    <item>
      <title>${xmlText(item.title)}</title>
      <link>${item.url}</link>
      <guid isPermaLink="true">${item.id}</guid>
      <pubDate>${item.publishedRfc822}</pubDate>
      <description>${xmlText(item.summary)}</description>
      <content:encoded>${cdata(item.contentHtml)}</content:encoded>${
        item.author
          ? xml`
      <dc:creator>${xmlText(item.author)}</dc:creator>`
          : ''
      }${item.categories.map(
        (c) => xml`
      <category>${xmlText(c.label)}</category>`,
      )}
    </item>`,
  );
  return text(xml`${xmlDeclaration}<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${xmlText(feed.title)}</title>
    <link>${feed.homeUrl}</link>
    <description>${xmlText(feed.description)}</description>
    <language>${feed.language.toLowerCase()}</language>
    <lastBuildDate>${feed.updatedRfc822}</lastBuildDate>
    <generator>${generator}</generator>
    <atom:link href="${feed.selfUrl}" rel="self" type="application/rss+xml"/>${items}
  </channel>
</rss>
`);
}

/** Atom (RFC 4287): the feed-level author covers entries that name none. */
export function renderAtom(feed: FeedModel): Promise<string> {
  const entries = feed.items.map(
    (item) => xml`
  <entry xml:lang="${xmlText(item.language)}">
    <id>${item.id}</id>
    <title type="text">${xmlText(item.title)}</title>
    <link rel="alternate" type="text/html" href="${item.url}"/>
    <published>${item.published}</published>
    <updated>${item.updated}</updated>${
      item.author
        ? xml`
    <author><name>${xmlText(item.author)}</name></author>`
        : ''
    }
    <summary type="text">${xmlText(item.summary)}</summary>
    <content type="html">${cdata(item.contentHtml)}</content>${item.categories.map(
      (c) => xml`
    <category term="${xmlText(c.term)}" label="${xmlText(c.label)}"/>`,
    )}
  </entry>`,
  );
  return text(xml`${xmlDeclaration}<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${feed.language}">
  <id>${feed.homeUrl}</id>
  <title type="text">${xmlText(feed.title)}</title>
  <subtitle type="text">${xmlText(feed.description)}</subtitle>
  <updated>${feed.updated}</updated>
  <link rel="alternate" type="text/html" href="${feed.homeUrl}"/>
  <link rel="self" type="application/atom+xml" href="${feed.selfUrl}"/>
  <author><name>${xmlText(feed.siteName)}</name></author>
  <generator>${generator}</generator>${entries}
</feed>
`);
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
export function renderJsonFeed(feed: FeedModel): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrl,
    description: feed.description,
    language: feed.language,
    authors: [{ name: feed.siteName }],
    items: feed.items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      content_html: item.contentHtml,
      ...(item.summary ? { summary: item.summary } : {}),
      ...(item.image ? { image: item.image } : {}),
      date_published: item.published,
      date_modified: item.updated,
      ...(item.author ? { authors: [{ name: item.author }] } : {}),
      ...(item.categories.length ? { tags: item.categories.map((c) => c.label) } : {}),
      language: item.language,
    })),
  });
}

export interface SitemapUrl {
  loc: string;
  lastmod?: string;
}

/** A sitemap (sitemaps.org 0.9) with its URLs. */
export function renderUrlset(urls: SitemapUrl[]): Promise<string> {
  return text(xml`${xmlDeclaration}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map(
    (u) => xml`
  <url><loc>${u.loc}</loc>${u.lastmod ? xml`<lastmod>${u.lastmod}</lastmod>` : ''}</url>`,
  )}
</urlset>
`);
}

/** A sitemap index pointing at the child sitemaps. */
export function renderSitemapIndex(sitemaps: SitemapUrl[]): Promise<string> {
  return text(xml`${xmlDeclaration}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${sitemaps.map(
    (s) => xml`
  <sitemap><loc>${s.loc}</loc>${s.lastmod ? xml`<lastmod>${s.lastmod}</lastmod>` : ''}</sitemap>`,
  )}
</sitemapindex>
`);
}

export interface NewsUrl {
  loc: string;
  title: string;
  /** Google News language code: zh-cn, zh-tw or a two-letter ISO 639 code. */
  language: string;
  publicationDate: string;
}

/** A Google News sitemap: only articles of the last two days belong in it. */
export function renderNewsSitemap(publication: string, urls: NewsUrl[]): Promise<string> {
  return text(xml`${xmlDeclaration}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">${urls.map(
    (u) => xml`
  <url>
    <loc>${u.loc}</loc>
    <news:news>
      <news:publication>
        <news:name>${xmlText(publication)}</news:name>
        <news:language>${u.language}</news:language>
      </news:publication>
      <news:publication_date>${u.publicationDate}</news:publication_date>
      <news:title>${xmlText(u.title)}</news:title>
    </news:news>
  </url>`,
  )}
</urlset>
`);
}

/** zh-CN -> zh-cn, zh-TW/zh-HK/zh-Hant -> zh-tw, en-GB -> en: the codes Google News accepts. */
export function newsLanguage(lang: string): string {
  const lower = lang.toLowerCase();
  if (lower.startsWith('zh')) return /^zh-(tw|hk|mo|hant)/.test(lower) ? 'zh-tw' : 'zh-cn';
  return lower.split('-')[0] || 'en';
}
