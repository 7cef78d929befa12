import { articlePath } from '../articles/present';
import type { SiteConfig } from '../lib/site';
import { toZonedIso } from '../lib/time';
import type { SearchHit } from './queries';
import type { ParsedQuery } from './query';
import { highlight, snippet, type Snippet } from './snippet';
import { htmlText } from './text';

/** The folded words to mark in results: the required ones (excluded ones cannot occur). */
export function highlightTerms(query: ParsedQuery): string[] {
  return query.include.map((t) => t.text);
}

/** The body around the first match; else the summary around one; else the summary's start. */
export function hitSnippet(hit: SearchHit, terms: readonly string[]): Snippet {
  const body = htmlText(hit.body);
  const fromBody = snippet(body, terms);
  if (fromBody.matched) return fromBody;
  const fromSummary = snippet(hit.summary || body, terms);
  return fromSummary;
}

export function presentHit(
  hit: SearchHit,
  terms: readonly string[],
  site: SiteConfig,
  origin: string,
) {
  return {
    id: hit.id,
    slug: hit.slug,
    title: hit.title,
    subtitle: hit.subtitle,
    source: hit.source,
    lang: hit.lang,
    channel: hit.channel,
    publishedAt: toZonedIso(hit.publishedAt, site.timeZone),
    url: origin + articlePath(hit),
    document: hit.document,
    highlight: { title: highlight(hit.title, terms), snippet: hitSnippet(hit, terms).html },
  };
}
