import type { Child } from 'hono/jsx';
import { assetManifest } from '../asset-manifest.gen';
import type { SiteConfig } from '../lib/site';
import type { Labels } from '../lib/labels';
import type { NavChannel } from './queries';
import { nowDate } from '../lib/clock';

/** Hashed, immutable asset URL when the build produced one; the stable path otherwise. */
export function assetUrl(path: string): string {
  return assetManifest[path] ?? path;
}

export interface FeedLink {
  type: 'application/rss+xml' | 'application/atom+xml' | 'application/feed+json';
  title: string;
  href: string;
}

export function feedLinks(labels: Labels, title: string, base: string): FeedLink[] {
  return [
    { type: 'application/rss+xml', title: `${title} (${labels.rss})`, href: `${base}/feed.xml` },
    { type: 'application/atom+xml', title: `${title} (${labels.atom})`, href: `${base}/atom.xml` },
    {
      type: 'application/feed+json',
      title: `${title} (${labels.jsonFeed})`,
      href: `${base}/feed.json`,
    },
  ];
}

export interface LayoutProps {
  site: SiteConfig;
  labels: Labels;
  /** Document title, without the site name. Omitted on the home page. */
  title?: string;
  description?: string;
  canonical?: string;
  /** Top-level channels for the menu; error pages render without it. */
  nav?: NavChannel[];
  /** Slug of the top-level channel to mark as current in the menu. */
  activeChannel?: string;
  feeds?: FeedLink[];
  /** Extra <head> content: OpenGraph, JSON-LD. */
  head?: Child;
  /** Complementary content next to <main>. */
  aside?: Child;
  /** Load the reader script (view beacon, font switch). */
  script?: boolean;
  noindex?: boolean;
  /** The reader's query, kept in the header's search box on the search page. */
  searchQuery?: string;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const { site, labels: l } = props;
  const title = props.title ? `${props.title} - ${site.name}` : site.name;
  const year = nowDate().getUTCFullYear();
  return (
    <html lang={l.langTag}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        {props.noindex ? <meta name="robots" content="noindex" /> : null}
        {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
        <meta name="theme-color" content="#0b3a75" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('/assets/site.css')} />
        <link
          rel="search"
          type="application/opensearchdescription+xml"
          title={site.name}
          href="/opensearch.xml"
        />
        {(props.feeds ?? []).map((f) => (
          <link rel="alternate" type={f.type} title={f.title} href={f.href} />
        ))}
        {props.head}
        {props.script ? <script src={assetUrl('/assets/article.js')} defer></script> : null}
      </head>
      <body>
        <a class="skip-link" href="#main">
          {l.skipToContent}
        </a>
        <header class="site-header">
          <div class="masthead">
            <div class="container masthead-inner">
              <a class="site-name" href="/">
                <span class="site-emblem" aria-hidden="true"></span>
                {site.name}
              </a>
              <SearchForm
                class="site-search"
                id="site-search-q"
                labels={l}
                query={props.searchQuery}
              />
            </div>
          </div>
          {props.nav ? (
            <nav class="main-nav" aria-label={l.mainNav}>
              <ul class="container">
                <li>
                  <a href="/" aria-current={props.activeChannel === '' ? 'page' : undefined}>
                    {l.home}
                  </a>
                </li>
                {props.nav.map((ch) => (
                  <li>
                    <a
                      href={`/channels/${ch.slug}`}
                      aria-current={props.activeChannel === ch.slug ? 'true' : undefined}
                    >
                      {ch.name}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
        </header>
        <div class={props.aside ? 'container page with-aside' : 'container page'}>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
          {props.aside}
        </div>
        <footer class="site-footer">
          <div class="container">
            <p class="footer-feeds">
              {l.feeds}
              {l.colon}
              <a href="/feed.xml">RSS</a> <span aria-hidden="true">|</span>{' '}
              <a href="/atom.xml">Atom</a> <span aria-hidden="true">|</span>{' '}
              <a href="/feed.json">JSON Feed</a> <span aria-hidden="true">|</span>{' '}
              <a href="/sitemap.xml">Sitemap</a>
            </p>
            <p>{l.copyright(site.name, year)}</p>
            <p>{l.footerNote}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}

export interface Crumb {
  name: string;
  href?: string;
}

/**
 * A plain GET form to /search: searching works without JavaScript. The header's box
 * (`site-search`) suggests nothing and shows a search key; `children` adds hidden fields.
 */
export function SearchForm(props: {
  class: 'site-search' | 'search-form';
  id: string;
  labels: Labels;
  query?: string;
  children?: Child;
}) {
  const l = props.labels;
  const header = props.class === 'site-search';
  return (
    <form class={props.class} role="search" action="/search" method="get">
      <label class="visually-hidden" for={props.id}>
        {l.searchLabel}
      </label>
      <input
        id={props.id}
        type="search"
        name="q"
        value={props.query}
        maxlength={100}
        placeholder={l.searchPlaceholder}
        autocomplete={header ? 'off' : undefined}
        enterkeyhint={header ? 'search' : undefined}
      />
      {props.children}
      <button type="submit">{l.search}</button>
    </form>
  );
}

/** Previous and next links around what `children` lists between them (page numbers). */
export function PageNav(props: {
  labels: Labels;
  prev: string | null;
  next: string | null;
  children?: Child;
}) {
  const l = props.labels;
  return (
    <nav class="pagination" aria-label={l.pagination}>
      <ul>
        {props.prev ? (
          <li>
            <a href={props.prev} rel="prev">
              {l.prevPage}
            </a>
          </li>
        ) : null}
        {props.children}
        {props.next ? (
          <li>
            <a href={props.next} rel="next">
              {l.nextPage}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** 首页 > 要闻动态 > 盘锦要闻: the separators are decoration, the list carries the order. */
export function Breadcrumb(props: { labels: Labels; crumbs: Crumb[]; currentIsPage?: boolean }) {
  const last = props.crumbs.length - 1;
  return (
    <nav class="breadcrumb" aria-label={props.labels.breadcrumb}>
      <span class="breadcrumb-lead">{props.labels.youAreHere}</span>
      <ol>
        {props.crumbs.map((crumb, i) => (
          <li>
            {i > 0 ? (
              <span class="crumb-sep" aria-hidden="true">
                {' > '}
              </span>
            ) : null}
            {crumb.href && !(props.currentIsPage && i === last) ? (
              <a href={crumb.href}>{crumb.name}</a>
            ) : (
              <span aria-current={i === last ? 'page' : undefined}>{crumb.name}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
