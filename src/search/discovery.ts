import type { SiteConfig } from '../lib/site';

/**
 * schema.org WebSite with a SearchAction, for the home page: search engines may offer a
 * search box for the site that lands on /search.
 */
export function websiteStructuredData(site: SiteConfig, origin: string) {
  return {
    '@context': 'https://schema.org',
    '@type': 'WebSite',
    name: site.name,
    url: `${origin}/`,
    inLanguage: site.lang,
    potentialAction: {
      '@type': 'SearchAction',
      target: { '@type': 'EntryPoint', urlTemplate: `${origin}/search?q={search_term_string}` },
      'query-input': 'required name=search_term_string',
    },
  };
}
