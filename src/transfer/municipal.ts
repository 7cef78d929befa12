/**
 * The mapping from the shared fixture's shape (a municipal portal's article as scraped:
 * channelPath, title, a date, source, a view count, plain-text paragraphs) to one line of
 * Gazette's import (README, "Import and export"):
 *
 * | old field                  | import line                                              |
 * |----------------------------|----------------------------------------------------------|
 * | channelPath                | channelPath without the leading 首页 (the home page)      |
 * | title                      | title                                                    |
 * | paragraphs                 | paragraphs (each becomes an escaped <p> in the body)     |
 * | publishedAt (a date)       | publishedAt at noon in the site's zone (+08:00)          |
 * | source (盘锦日报)           | source, as it is                                         |
 * | viewsShownOnOriginalPage   | views (712 stays 712 and counts on from there)           |
 * | language                   | lang                                                     |
 * | (none)                     | externalId: given, or derived from the date and title    |
 */

export interface MunicipalArticle {
  channelPath: string[];
  title: string;
  publishedAt: string;
  source: string;
  viewsShownOnOriginalPage: number;
  paragraphs: string[];
  language: string;
}

export function municipalLine(article: MunicipalArticle, externalId?: string) {
  const path =
    article.channelPath[0] === '首页' ? article.channelPath.slice(1) : article.channelPath;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(article.publishedAt)
    ? `${article.publishedAt}T12:00:00+08:00`
    : article.publishedAt;
  return {
    externalId: externalId ?? `municipal:${article.publishedAt}:${article.title}`,
    channelPath: path.join('/'),
    title: article.title,
    paragraphs: article.paragraphs,
    source: article.source,
    publishedAt: day,
    status: 'published' as const,
    views: article.viewsShownOnOriginalPage,
    lang: article.language,
  };
}

/** One municipal article or an array of them, as the NDJSON the import takes. */
export function municipalNdjson(parsed: MunicipalArticle | MunicipalArticle[]): string {
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((a) => JSON.stringify(municipalLine(a))).join('\n') + '\n';
}
