import { articlePath, channelPath } from '../articles/present';
import type { ChannelDetail } from '../channels/queries';
import type { SiteConfig } from '../lib/site';
import { raw } from 'hono/html';
import { websiteStructuredData } from '../search/discovery';
import { toZonedIso, zonedDay } from '../lib/time';
import type { Labels } from '../lib/labels';
import { Breadcrumb, feedLinks, Layout, PageNav } from './layout';
import { jsonForScript } from './safety';
import type { ChannelSection, ListItem, NavChannel } from './queries';

interface ListProps {
  site: SiteConfig;
  labels: Labels;
  items: ListItem[];
  ordered?: boolean;
}

/** The portal's classic list: a linked title with its date flush right. */
function ArticleList(props: ListProps) {
  const { site, labels: l } = props;
  const rows = props.items.map((item) => (
    <li>
      <a href={articlePath(item)} lang={item.lang === l.langTag ? undefined : item.lang}>
        {item.title}
      </a>{' '}
      <time class="list-aside" datetime={toZonedIso(item.publishedAt, site.timeZone)}>
        {zonedDay(item.publishedAt, site.timeZone)}
      </time>
    </li>
  ));
  if (!rows.length) return <p class="empty">{l.noArticles}</p>;
  return props.ordered ? (
    <ol class="news-list ranked">{rows}</ol>
  ) : (
    <ul class="news-list">{rows}</ul>
  );
}

export interface HomePageProps {
  site: SiteConfig;
  labels: Labels;
  origin: string;
  nav: NavChannel[];
  sections: ChannelSection[];
  popular: ListItem[];
}

export function HomePage(props: HomePageProps) {
  const { site, labels: l } = props;
  const aside = (
    <aside class="panel popular" aria-labelledby="popular-heading">
      <div class="panel-head">
        <h2 id="popular-heading">{l.popular}</h2>
      </div>
      <ArticleList site={site} labels={l} items={props.popular} ordered />
    </aside>
  );
  return (
    <Layout
      site={site}
      labels={l}
      description={l.feedDescription(site.name)}
      canonical={`${props.origin}/`}
      nav={props.nav}
      activeChannel=""
      feeds={feedLinks(l, site.name, '')}
      head={
        <script type="application/ld+json">
          {raw(jsonForScript(websiteStructuredData(site, props.origin)))}
        </script>
      }
      aside={aside}
    >
      <h1 class="visually-hidden">{site.name}</h1>
      <div class="sections">
        {props.sections.map(({ channel, items }) => (
          <section class="panel" aria-labelledby={`section-${channel.slug}`}>
            <div class="panel-head">
              <h2 id={`section-${channel.slug}`}>
                <a href={channelPath(channel.slug)}>{channel.name}</a>
              </h2>
              <a class="more" href={channelPath(channel.slug)} aria-label={l.more(channel.name)}>
                {l.moreShort}
              </a>
            </div>
            <ArticleList site={site} labels={l} items={items} />
          </section>
        ))}
      </div>
    </Layout>
  );
}

export interface ChannelPageProps {
  site: SiteConfig;
  labels: Labels;
  origin: string;
  nav: NavChannel[];
  channel: ChannelDetail;
  items: ListItem[];
  total: number;
  page: number;
  pages: number;
}

export function pageHref(slug: string, page: number): string {
  return page > 1 ? `${channelPath(slug)}?page=${page}` : channelPath(slug);
}

/** First, last, and two either side of the current page; gaps become an ellipsis. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const shown = new Set([1, pages]);
  for (let p = page - 2; p <= page + 2; p++) if (p >= 1 && p <= pages) shown.add(p);
  const sorted = [...shown].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((p, i) => {
    if (i > 0 && p - sorted[i - 1]! > 1) out.push(null);
    out.push(p);
  });
  return out;
}

function Pagination(props: { labels: Labels; slug: string; page: number; pages: number }) {
  const { labels: l, slug, page, pages } = props;
  if (pages <= 1) return null;
  return (
    <PageNav
      labels={l}
      prev={page > 1 ? pageHref(slug, page - 1) : null}
      next={page < pages ? pageHref(slug, page + 1) : null}
    >
      {pageWindow(page, pages).map((p) =>
        p === null ? (
          <li class="gap" aria-hidden="true">
            …
          </li>
        ) : p === page ? (
          <li>
            <span class="current" aria-current="page" aria-label={l.pageN(p)}>
              {p}
            </span>
          </li>
        ) : (
          <li>
            <a href={pageHref(slug, p)} aria-label={l.pageN(p)}>
              {p}
            </a>
          </li>
        ),
      )}
    </PageNav>
  );
}

export function ChannelPage(props: ChannelPageProps) {
  const { site, labels: l, channel } = props;
  const path = channelPath(channel.slug);
  return (
    <Layout
      site={site}
      labels={l}
      title={l.pageTitle(channel.name, props.page)}
      description={channel.description || l.feedDescription(site.name, channel.name)}
      canonical={props.origin + pageHref(channel.slug, props.page)}
      nav={props.nav}
      activeChannel={channel.breadcrumb[0]?.slug}
      feeds={[
        ...feedLinks(l, l.feedTitle(site.name, channel.name), path),
        ...feedLinks(l, site.name, ''),
      ]}
    >
      <Breadcrumb
        labels={l}
        currentIsPage
        crumbs={[
          { name: l.home, href: '/' },
          ...channel.breadcrumb.map((c) => ({ name: c.name, href: channelPath(c.slug) })),
        ]}
      />
      <div class="panel channel-panel">
        <div class="panel-head">
          <h1>{channel.name}</h1>
          <a class="feed-link" href={`${path}/feed.xml`}>
            {l.rss}
          </a>
        </div>
        {channel.description ? <p class="channel-description">{channel.description}</p> : null}
        {channel.children.length ? (
          <nav class="subchannels" aria-label={l.subChannels}>
            <ul>
              {channel.children.map((c) => (
                <li>
                  <a href={channelPath(c.slug)}>{c.name}</a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <ArticleList site={site} labels={l} items={props.items} />
        {props.total > 0 ? (
          <p class="page-summary">{l.pageSummary(props.total, props.page, props.pages)}</p>
        ) : null}
        <Pagination labels={l} slug={channel.slug} page={props.page} pages={props.pages} />
      </div>
    </Layout>
  );
}

export interface ErrorPageProps {
  site: SiteConfig;
  labels: Labels;
  status: 400 | 404 | 410 | 500 | 503;
  detail?: string;
}

export function ErrorPage(props: ErrorPageProps) {
  const { site, labels: l, status } = props;
  const [title, text] =
    status === 404
      ? [l.notFoundTitle, l.notFoundText]
      : status === 410
        ? [l.goneTitle, l.goneText]
        : status === 400
          ? [l.badRequestTitle, l.badRequestText]
          : [l.serverErrorTitle, l.serverErrorText];
  return (
    <Layout site={site} labels={l} title={title} noindex>
      <div class="panel error-panel">
        <p class="error-code" aria-hidden="true">
          {status}
        </p>
        <h1>{title}</h1>
        <p>{text}</p>
        {props.detail ? <p class="error-detail">{props.detail}</p> : null}
        <p>
          <a class="button-link" href="/">
            {l.backHome}
          </a>
        </p>
      </div>
    </Layout>
  );
}
