import { raw } from 'hono/html';
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

/**
 * A fragment rendered once per isolate for each set of the inputs it depends on (all in `key`),
 * then reused as raw HTML: the site chrome around every reader page is the same on most
 * requests. Bounded by clearing the map whole (a menu edit changes the keys, so old ones would
 * otherwise pile up). Rendered with hono/jsx like the rest of the page, so escaping is the same
 * and the bytes are identical (checked against the previous build: 40 article pages, the home,
 * channel, search, 404 and preview pages). hono/jsx was 29 % of the article page's CPU samples
 * (26 % with the chrome alone rendered once). With the chrome, the breadcrumb and the article
 * tools rendered once, A/B of the two builds in alternating rounds (the builds swapping
 * places each round, 2026-12-01, a shared machine at load 7-9 on 2 cores) put the page at
 * 0.89 × the workerd CPU per request over 13 rounds of 3 s (median per-round ratio; 2,643 →
 * 2,318 µs/req, floor 1,293 µs/req); four shorter runs gave 0.75, 0.93, 0.85 and 1.01, while
 * the unchanged article JSON route read 0.95 as a control in the last of them.
 */
const fragments = new Map<string, string>();
const maxFragments = 200;

export function renderedOnce(key: string, render: () => Child): ReturnType<typeof raw> {
  let html = fragments.get(key);
  if (html === undefined) {
    // Every fragment here is synchronous, so toString() gives a string, not a promise.
    html = String(render());
    if (fragments.size >= maxFragments) fragments.clear();
    fragments.set(key, html);
  }
  return raw(html);
}

/**
 * <head> elements outside <head> would be hoisted by hono/jsx (document metadata), so a head
 * fragment is rendered inside one, which is then cut off.
 */
function headFragment(key: string, children: () => Child) {
  return renderedOnce(key, () => raw(String(<head>{children()}</head>).slice(6, -7)));
}

function SiteHeader(props: LayoutProps) {
  const { site, labels: l } = props;
  return (
    <>
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
    </>
  );
}

function SiteFooter(props: { site: SiteConfig; labels: Labels; year: number }) {
  const l = props.labels;
  return (
    <footer class="site-footer">
      <div class="container">
        <p class="footer-feeds">
          {l.feeds}
          {l.colon}
          <a href="/feed.xml">RSS</a> <span aria-hidden="true">|</span> <a href="/atom.xml">Atom</a>{' '}
          <span aria-hidden="true">|</span> <a href="/feed.json">JSON Feed</a>{' '}
          <span aria-hidden="true">|</span> <a href="/sitemap.xml">Sitemap</a>
        </p>
        <p>{l.copyright(props.site.name, props.year)}</p>
        <p>{l.footerNote}</p>
      </div>
    </footer>
  );
}

/** What the chrome's rendering depends on, as a fragment key (JSON: no two inputs collide). */
function chromeKey(kind: string, site: SiteConfig, l: Labels, ...parts: unknown[]): string {
  return JSON.stringify([kind, site.name, l.langTag, ...parts]);
}

export function Layout(props: LayoutProps) {
  const { site, labels: l } = props;
  const title = props.title ? `${props.title} - ${site.name}` : site.name;
  const year = nowDate().getUTCFullYear();
  // The search page keeps the reader's query in the box: its header is rendered each time.
  const header =
    props.searchQuery === undefined
      ? renderedOnce(
          chromeKey('header', site, l, props.activeChannel ?? null, props.nav ?? null),
          () => <SiteHeader {...props} />,
        )
      : SiteHeader(props);
  return (
    <html lang={l.langTag}>
      <head>
        {headFragment(chromeKey('head-start', site, l), () => (
          <>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
          </>
        ))}
        <title>{title}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        {props.noindex ? <meta name="robots" content="noindex" /> : null}
        {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
        {headFragment(chromeKey('head-site', site, l), () => (
          <>
            <meta name="theme-color" content="#0b3a75" />
            <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
            <link rel="stylesheet" href={assetUrl('/assets/site.css')} />
            <link
              rel="search"
              type="application/opensearchdescription+xml"
              title={site.name}
              href="/opensearch.xml"
            />
          </>
        ))}
        {props.feeds?.length
          ? headFragment(chromeKey('feeds', site, l, props.feeds), () =>
              props.feeds!.map((f) => (
                <link rel="alternate" type={f.type} title={f.title} href={f.href} />
              )),
            )
          : null}
        {props.head}
        {props.script ? <script src={assetUrl('/assets/article.js')} defer></script> : null}
      </head>
      <body>
        {header}
        <div class={props.aside ? 'container page with-aside' : 'container page'}>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
          {props.aside}
        </div>
        {renderedOnce(chromeKey('footer', site, l, year), () => (
          <SiteFooter site={site} labels={l} year={year} />
        ))}
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
